import { MemocoError } from '@memoco/protocol';

export interface TrainOptions {
  /** Width of a time bin, ms (the unit of the model's time input and of its activity profile at full resolution). */
  binMs: number;
  /** Upper bound of the ONNX file's size, bytes, whatever the trace's length and flow count (issue 4). */
  maxModelBytes: number;
  /**
   * Weight of the first-difference penalty of each flow's fit, relative to the flow's mean
   * activity per coefficient (ridge-fit.ts). 0 disables smoothing.
   */
  ridge: number;
  /** Most piecewise-constant coefficients one flow may get (its time histogram's bins while training). */
  maxCoefsPerFlow: number;
  /**
   * Most coefficients per packet of a flow (a flow of n packets gets at most max(1, this * n)):
   * beyond a few per packet, coefficients mostly describe silence and the model would grow
   * past the trace itself on sparse traffic.
   */
  maxCoefsPerPacket: number;
  /** Exact packet sizes remembered per flow direction before sizes fall into 64-byte buckets. */
  sizeAtoms: number;
  /** Rounds of iterative proportional fitting between the flows and the activity profile. */
  profileRounds: number;
}

export const DEFAULT_TRAIN_OPTIONS: TrainOptions = {
  binMs: 10,
  maxModelBytes: 1024 * 1024,
  ridge: 0.02,
  maxCoefsPerFlow: 1024,
  maxCoefsPerPacket: 4,
  sizeAtoms: 12,
  profileRounds: 4,
};

/** Smallest budget accepted: the graph, metadata and a handful of rows. */
export const MIN_MODEL_BYTES = 16 * 1024;
/** Bins are at most 4294 ms so that an offset inside a bin fits 32 bits of ns (the PRNG draws 32-bit offsets). */
export const MAX_BIN_MS = 4294;
export const MIN_BIN_MS = 0.001;

export function parseTrainOptions(options: Partial<TrainOptions> = {}): TrainOptions {
  const merged: TrainOptions = { ...DEFAULT_TRAIN_OPTIONS };
  for (const [key, value] of Object.entries(options)) if (value !== undefined) (merged as unknown as Record<string, unknown>)[key] = value;
  const bad = (message: string) => new MemocoError('FLOWMODEL_ERR_BAD_OPTIONS', message, { status: 400 });
  if (!Number.isFinite(merged.binMs) || merged.binMs < MIN_BIN_MS || merged.binMs > MAX_BIN_MS) {
    throw bad(`binMs must be between ${MIN_BIN_MS} and ${MAX_BIN_MS} ms, got ${merged.binMs}`);
  }
  if (!Number.isInteger(merged.maxModelBytes) || merged.maxModelBytes < MIN_MODEL_BYTES) {
    throw bad(`maxModelBytes must be an integer >= ${MIN_MODEL_BYTES}, got ${merged.maxModelBytes}`);
  }
  if (!Number.isFinite(merged.ridge) || merged.ridge < 0 || merged.ridge > 100) throw bad(`ridge must be between 0 and 100, got ${merged.ridge}`);
  const isPowerOfTwo = (n: number) => Number.isInteger(n) && n >= 1 && (n & (n - 1)) === 0;
  if (!isPowerOfTwo(merged.maxCoefsPerFlow) || merged.maxCoefsPerFlow > 4096) {
    throw bad(`maxCoefsPerFlow must be a power of two between 1 and 4096, got ${merged.maxCoefsPerFlow}`);
  }
  if (!Number.isFinite(merged.maxCoefsPerPacket) || merged.maxCoefsPerPacket <= 0) throw bad(`maxCoefsPerPacket must be > 0, got ${merged.maxCoefsPerPacket}`);
  if (!Number.isInteger(merged.sizeAtoms) || merged.sizeAtoms < 0 || merged.sizeAtoms > 64) throw bad(`sizeAtoms must be an integer 0..64, got ${merged.sizeAtoms}`);
  if (!Number.isInteger(merged.profileRounds) || merged.profileRounds < 0 || merged.profileRounds > 50) {
    throw bad(`profileRounds must be an integer 0..50, got ${merged.profileRounds}`);
  }
  return merged;
}

/** The bin width in whole nanoseconds. */
export function binNsOf(options: TrainOptions): number {
  return Math.round(options.binMs * 1e6);
}
