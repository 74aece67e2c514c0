import type { MemocoError } from '@memoco/protocol';
import { latenessSummary, type LatenessSummary } from './lateness-summary.ts';
import type { NativeResult, NativeRun, NativeSnapshot } from './native-binding.ts';
import { failureToError } from './native-failure.ts';
import { watchRun, type RunWatchOptions } from './run-watch.ts';
import type { TsReplayOptions } from './ts-replay-options.ts';

/** One TX thread: `tx` threads pop the normal queue, `ooo` threads the out-of-order one. */
export interface TsThreadStats {
  thread: number;
  role: 'tx' | 'ooo';
  /** Frames handed to the port (a record over 1472 B is several IPv4 fragments). */
  packets: number;
  bytes: number;
  late: number;
  ringStalls: number;
  poolStalls: number;
}

/** Per flow, with `perFlow`: its tuple, its devices, what was sent and dropped on it. */
export interface TsFlowStats {
  flow: number;
  src: string;
  dst: string;
  devices: string[];
  sent: number;
  dropped: number;
}

/** A snapshot read while the threads run (they are never stopped for it). */
export interface TsReplayStats {
  /** Records read and queued so far (at the end: the archive's, up to a bad record). */
  records: number;
  /** Records handed to the port. */
  sent: number;
  /** Records dropped as time violations (outside the drift window). */
  dropped: number;
  /** Records chosen for the out-of-order path (sent or dropped through it). */
  outOfOrder: number;
  packets: number;
  bytes: number;
  /** First to last frame handed to the port. */
  seconds: number;
  /** Sent records per second over `seconds`. */
  pps: number;
  /** Send time minus due time of every frame sent (paced runs). */
  lateness: LatenessSummary;
  late: number;
  perThread: TsThreadStats[];
  running: boolean;
  /** The engine's own counters (ts-replay-engine.cc figures()). */
  figures: Record<string, number>;
}

export interface TsReplayResult extends TsReplayStats {
  stopped: boolean;
  /** The archive failed mid-way (a bad record): everything counted above was sent. */
  failure?: MemocoError;
  /** With `perFlow`. */
  perFlow?: TsFlowStats[];
  peakRssMb: number;
  mbufsOutstanding: number;
}

const REASONS: Readonly<Record<string, string>> = { ARCHIVE_BAD_LENGTH: 'BAD_LENGTH', ARCHIVE_BAD_BCD: 'BAD_BCD', ARCHIVE_BAD_DATE: 'BAD_DATE' };

export function summariseTs(snapshot: NativeSnapshot, tx: number): TsReplayStats {
  const f = snapshot.figures;
  const perThread = snapshot.cores.map((c) => ({
    thread: c.core, role: c.core < tx ? 'tx' : 'ooo', packets: c.packets, bytes: c.bytes, late: c.late, ringStalls: c.ringStalls, poolStalls: c.poolStalls,
  }) as TsThreadStats);
  const sum = (key: 'packets' | 'bytes' | 'late') => perThread.reduce((s, c) => s + c[key], 0);
  const sent = f.sent ?? 0;
  return {
    records: f.records ?? 0,
    sent,
    dropped: f.dropped ?? 0,
    outOfOrder: f.outOfOrder ?? 0,
    packets: sum('packets'),
    bytes: sum('bytes'),
    seconds: snapshot.seconds,
    pps: snapshot.seconds > 0 ? Math.round(sent / snapshot.seconds) : 0,
    lateness: latenessSummary(snapshot.lateness, snapshot.latenessMaxNs),
    late: sum('late'),
    perThread,
    running: snapshot.running,
    figures: f,
  };
}

export type TsWatchOptions = RunWatchOptions<TsReplayStats>;

/** A running time-series replay: poll stats(), stop() it, await done(). */
export class TsReplayRun {
  private readonly result: Promise<TsReplayResult>;

  constructor(private readonly native: NativeRun, readonly options: TsReplayOptions) {
    this.result = native.done().then((r) => this.toResult(r));
  }

  stats(): TsReplayStats {
    return summariseTs(this.native.stats(), this.options.tx);
  }

  /** Asks every thread to stop; done() then resolves with what was sent. */
  stop(): void {
    this.native.stop();
  }

  done(): Promise<TsReplayResult> {
    return this.result;
  }

  /** done(), with progress callbacks and an abort signal wired to stop(). */
  watch(options: TsWatchOptions = {}): Promise<TsReplayResult> {
    return watchRun(this, this.result, options);
  }

  private toResult(native: NativeResult): TsReplayResult {
    const stats = summariseTs(native, this.options.tx);
    const result: TsReplayResult = {
      ...stats,
      stopped: native.stopped,
      peakRssMb: Math.round(process.resourceUsage().maxRSS / 102.4) / 10,
      mbufsOutstanding: native.mbufsOutstanding ?? 0,
    };
    if (native.detail) result.perFlow = (JSON.parse(native.detail) as { flows: TsFlowStats[] }).flows;
    if (native.failure) {
      const reason = REASONS[native.failure.stage];
      result.failure = failureToError(native.failure, { file: this.options.archive, sentRecords: stats.sent, ...(reason ? { reason } : {}) });
    }
    return result;
  }
}
