import type { MemocoError } from '@memoco/protocol';
import { latenessSummary, type LatenessSummary } from './lateness-summary.ts';
import type { NativeResult, NativeRun, NativeSnapshot } from './native-binding.ts';
import { failureToError } from './native-failure.ts';
import type { ReplayOptions } from './replay-options.ts';
import { watchRun, type RunWatchOptions } from './run-watch.ts';
import type { SynthesisOptions } from './synthesis-options.ts';

export interface CoreStats {
  core: number;
  /** Packets handed to the port that this core built. */
  packets: number;
  bytes: number;
  late: number;
  /** Packets built (committed into the sequence ring, or sent at once: directBlocks). */
  built: number;
  /** Blocks (ring commits and direct sends); built / blocks is the mean block size. */
  blocks: number;
  /** Blocks that waited for room in the sequence ring. */
  ringStalls: number;
  poolStalls: number;
  /** Of the blocks, those one core at topspeed handed to the port without the ring (docs/txcore.md). */
  directBlocks: number;
}

/** A snapshot read while the lcores run (they are never stopped for it). */
export interface ReplayStats {
  packets: number;
  bytes: number;
  late: number;
  /** First to last packet handed to the port. */
  seconds: number;
  pps: number;
  gbps: number;
  lateness: LatenessSummary;
  perCore: CoreStats[];
  running: boolean;
  /** The engine's own figures (exact replay: bufferWaits, flows with --tag). */
  figures: Record<string, number>;
}

export interface ReplayResult extends ReplayStats {
  /** Stopped by stop() (Ctrl-C) before the end. */
  stopped: boolean;
  /** The trace failed mid-way (corrupt, truncated): everything counted above was sent. */
  failure?: MemocoError;
  /** This process's peak RSS so far, MB. */
  peakRssMb: number;
  /** mbufs not returned to the (reused) pools after the run: 0 unless something leaks. */
  mbufsOutstanding: number;
}

export function summarise(snapshot: NativeSnapshot): ReplayStats {
  const perCore = snapshot.cores.map((c) => ({ ...c }));
  const sum = (key: 'packets' | 'bytes' | 'late') => perCore.reduce((s, c) => s + c[key], 0);
  const packets = sum('packets');
  const bytes = sum('bytes');
  const seconds = snapshot.seconds;
  return {
    packets,
    bytes,
    late: sum('late'),
    seconds,
    pps: seconds > 0 ? Math.round(packets / seconds) : 0,
    gbps: seconds > 0 ? Math.round((bytes * 8) / seconds / 1e6) / 1e3 : 0,
    lateness: latenessSummary(snapshot.lateness, snapshot.latenessMaxNs),
    perCore,
    running: snapshot.running,
    figures: snapshot.figures,
  };
}

export type WatchOptions = RunWatchOptions<ReplayStats>;

/** A running replay or model synthesis: poll stats(), stop() it, await done(). */
export class TxRun {
  private readonly result: Promise<ReplayResult>;

  constructor(private readonly native: NativeRun, readonly options: ReplayOptions | SynthesisOptions) {
    this.result = native.done().then((r) => this.toResult(r));
  }

  stats(): ReplayStats {
    return summarise(this.native.stats());
  }

  /** Asks every lcore to stop after its current block; done() then resolves. */
  stop(): void {
    this.native.stop();
  }

  done(): Promise<ReplayResult> {
    return this.result;
  }

  /** done(), with progress callbacks and an abort signal wired to stop(). */
  watch(options: WatchOptions = {}): Promise<ReplayResult> {
    return watchRun(this, this.result, options);
  }

  private toResult(native: NativeResult): ReplayResult {
    const stats = summarise(native);
    const result: ReplayResult = {
      ...stats,
      stopped: native.stopped,
      peakRssMb: Math.round(process.resourceUsage().maxRSS / 102.4) / 10,
      mbufsOutstanding: native.mbufsOutstanding ?? 0,
    };
    const source = 'trace' in this.options ? { file: this.options.trace } : { modelId: this.options.model.modelId };
    if (native.failure) result.failure = failureToError(native.failure, { ...source, sentPackets: stats.packets });
    return result;
  }
}
