/**
 * The regeneration plan: everything a packet engine needs to expand a model into packets,
 * as plain typed arrays (issue 4; the native synthesis engine consumes this layout, see
 * docs/flow-models.md "RegenerationPlan" for the byte-exact contract).
 *
 * - `templates`: per model row and direction, the header template and the sampling tables
 *   (sizes, mid-flow TCP flags, intra-bin gaps) as cumulative uint32 weights;
 * - `instances`: the flows to send. Instance i < rowCount is model row i (a modelled flow;
 *   class rows have 0 packets and are never referenced); class member flows are appended by
 *   count chunks as they start (their template is their class's row);
 * - count chunks (`CountChunk`): per absolute bin, (instance, first packet index, count)
 *   entries, produced by the plan builder from ONNX inference.
 */
export interface PlanTemplates {
  count: number;
  ipVersion: Uint8Array;
  proto: Uint8Array;
  /** Template of row t, direction d: headerBytes[headerOffset[2t+d] .. headerOffset[2t+d+1]). */
  headerOffset: Uint32Array;
  headerBytes: Uint8Array;
  l3Offset: Uint16Array;
  l4Offset: Uint16Array;
  firstFlags: Uint8Array;
  lastFlags: Uint8Array;
  /** Size entries of (t, d): [sizeOffset[2t+d], sizeOffset[2t+d+1]); sizeCum is the running weight total within the list. */
  sizeOffset: Uint32Array;
  sizeLo: Uint16Array;
  sizeSpan: Uint16Array;
  sizeCum: Uint32Array;
  /** Mid-flow TCP flag values of (t, d) with running weights. */
  flagOffset: Uint32Array;
  flagValue: Uint8Array;
  flagCum: Uint32Array;
  /** Gap entries of row t (ns, already cut at the bin width): [gapOffset[t], gapOffset[t+1]). */
  gapOffset: Uint32Array;
  gapLo: Float64Array;
  gapSpan: Float64Array;
  gapCum: Uint32Array;
}

export interface PlanInstances {
  count: number;
  template: Uint32Array;
  /** 0 for a modelled flow; k >= 1 for the k-th member of a class (ports rewritten, see packet-synthesizer.ts). */
  variant: Uint32Array;
  /** Packets the instance sends per window cycle, and how many of them in the reverse direction. */
  packets: Float64Array;
  reverse: Float64Array;
  /** Exact first and last packet times of a modelled flow, ns from the window start; NaN for members. */
  startNs: Float64Array;
  endNs: Float64Array;
}

export interface RegenerationPlan {
  seed: number;
  binNs: number;
  windowBins: number;
  /** Bins to generate (the last may be partial). */
  totalBins: number;
  /** Generation ends before this time, ns after the start (the requested duration). */
  endNs: number;
  /** Absolute time of relative time 0 (the trained trace's first IP packet). */
  startSec: number;
  startNsec: number;
  templates: PlanTemplates;
  instances: PlanInstances;
}

export interface CountChunk {
  firstBin: number;
  binCount: number;
  /** Entries of absolute bin firstBin+i: [entryOffset[i], entryOffset[i+1]). */
  entryOffset: Uint32Array;
  instance: Uint32Array;
  /** Index, within the instance's current window cycle, of the first packet of the entry. */
  firstPacket: Uint32Array;
  count: Uint32Array;
  /** Instances first used by this chunk (class members), numbered on from the plan's count. */
  newInstances: PlanInstances;
}

export function emptyInstances(count: number): PlanInstances {
  return {
    count,
    template: new Uint32Array(count),
    variant: new Uint32Array(count),
    packets: new Float64Array(count),
    reverse: new Float64Array(count),
    startNs: new Float64Array(count),
    endNs: new Float64Array(count),
  };
}
