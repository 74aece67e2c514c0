/**
 * The rows of the model's flow table before they are fitted: modelled flows, then flow
 * classes, as one struct of typed arrays filled in row order (row-draft.ts, flow-classes.ts).
 * Everything that does not depend on the coefficient counts is already in the model's final
 * form here (the per-row facts, templates, size and flag distributions, gap and member-size
 * buckets), so the trainer builds it once whatever the number of fitting attempts, and the
 * time histograms are kept sparse in flat arrays for the fit (profile-fit.ts).
 *
 * One object with a fixed set of typed arrays instead of an object per row, per direction and
 * per distribution entry: finish() runs once per trace, over thousands of flows, so in a fresh
 * process most of its cost was V8 compiling and running code on small objects, and collecting
 * them (issue 4, train speed).
 */
import type { FlowModelTables } from '../model/flow-model.ts';
import type { HeaderTemplate } from './header-template.ts';
import type { FitRows } from './profile-fit.ts';

const MAX_U32 = 0xffffffff;

/** A count as the model stores it: uint32, saturating (the sampler only needs proportions); the value of Math.min(MAX_U32, Math.round(w)), NaN included. */
function storedWeight(w: number): number {
  return w >= MAX_U32 ? MAX_U32 : Math.round(w);
}

/**
 * Largest stored weight. row-draft.ts writes weights inline, as storedWeight() but without a
 * call per entry, and without Math.round for the whole counts below 2^31 they nearly always
 * are (w | 0 === w: the same number).
 */
export const MAX_STORED_WEIGHT = MAX_U32;

/** Table `a` with room for at least `length` entries (doubling). */
function room<T extends Uint8Array | Uint16Array | Uint32Array | Int32Array | Float64Array>(a: T, length: number): T {
  if (length <= a.length) return a;
  const next = new (a.constructor as new (n: number) => T)(Math.max(length, a.length * 2));
  next.set(a);
  return next;
}

/** A RowSet's data without its methods: what a pass that drafts the rows itself hands over (packet-pass.ts SettledPass.draftRows). */
export type RowSetFields = { [K in keyof RowSet as RowSet[K] extends (...args: never[]) => unknown ? never : K]: RowSet[K] };

export class RowSet {
  /** Rows filled so far (0 .. count-1). */
  count = 0;
  readonly kind: Uint8Array;
  readonly ipVersion: Uint8Array;
  readonly proto: Uint8Array;
  /** Exact bins (the fit uses them as they are; the model stores them as int32). */
  readonly startBin: Float64Array;
  readonly lastBin: Float64Array;
  readonly packets: Float64Array;
  readonly reverse: Float64Array;
  readonly startNs: Float64Array;
  readonly endNs: Float64Array;
  readonly members: Float64Array;
  readonly concurrency: Float32Array;
  /** Per direction (row * 2 + dir). */
  readonly templates: (HeaderTemplate | undefined)[];
  /** Template bytes per direction (0 without a template) and of all directions. */
  readonly headerLength: Int32Array;
  headerTotal = 0;
  readonly firstFlags: Uint8Array;
  readonly lastFlags: Uint8Array;
  readonly sizeOffset: Uint32Array;
  readonly flagOffset: Uint32Array;
  /** Per row. */
  readonly gapOffset: Uint32Array;
  readonly memberSizeOffset: Uint32Array;
  /** The row's time histogram: histogram bins keyAt[row] .. keyAt[row+1] of histKeys/histValues, 2^histShift bins each, histLength of them (last key + 1). */
  readonly keyAt: Uint32Array;
  readonly histShift: Int32Array;
  readonly histLength: Int32Array;
  /** Distribution entries (grown as rows are added) and their counts. */
  sizeLo = new Uint16Array(256);
  sizeSpan = new Uint16Array(256);
  sizeWeight = new Uint32Array(256);
  sizes = 0;
  flagValue = new Uint8Array(64);
  flagWeight = new Uint32Array(64);
  flags = 0;
  gapBucket = new Uint8Array(256);
  gapWeight = new Uint32Array(256);
  gaps = 0;
  memberSizeBucket = new Uint8Array(64);
  memberSizeWeight = new Uint32Array(64);
  memberSizes = 0;
  histKeys = new Int32Array(1024);
  histValues = new Float64Array(1024);
  keys = 0;

