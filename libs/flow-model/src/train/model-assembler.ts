/**
 * Packs fitted rows into the model's typed-array tables (flow-model.ts). Weights are stored
 * as uint32; counts beyond 2^32-1 saturate (the sampler only needs proportions).
 */
import type { FlowModel, FlowModelInfo, FlowModelTables } from '../model/flow-model.ts';
import type { RowDraft } from './row-draft.ts';

const MAX_U32 = 0xffffffff;

class Growing {
  values: number[] = [];
  offsets: number[] = [0];
  push(...v: number[]): void {
    this.values.push(...v);
  }
  close(): void {
    this.offsets.push(this.values.length);
  }
}

export function assembleModel(info: FlowModelInfo, rows: readonly RowDraft[], coefs: readonly Float64Array[], profile: Float64Array): FlowModel {
  const n = rows.length;
  const perRow = <T extends Float64Array | Float32Array | Int32Array | Uint8Array>(make: new (n: number) => T, pick: (r: RowDraft, i: number) => number): T => {
    const out = new make(n);
    rows.forEach((r, i) => (out[i] = pick(r, i)));
    return out;
  };
  const coefBase = new Int32Array(n);
  let totalCoefs = 0;
  coefs.forEach((c, i) => {
    coefBase[i] = totalCoefs;
    totalCoefs += c.length;
  });
  const coef = new Float32Array(totalCoefs);
  coefs.forEach((c, i) => coef.set(c, coefBase[i]));

  const header = new Growing();
  const sizeLo = new Growing();
  const sizeSpan: number[] = [];
  const sizeWeight: number[] = [];
  const flagValue = new Growing();
  const flagWeight: number[] = [];
  const l3 = new Uint16Array(2 * n);
  const l4 = new Uint16Array(2 * n);
  const firstFlags = new Uint8Array(2 * n);
  const lastFlags = new Uint8Array(2 * n);
  rows.forEach((row, i) => {
    row.dirs.forEach((dir, d) => {
      const slot = 2 * i + d;
      if (dir.template) {
        header.push(...dir.template.bytes);
        l3[slot] = dir.template.l3Offset;
        l4[slot] = dir.template.l4Offset;
      }
      header.close();
      firstFlags[slot] = dir.firstFlags;
      lastFlags[slot] = dir.lastFlags;
      for (const e of dir.sizes) {
        sizeLo.push(e.lo);
        sizeSpan.push(e.span);
        sizeWeight.push(Math.min(MAX_U32, Math.round(e.weight)));
      }
      sizeLo.close();
      for (const e of dir.flags) {
        flagValue.push(e.value);
        flagWeight.push(Math.min(MAX_U32, Math.round(e.weight)));
      }
      flagValue.close();
    });
  });
  const gaps = sparseBuckets(rows.map((r) => r.gaps));
  const memberSizes = sparseBuckets(rows.map((r) => r.memberSizes ?? new Float64Array(0)));

  const tables: FlowModelTables = {
    kind: perRow(Uint8Array, (r) => r.kind),
    ipVersion: perRow(Uint8Array, (r) => r.ipVersion),
    proto: perRow(Uint8Array, (r) => r.proto),
    startBin: perRow(Int32Array, (r) => r.startBin),
    lastBin: perRow(Int32Array, (r) => r.lastBin),
    binsPerCoef: perRow(Int32Array, (r) => r.histogram.width),
    coefBase,
    coefCount: perRow(Int32Array, (_r, i) => coefs[i]!.length),
    packets: perRow(Float64Array, (r) => r.packets),
    reverse: perRow(Float64Array, (r) => r.reverse),
    startNs: perRow(Float64Array, (r) => r.startNs),
    endNs: perRow(Float64Array, (r) => r.endNs),
    members: perRow(Float64Array, (r) => r.members),
    concurrency: perRow(Float32Array, (r) => r.concurrency),
    coef,
    profile: Float32Array.from(profile),
    headerOffset: Uint32Array.from(header.offsets),
    headerBytes: Uint8Array.from(header.values),
    l3Offset: l3,
    l4Offset: l4,
    firstFlags,
    lastFlags,
    sizeOffset: Uint32Array.from(sizeLo.offsets),
    sizeLo: Uint16Array.from(sizeLo.values),
    sizeSpan: Uint16Array.from(sizeSpan),
    sizeWeight: Uint32Array.from(sizeWeight),
    flagOffset: Uint32Array.from(flagValue.offsets),
    flagValue: Uint8Array.from(flagValue.values),
    flagWeight: Uint32Array.from(flagWeight),
    gapOffset: gaps.offsets,
    gapBucket: gaps.buckets,
    gapWeight: gaps.weights,
    memberSizeOffset: memberSizes.offsets,
    memberSizeBucket: memberSizes.buckets,
    memberSizeWeight: memberSizes.weights,
  };
  return { info, tables };
}

function sparseBuckets(dense: readonly Float64Array[]): { offsets: Uint32Array; buckets: Uint8Array; weights: Uint32Array } {
  const offsets = [0];
  const buckets: number[] = [];
  const weights: number[] = [];
  for (const row of dense) {
    row.forEach((w, b) => {
      if (w > 0) {
        buckets.push(b);
        weights.push(Math.min(MAX_U32, Math.round(w)));
      }
    });
    offsets.push(buckets.length);
  }
  return { offsets: Uint32Array.from(offsets), buckets: Uint8Array.from(buckets), weights: Uint32Array.from(weights) };
}
