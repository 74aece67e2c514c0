/**
 * The one seam between the agent and whatever sends its shard (style.md: one engine per
 * file behind one interface, like testpmd's forwarding modes). The agent hands an engine
 * the decoded shard (model rows per generation core), the port, the rate and the run's
 * common wall-clock start; the engine sends, and answers stats()/stop()/done().
 *
 * Engines: native-synthesis-engine.ts (the native model-synthesis engine of @memoco/txcore,
 * which maps the wall-clock start onto the TSC itself); engine-choice.ts picks it.
 */
import type { LoadedModel } from '@memoco/flow-model';
import type { MemocoError, RunRate } from '@memoco/protocol';

export interface ShardSpec {
  runId: string;
  model: LoadedModel;
  /** Model rows each generation core sends (the assignment's cores[].flows, decoded). */
  coreRows: Uint32Array[];
  /** DPDK port spec, run placeholders already replaced. */
  port: string;
  durationS: number;
  seed: number;
  /** pps: this host's packets per second; scale: the model's own timing times value. */
  rate: RunRate;
  /** Write the sequence trailer so a capture can be checked with verify-order --tags. */
  tag: boolean;
  /** The run's common start: the first packet is due at this wall-clock time. */
  startAtUnixMs: number;
}

export interface ShardStats {
  packets: number;
  bytes: number;
  /** Packets the engine knows left out of order (0 for engines that keep the order by construction). */
  outOfOrder: number;
  /** True once sending began and until it ended. */
  sending: boolean;
}

export interface ShardResult extends ShardStats {
  /** stop() ended it before its end. */
  stopped: boolean;
  /** Wall-clock time the first packet was due; null when nothing was sent. */
  startedAtUnixMs: number | null;
  /** The engine failed mid-run (what was counted above was sent). */
  failure?: MemocoError;
  /** The engine's own figures for the log (late packets, lateness percentiles). */
  figures?: Record<string, number>;
}

export interface ShardRun {
  stats(): ShardStats;
  /** Ends the run early (cancel, shutdown); done() still resolves with what was sent. */
  stop(): void;
  done(): Promise<ShardResult>;
}

export interface ShardEngine {
  readonly name: string;
  /** Prepares the shard and arms the start at spec.startAtUnixMs; rejects with a MemocoError. */
  start(spec: ShardSpec): Promise<ShardRun>;
}
