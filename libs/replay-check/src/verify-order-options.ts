import { MemocoError } from '@memoco/protocol';
import type { TraceSource } from '@memoco/pcap';

export interface VerifyOrderOptions {
  /** The trace that was replayed: its packets, in its order, are what the capture must hold. */
  against?: TraceSource;
  /** Read the sequence trailer `memoco replay --tag` wrote into every packet instead. */
  tags?: boolean;
  /** With tags: how many packets the replay sent (default: the highest tag + 1). */
  expectedCount?: number;
  /** Examples of each kind of problem to report (default 5). */
  exampleLimit?: number;
  /** Called after each batch read: which input, and packets read from it so far. */
  onProgress?: (phase: 'trace' | 'capture', packets: number) => void;
}

export const DEFAULT_VERIFY_ORDER_OPTIONS = {
  exampleLimit: 5,
} as const satisfies VerifyOrderOptions;

export const MAX_EXAMPLES = 1000;

export type ParsedVerifyOrderOptions =
  | { mode: 'against'; against: TraceSource; exampleLimit: number; onProgress?: VerifyOrderOptions['onProgress'] }
  | { mode: 'tags'; expectedCount?: number; exampleLimit: number; onProgress?: VerifyOrderOptions['onProgress'] };

/** Fills defaults and rejects contradictions: exactly one reference (a trace or the tags). */
export function parseVerifyOrderOptions(options: VerifyOrderOptions): ParsedVerifyOrderOptions {
  const bad = (message: string) => new MemocoError('VERIFY_ERR_BAD_OPTIONS', message);
  const hasTrace = options.against !== undefined;
  if (hasTrace === Boolean(options.tags)) throw bad('give exactly one of --against <trace> and --tags');
  const exampleLimit = options.exampleLimit ?? DEFAULT_VERIFY_ORDER_OPTIONS.exampleLimit;
  if (!Number.isInteger(exampleLimit) || exampleLimit < 0 || exampleLimit > MAX_EXAMPLES) {
    throw bad(`examples must be an integer from 0 to ${MAX_EXAMPLES}, got ${exampleLimit}`);
  }
  if (options.expectedCount !== undefined) {
    if (hasTrace) throw bad('--expected applies to --tags only (with --against the trace gives the count)');
    if (!Number.isSafeInteger(options.expectedCount) || options.expectedCount < 0) {
      throw bad(`--expected must be a whole number of packets >= 0, got ${options.expectedCount}`);
    }
  }
  const common = { exampleLimit, onProgress: options.onProgress };
  return hasTrace ? { mode: 'against', against: options.against!, ...common } : { mode: 'tags', expectedCount: options.expectedCount, ...common };
}
