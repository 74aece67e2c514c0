/**
 * A trained flow model as plain typed arrays: what the trainer produces, what the ONNX file
 * holds (the count graph's tables as its inputs, everything else as extra initializers), and
 * what the regenerator reads. See docs/flow-models.md for the meaning of every table.
 *
 * Rows are the model's flow table: first the individually modelled flows, heaviest first,
 * then the flow classes (groups of light flows that regenerate as distinct member flows).
 * Per-direction tables are indexed by `row * 2 + direction` (0 = the flow's first-seen
 * direction, 1 = the reverse).
 */
export const FLOW_MODEL_FORMAT = 'memoco.flow-model/1';

export const ROW_KIND = { flow: 0, class: 1 } as const;
export type RowKind = (typeof ROW_KIND)[keyof typeof ROW_KIND];

export interface FlowModelInfo {
  /** Width of a time bin, ns (the `bin` input's unit). */
  binNs: number;
  /** Bins in the trained window; the graph wraps `bin` modulo this (docs: continuation). */
  windowBins: number;
  /** The activity profile holds one value per 2^profileShift bins. */
  profileShift: number;
  /** Absolute time of bin 0's start (the trace's first IP packet). */
  startSec: number;
  startNsec: number;
  /** The trained trace: IP packets, non-IP packets, bidirectional flows, wire bytes of IP packets, first-to-last IP packet, ns. */
  tracePackets: number;
  traceNonIpPackets: number;
  traceFlows: number;
  traceBytes: number;
  traceDurationNs: number;
  modelledFlows: number;
  classes: number;
  /** Ridge weight of the first-difference penalty used in the fit (relative, see ridge-fit.ts). */
  ridge: number;
}

export interface FlowModelTables {
  kind: Uint8Array;
  ipVersion: Uint8Array;
  proto: Uint8Array;
  /** Bins [startBin, lastBin] of the window in which the row sends. */
  startBin: Int32Array;
  lastBin: Int32Array;
  /** Each coefficient of the row covers binsPerCoef bins, from startBin on. */
  binsPerCoef: Int32Array;
  coefBase: Int32Array;
  coefCount: Int32Array;
  /** Packets per window (a class: of all its members), reverse-direction packets among them. */
  packets: Float64Array;
  reverse: Float64Array;
  /** First and last packet of a modelled flow, ns after bin 0's start; NaN for classes. */
  startNs: Float64Array;
  endNs: Float64Array;
  /** Member flows of a class (1 for a flow) and how many were active at once on average. */
  members: Float64Array;
  concurrency: Float32Array;
  /** Per-flow piecewise-constant coefficients (packets per unit of activity profile). */
  coef: Float32Array;
  /** Activity profile r: the fine-grained aggregate rate shape (one value per 2^profileShift bins). */
  profile: Float32Array;

  /** Header template of row*2+dir: bytes [headerOffset[i], headerOffset[i+1]) (Ethernet .. L4 header; empty when the direction was never seen). */
  headerOffset: Uint32Array;
  headerBytes: Uint8Array;
  l3Offset: Uint16Array;
  l4Offset: Uint16Array;
  /** TCP flags of the first and last packet seen in each direction. */
  firstFlags: Uint8Array;
  lastFlags: Uint8Array;
  /** Wire-size distribution of row*2+dir: entries [sizeOffset[i], sizeOffset[i+1]) of sizes lo .. lo+span-1 with a weight. */
  sizeOffset: Uint32Array;
  sizeLo: Uint16Array;
  sizeSpan: Uint16Array;
  sizeWeight: Uint32Array;
  /** TCP flags seen between the first and last packet of each direction, with weights. */
  flagOffset: Uint32Array;
  flagValue: Uint8Array;
  flagWeight: Uint32Array;
  /** Intra-flow gap distribution of a row (log2 buckets, see gap-buckets.ts). */
  gapOffset: Uint32Array;
  gapBucket: Uint8Array;
  gapWeight: Uint32Array;
  /** Member flow sizes of a class (log2 packet-count buckets); empty for flows. */
  memberSizeOffset: Uint32Array;
  memberSizeBucket: Uint8Array;
  memberSizeWeight: Uint32Array;
}

export interface FlowModel {
  info: FlowModelInfo;
  tables: FlowModelTables;
}

export function rowCount(model: FlowModel): number {
  return model.tables.kind.length;
}

/** Predicted packets per window of every row, for planners that split rows among hosts and cores. */
export function predictedRowPackets(model: FlowModel): Float64Array {
  return model.tables.packets.slice();
}
