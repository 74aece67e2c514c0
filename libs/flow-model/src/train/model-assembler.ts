/**
 * Packs fitted rows into the model's typed-array tables (flow-model.ts). Weights are stored
 * as uint32; counts beyond 2^32-1 saturate (the sampler only needs proportions). Sizes are
 * counted first so every table is allocated once.
 */
import type { FlowModel, FlowModelInfo, FlowModelTables } from '../model/flow-model.ts';
import { GAP_BUCKETS } from '../model/log2-buckets.ts';
import type { RowDraft } from './row-draft.ts';

const MAX_U32 = 0xffffffff;

function weight(w: number): number {
  return Math.min(MAX_U32, Math.round(w));
}

/** Sparse (bucket, weight) lists of one dense range per row: values[at .. at + length). */
function sparseBuckets(rows: readonly RowDraft[], pick: (r: RowDraft) => { values: Float64Array; at: number; length: number } | undefined): { offsets: Uint32Array; buckets: Uint8Array; weights: Uint32Array } {
  let total = 0;
  for (const r of rows) {
    const range = pick(r);
    if (range) for (let b = 0; b < range.length; b++) if (range.values[range.at + b]! > 0) total++;
  }
  const offsets = new Uint32Array(rows.length + 1);
  const buckets = new Uint8Array(total);
  const weights = new Uint32Array(total);
  let at = 0;
  for (let i = 0; i < rows.length; i++) {
    const range = pick(rows[i]!);
    if (range) {
      for (let b = 0; b < range.length; b++) {
        const value = range.values[range.at + b]!;
        if (value > 0) {
          buckets[at] = b;
          weights[at++] = weight(value);
        }
      }
    }
    offsets[i + 1] = at;
  }
  return { offsets, buckets, weights };
}

function perRowTables(rows: readonly RowDraft[], coefs: readonly Float64Array[]) {
  const n = rows.length;
  const t = {
    kind: new Uint8Array(n),
    ipVersion: new Uint8Array(n),
    proto: new Uint8Array(n),
    startBin: new Int32Array(n),
    lastBin: new Int32Array(n),
    binsPerCoef: new Int32Array(n),
    coefBase: new Int32Array(n),
    coefCount: new Int32Array(n),
    packets: new Float64Array(n),
    reverse: new Float64Array(n),
    startNs: new Float64Array(n),
    endNs: new Float64Array(n),
    members: new Float64Array(n),
    concurrency: new Float32Array(n),
  };
  let base = 0;
  for (let i = 0; i < n; i++) {
    const r = rows[i]!;
    t.kind[i] = r.kind;
    t.ipVersion[i] = r.ipVersion;
    t.proto[i] = r.proto;
    t.startBin[i] = r.startBin;
    t.lastBin[i] = r.lastBin;
    t.binsPerCoef[i] = r.histogram.width;
    t.coefBase[i] = base;
    t.coefCount[i] = coefs[i]!.length;
    base += coefs[i]!.length;
    t.packets[i] = r.packets;
    t.reverse[i] = r.reverse;
    t.startNs[i] = r.startNs;
    t.endNs[i] = r.endNs;
    t.members[i] = r.members;
    t.concurrency[i] = r.concurrency;
  }
  const coef = new Float32Array(base);
  for (let i = 0; i < n; i++) coef.set(coefs[i]!, t.coefBase[i]);
  return { ...t, coef };
}

function perDirectionTables(rows: readonly RowDraft[]) {
  const slots = rows.length * 2;
  let headerTotal = 0;
  let sizeTotal = 0;
  let flagTotal = 0;
  for (const r of rows) {
    for (const d of r.dirs) {
      headerTotal += d.template?.bytes.length ?? 0;
      sizeTotal += d.sizes.length;
      flagTotal += d.flags.length;
    }
  }
  const t = {
    headerOffset: new Uint32Array(slots + 1),
    headerBytes: new Uint8Array(headerTotal),
    l3Offset: new Uint16Array(slots),
    l4Offset: new Uint16Array(slots),
    firstFlags: new Uint8Array(slots),
    lastFlags: new Uint8Array(slots),
    sizeOffset: new Uint32Array(slots + 1),
    sizeLo: new Uint16Array(sizeTotal),
    sizeSpan: new Uint16Array(sizeTotal),
    sizeWeight: new Uint32Array(sizeTotal),
    flagOffset: new Uint32Array(slots + 1),
    flagValue: new Uint8Array(flagTotal),
    flagWeight: new Uint32Array(flagTotal),
  };
  let h = 0;
  let s = 0;
  let f = 0;
  for (let i = 0; i < rows.length; i++) {
    for (let d = 0; d < 2; d++) {
      const dir = rows[i]!.dirs[d]!;
      const slot = 2 * i + d;
      if (dir.template) {
        t.headerBytes.set(dir.template.bytes, h);
        h += dir.template.bytes.length;
        t.l3Offset[slot] = dir.template.l3Offset;
        t.l4Offset[slot] = dir.template.l4Offset;
      }
      t.headerOffset[slot + 1] = h;
      t.firstFlags[slot] = dir.firstFlags;
      t.lastFlags[slot] = dir.lastFlags;
      for (const e of dir.sizes) {
        t.sizeLo[s] = e.lo;
        t.sizeSpan[s] = e.span;
        t.sizeWeight[s++] = weight(e.weight);
      }
      t.sizeOffset[slot + 1] = s;
      for (const e of dir.flags) {
        t.flagValue[f] = e.value;
        t.flagWeight[f++] = weight(e.weight);
      }
      t.flagOffset[slot + 1] = f;
    }
  }
  return t;
}

export function assembleModel(info: FlowModelInfo, rows: readonly RowDraft[], coefs: readonly Float64Array[], profile: Float64Array): FlowModel {
  const gaps = sparseBuckets(rows, (r) => ({ values: r.gaps, at: r.gapsAt, length: GAP_BUCKETS }));
  const memberSizes = sparseBuckets(rows, (r) => (r.memberSizes ? { values: r.memberSizes, at: 0, length: r.memberSizes.length } : undefined));
  const tables: FlowModelTables = {
    ...perRowTables(rows, coefs),
    profile: Float32Array.from(profile),
    ...perDirectionTables(rows),
    gapOffset: gaps.offsets,
    gapBucket: gaps.buckets,
    gapWeight: gaps.weights,
    memberSizeOffset: memberSizes.offsets,
    memberSizeBucket: memberSizes.buckets,
    memberSizeWeight: memberSizes.weights,
  };
  return { info, tables };
}