  constructor(readonly capacity: number) {
    this.kind = new Uint8Array(capacity);
    this.ipVersion = new Uint8Array(capacity);
    this.proto = new Uint8Array(capacity);
    this.startBin = new Float64Array(capacity);
    this.lastBin = new Float64Array(capacity);
    this.packets = new Float64Array(capacity);
    this.reverse = new Float64Array(capacity);
    this.startNs = new Float64Array(capacity);
    this.endNs = new Float64Array(capacity);
    this.members = new Float64Array(capacity);
    this.concurrency = new Float32Array(capacity);
    this.templates = new Array<HeaderTemplate | undefined>(capacity * 2).fill(undefined);
    this.headerLength = new Int32Array(capacity * 2);
    this.firstFlags = new Uint8Array(capacity * 2);
    this.lastFlags = new Uint8Array(capacity * 2);
    this.sizeOffset = new Uint32Array(capacity * 2 + 1);
    this.flagOffset = new Uint32Array(capacity * 2 + 1);
    this.gapOffset = new Uint32Array(capacity + 1);
    this.memberSizeOffset = new Uint32Array(capacity + 1);
    this.keyAt = new Uint32Array(capacity + 1);
    this.histShift = new Int32Array(capacity);
    this.histLength = new Int32Array(capacity);
  }

  /** A RowSet of `fields` as they are (every table already filled; capacity = count). */
  static adopt(fields: RowSetFields): RowSet {
    return Object.assign(Object.create(RowSet.prototype) as RowSet, fields);
  }

  /** Room for `extra` more size entries (written straight into sizeLo/sizeSpan/sizeWeight by row-draft.ts). */
  reserveSizes(extra: number): void {
    const length = this.sizes + extra;
    if (length <= this.sizeLo.length) return;
    this.sizeLo = room(this.sizeLo, length);
    this.sizeSpan = room(this.sizeSpan, length);
    this.sizeWeight = room(this.sizeWeight, length);
  }

  /** Room for `extra` more flag entries. */
  reserveFlags(extra: number): void {
    const length = this.flags + extra;
    if (length <= this.flagValue.length) return;
    this.flagValue = room(this.flagValue, length);
    this.flagWeight = room(this.flagWeight, length);
  }

  /** The header template of direction `slot` (row * 2 + dir). */
  setTemplate(slot: number, template: HeaderTemplate | undefined): void {
    this.templates[slot] = template;
    const length = template ? template.bytes.length : 0;
    this.headerLength[slot] = length;
    this.headerTotal += length;
  }

  /** Direction `slot` (row * 2 + dir) is complete: its entries end here. */
  endDirection(slot: number): void {
    this.sizeOffset[slot + 1] = this.sizes;
    this.flagOffset[slot + 1] = this.flags;
  }

  /** The row's gap buckets: values[at + b] for the bits b of `mask` (those that are positive), ascending. */
  setGaps(row: number, values: Float64Array, at: number, mask: number): void {
    if (this.gaps + 32 > this.gapBucket.length) {
      this.gapBucket = room(this.gapBucket, this.gaps + 32);
      this.gapWeight = room(this.gapWeight, this.gaps + 32);
    }
    const buckets = this.gapBucket;
    const weights = this.gapWeight;
    let n = this.gaps;
    for (let m = mask; m !== 0; m &= m - 1) {
      const b = 31 - Math.clz32(m & -m);
      const value = values[at + b]!;
      buckets[n] = b;
      weights[n++] = value >= MAX_U32 ? MAX_U32 : (value | 0) === value ? value : Math.round(value);
    }
    this.gaps = n;
    this.gapOffset[row + 1] = n;
  }

  /** The row's member sizes (classes; flows have none): the positive values of values[at .. at + length). */
  setMemberSizes(row: number, values: Float64Array, at: number, length: number): void {
    if (this.memberSizes + length > this.memberSizeBucket.length) {
      this.memberSizeBucket = room(this.memberSizeBucket, this.memberSizes + length);
      this.memberSizeWeight = room(this.memberSizeWeight, this.memberSizes + length);
    }
    let n = this.memberSizes;
    for (let b = 0; b < length; b++) {
      const value = values[at + b]!;
      if (value > 0) {
        this.memberSizeBucket[n] = b;
        this.memberSizeWeight[n++] = storedWeight(value);
      }
    }
    this.memberSizes = n;
    this.memberSizeOffset[row + 1] = n;
  }

  /** The row's time histogram from sparse keys (ascending) and their counts. */
  setHistogram(row: number, shift: number, keys: readonly number[], values: readonly number[]): void {
    const n = keys.length;
    this.reserveKeys(n);
    const at = this.keys;
    // TypedArray.prototype.set copies a plain array natively (this runs per flow, mostly interpreted).
    this.histKeys.set(keys, at);
    this.histValues.set(values, at);
    this.endHistogram(row, shift, n === 0 ? 0 : keys[n - 1]! + 1, at + n);
  }

  /** The row's time histogram from dense counts (zeros skipped). */
  setDenseHistogram(row: number, shift: number, counts: Float64Array): void {
    this.reserveKeys(counts.length);
    let n = this.keys;
    let length = 0;
    for (let k = 0; k < counts.length; k++) {
      if (counts[k]! > 0) {
        this.histKeys[n] = k;
        this.histValues[n++] = counts[k]!;
        length = k + 1;
      }
    }
    this.endHistogram(row, shift, length, n);
  }

