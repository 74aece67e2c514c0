import { MemocoError } from '@memoco/protocol';

export interface GenerateOptions {
  /** Seed of every random draw (uint32): the same model, seed and duration give the same packets. */
  seed: number;
  /** Seconds of traffic; undefined = the trained trace's own window. */
  durationS: number | undefined;
  /** Timestamps are divided by this (2 = twice as fast); written traces keep the scheduled times scaled. */
  speed: number;
  /** Append the 24-byte replay-check trailer (global and per-flow sequence numbers) to every frame. */
  tag: boolean;
  /** Bins per inference call. */
  chunkBins: number;
}

export const DEFAULT_GENERATE_OPTIONS: GenerateOptions = { seed: 1, durationS: undefined, speed: 1, tag: false, chunkBins: 2048 };

/** Longest generation accepted: 30 days (times stay exact integers of ns in float64). */
export const MAX_DURATION_S = 30 * 24 * 3600;

export function parseGenerateOptions(options: Partial<GenerateOptions> = {}): GenerateOptions {
  const merged: GenerateOptions = { ...DEFAULT_GENERATE_OPTIONS };
  for (const [key, value] of Object.entries(options)) if (value !== undefined) (merged as unknown as Record<string, unknown>)[key] = value;
  const bad = (message: string) => new MemocoError('FLOWMODEL_ERR_BAD_OPTIONS', message, { status: 400 });
  if (!Number.isInteger(merged.seed) || merged.seed < 0 || merged.seed > 0xffffffff) throw bad(`seed must be an integer 0..4294967295, got ${merged.seed}`);
  if (merged.durationS !== undefined && (!Number.isFinite(merged.durationS) || merged.durationS <= 0 || merged.durationS > MAX_DURATION_S)) {
    throw bad(`duration must be > 0 and at most ${MAX_DURATION_S} s, got ${merged.durationS}`);
  }
  if (!Number.isFinite(merged.speed) || merged.speed <= 0 || merged.speed > 1e6) throw bad(`speed must be > 0 and at most 1e6, got ${merged.speed}`);
  if (!Number.isInteger(merged.chunkBins) || merged.chunkBins < 1 || merged.chunkBins > 1 << 20) throw bad(`chunkBins must be an integer 1..${1 << 20}, got ${merged.chunkBins}`);
  return merged;
}
