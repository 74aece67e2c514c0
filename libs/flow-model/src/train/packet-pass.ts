/**
 * Where the trainer's per-packet statistics are gathered (issue 4: one pass over a streaming
 * trace, from running sufficient statistics). Two implementations with one result: the
 * TypeScript FlowAccumulator (the reference, and what runs without the native addon) and
 * native/txcore's TrainPass (the same records computed in C++, handed back as the typed
 * arrays below; native-train-pass.ts). FlowTrainer.finish() fits whichever it is given.
 */
import type { PacketBatch } from '@memoco/pcap';
import { ActivityProfile } from './activity-profile.ts';
import { FlowStatsTable } from './flow-stats.ts';
import type { HeaderTemplate } from './header-template.ts';
import type { RowSet } from './row-set.ts';
import type { SmallCounters } from './small-counter.ts';
import { TimeHistogram } from './time-histogram.ts';

export interface PacketPassConfig {
  binNs: number;
  /** A flow histogram's bins before it halves (TrainOptions.maxCoefsPerFlow). */
  maxBins: number;
  sizeAtoms: number;
  /** The activity profile's entries before it halves (model-budget.ts maxProfileEntries). */
  maxProfileEntries: number;
}

export interface PassTotals {
  /** First IP packet's time (NaN before it); the time origin of every bin. */
  startSec: number;
  startNsec: number;
  /** Latest packet, ns after the first. */
  lastNs: number;
  ipPackets: number;
  nonIpPackets: number;
  ipBytes: number;
}

/** The pass after its last packet: every run handed to the statistics. */
export interface SettledPass {
  stats: FlowStatsTable;
  profile: ActivityProfile;
  /** Flow ids, heaviest first (ties: lower id first). */
  flows: number[];
  totals: PassTotals;
  /**
   * Present when the pass drafts the model's rows itself (the native pass): what
   * FlowTrainer's own draft from `stats` gives for `avail` bytes, table for table (the
   * modelled flows and classes, their distributions and histograms). Call once, instead of
   * reading `stats`.
   */
  draftRows?(avail: number): RowSet;
}

export interface PacketPass {
  addBatch(batch: PacketBatch): void;
  /** Ends the pass; call once. */
  settle(): SettledPass;
  /** Drops the pass without settling it (training stopped): what it holds is released now rather than at garbage collection. */
  close?(): void;
}

export type PacketPassFactory = (config: PacketPassConfig) => PacketPass;

/** A SmallCounters pool as plain arrays. */
export interface CountersState {
  used: number;
  keys: Int32Array<ArrayBuffer>;
  counts: Float64Array<ArrayBuffer>;
  sizes: Uint8Array<ArrayBuffer>;
}

/**
 * A settled pass as typed arrays (what native TrainPass.settle() returns): FlowStatsTable's
 * arrays as they are, and the flows' histograms flattened (flow id's occupied bins are
 * histKeys/histValues[histOffset[id], histOffset[id + 1])).
 */
export interface PassState {
  flows: Uint32Array<ArrayBuffer>;
  capacity: number;
  flow: Float64Array<ArrayBuffer>;
  dir: Float64Array<ArrayBuffer>;
  gaps: Float64Array<ArrayBuffer>;
  seen: Uint8Array<ArrayBuffer>;
  ipVersion: Uint8Array<ArrayBuffer>;
  proto: Uint8Array<ArrayBuffer>;
  bucketsOf: Int32Array<ArrayBuffer>;
  flagsOf: Int32Array<ArrayBuffer>;
  sizeMin: Uint32Array<ArrayBuffer>;
  sizeMax: Uint32Array<ArrayBuffer>;
  atoms: CountersState;
  buckets: CountersState;
  flags: CountersState;
  histAnchor: Float64Array<ArrayBuffer>;
  histShift: Uint32Array<ArrayBuffer>;
  histOffset: Uint32Array<ArrayBuffer>;
  histKeys: Uint32Array<ArrayBuffer>;
  histValues: Float64Array<ArrayBuffer>;
  profile: { shift: number; width: number; counts: Float64Array<ArrayBuffer> };
  totals: PassTotals;
}

function restoreCounters(into: SmallCounters, from: CountersState): void {
  into.used = from.used;
  into.keys = from.keys;
  into.counts = from.counts;
  into.sizes = from.sizes;
}

/** The SettledPass of a PassState, with the templates the pass's wrapper captured (per slot). */
export function restoreSettledPass(state: PassState, config: PacketPassConfig, templates: (HeaderTemplate | undefined)[]): SettledPass {
  const stats = new FlowStatsTable(config.maxBins, config.sizeAtoms);
  stats.capacity = state.capacity;
  stats.flow = state.flow;
  stats.dir = state.dir;
  stats.gaps = state.gaps;
  stats.seen = state.seen;
  stats.ipVersion = state.ipVersion;
  stats.proto = state.proto;
  stats.bucketsOf = state.bucketsOf;
  stats.flagsOf = state.flagsOf;
  stats.sizeMin = state.sizeMin;
  stats.sizeMax = state.sizeMax;
  restoreCounters(stats.atoms, state.atoms);
  restoreCounters(stats.buckets, state.buckets);
  restoreCounters(stats.flags, state.flags);
  stats.templates = templates;
  const histograms: TimeHistogram[] = [];
  for (let id = 0; id < state.capacity; id++) {
    if (state.seen[id] === 0) continue;
    histograms[id] = TimeHistogram.fromSparse(state.histAnchor[id]!, config.maxBins, state.histShift[id]!, state.histKeys, state.histValues, state.histOffset[id]!, state.histOffset[id + 1]!);
  }
  stats.histograms = histograms;
  return { stats, profile: restoreProfile(state.profile, config), flows: Array.from(state.flows), totals: state.totals };
}

/** The activity profile of a PassState's `profile`. */
export function restoreProfile(from: PassState['profile'], config: PacketPassConfig): ActivityProfile {
  const profile = new ActivityProfile(config.maxProfileEntries);
  profile.shift = from.shift;
  profile.width = from.width;
  profile.counts = from.counts;
  return profile;
}