  private reserveKeys(extra: number): void {
    if (this.keys + extra <= this.histKeys.length) return;
    this.histKeys = room(this.histKeys, this.keys + extra);
    this.histValues = room(this.histValues, this.keys + extra);
  }

  private endHistogram(row: number, shift: number, length: number, end: number): void {
    this.histShift[row] = shift;
    this.histLength[row] = length;
    this.keys = end;
    this.keyAt[row + 1] = end;
  }

  /**
   * The fit's rows: row i's histogram halved until it has at most counts[i] bins (lengths and
   * shifts, from histLength and histShift, are updated in place: the trainer's next attempt
   * starts from there), as dense counts per coefficient. Counts are whole numbers of packets,
   * so summing the bins straight to the coarser resolution gives exactly what halving them
   * pairwise did.
   */
  fitRows(lengths: Int32Array, shifts: Int32Array, counts: Int32Array): FitRows {
    const n = this.count;
    const binsPerCoef = new Int32Array(n);
    const coefBase = new Int32Array(n + 1);
    for (let i = 0; i < n; i++) {
      while (lengths[i]! > counts[i]!) {
        lengths[i] = Math.ceil(lengths[i]! / 2);
        shifts[i]!++;
      }
      binsPerCoef[i] = 2 ** shifts[i]!;
      coefBase[i + 1] = coefBase[i]! + lengths[i]!;
    }
    const dense = new Float64Array(coefBase[n]!);
    const { keyAt, histKeys, histValues, histShift } = this;
    for (let i = 0; i < n; i++) {
      const extra = shifts[i]! - histShift[i]!;
      const base = coefBase[i]!;
      for (let j = keyAt[i]!; j < keyAt[i + 1]!; j++) dense[base + (histKeys[j]! >> extra)]! += histValues[j]!;
    }
    return { startBin: this.startBin.subarray(0, n), lastBin: this.lastBin.subarray(0, n), binsPerCoef, coefBase, counts: dense };
  }

  /** The tables that do not depend on the coefficients (row count = this.count). */
  tables(): Omit<FlowModelTables, 'binsPerCoef' | 'coefBase' | 'coefCount' | 'coef' | 'profile'> {
    const n = this.count;
    return {
      kind: this.kind.slice(0, n),
      ipVersion: this.ipVersion.slice(0, n),
      proto: this.proto.slice(0, n),
      startBin: Int32Array.from(this.startBin.subarray(0, n)),
      lastBin: Int32Array.from(this.lastBin.subarray(0, n)),
      packets: this.packets.slice(0, n),
      reverse: this.reverse.slice(0, n),
      startNs: this.startNs.slice(0, n),
      endNs: this.endNs.slice(0, n),
      members: this.members.slice(0, n),
      concurrency: this.concurrency.slice(0, n),
      ...this.headerTables(),
      firstFlags: this.firstFlags.slice(0, 2 * n),
      lastFlags: this.lastFlags.slice(0, 2 * n),
      sizeOffset: this.sizeOffset.slice(0, 2 * n + 1),
      sizeLo: this.sizeLo.slice(0, this.sizes),
      sizeSpan: this.sizeSpan.slice(0, this.sizes),
      sizeWeight: this.sizeWeight.slice(0, this.sizes),
      flagOffset: this.flagOffset.slice(0, 2 * n + 1),
      flagValue: this.flagValue.slice(0, this.flags),
      flagWeight: this.flagWeight.slice(0, this.flags),
      gapOffset: this.gapOffset.slice(0, n + 1),
      gapBucket: this.gapBucket.slice(0, this.gaps),
      gapWeight: this.gapWeight.slice(0, this.gaps),
      memberSizeOffset: this.memberSizeOffset.slice(0, n + 1),
      memberSizeBucket: this.memberSizeBucket.slice(0, this.memberSizes),
      memberSizeWeight: this.memberSizeWeight.slice(0, this.memberSizes),
    };
  }

  private headerTables(): Pick<FlowModelTables, 'headerOffset' | 'headerBytes' | 'l3Offset' | 'l4Offset'> {
    const slots = this.count * 2;
    const headerOffset = new Uint32Array(slots + 1);
    const headerBytes = new Uint8Array(this.headerTotal);
    const l3Offset = new Uint16Array(slots);
    const l4Offset = new Uint16Array(slots);
    let h = 0;
    for (let s = 0; s < slots; s++) {
      const t = this.templates[s];
      if (t) {
        headerBytes.set(t.bytes, h);
        h += t.bytes.length;
        l3Offset[s] = t.l3Offset;
        l4Offset[s] = t.l4Offset;
      }
      headerOffset[s + 1] = h;
    }
    return { headerOffset, headerBytes, l3Offset, l4Offset };
  }
}
