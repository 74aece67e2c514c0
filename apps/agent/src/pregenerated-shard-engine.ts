/**
 * A ShardEngine made of parts that exist without the native synthesis engine: during the
 * start lead the shard is synthesised in TypeScript into a pcap in the agent's work dir
 * (shard-trace-writer.ts), and at the start time it is replayed exactly by @memoco/txcore's
 * exact-replay engine (one global order, paced by pps or by the model's timing x speed).
 *
 * Limits, compared with native synthesis: the start is a JavaScript timer (a few ms of
 * skew between hosts, not the engine's TSC), the pcap takes disk in proportion to the run
 * (removed at the end), and synthesis must finish within the start lead.
 */
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { MemocoError, isMemocoError } from '@memoco/protocol';
import type { TxRun, TxRuntime } from '@memoco/txcore';
import type { ShardEngine, ShardResult, ShardRun, ShardSpec, ShardStats } from './shard-engine.ts';
import { modelSecondsFor, writeShardTrace } from './shard-trace-writer.ts';

/** Each of the replay's two trace buffers: shards of paced runs are small, and agents share a host. */
const REPLAY_BUFFER_MB = 8;

export class PregeneratedShardEngine implements ShardEngine {
  readonly name = 'pregenerated-replay';

  constructor(private readonly runtime: TxRuntime, private readonly workDir: string) {}

  async start(spec: ShardSpec): Promise<ShardRun> {
    mkdirSync(this.workDir, { recursive: true });
    const dir = mkdtempSync(join(this.workDir, `${spec.runId}-`));
    try {
      const file = join(dir, 'shard.pcap');
      const rows = concatRows(spec.coreRows);
      const packets = spec.rate.unit === 'pps' ? Math.round(spec.rate.value * spec.durationS) : Number.MAX_SAFE_INTEGER;
      const rowPackets = rows.reduce((sum, r) => sum + spec.model.model.tables.packets[r]!, 0);
      const modelDurationS = spec.rate.unit === 'pps' ? modelSecondsFor(spec.model.model, rowPackets, packets) : spec.durationS * spec.rate.value;
      const summary = await writeShardTrace(spec.model, file, { rows, seed: spec.seed, modelDurationS, maxPackets: packets, tag: spec.tag });
      // The replay paces from its first packet: with the model's timing, that packet is due
      // its own model time (scaled) after the common start, as on every other host.
      const firstDueUnixMs = spec.rate.unit === 'scale' && summary.packets > 0 ? spec.startAtUnixMs + summary.firstNs / 1e6 / spec.rate.value : spec.startAtUnixMs;
      return new PregeneratedShardRun(this.runtime, spec, file, summary.packets, firstDueUnixMs, () => rmSync(dir, { recursive: true, force: true }));
    } catch (error) {
      rmSync(dir, { recursive: true, force: true });
      if (isMemocoError(error)) throw error;
      throw new MemocoError('AGENT_ERR_ENGINE', `cannot synthesise the shard: ${(error as Error).message}`, { status: 500 }, { cause: error });
    }
  }
}

function concatRows(coreRows: Uint32Array[]): Uint32Array {
  const all = new Uint32Array(coreRows.reduce((n, r) => n + r.length, 0));
  let at = 0;
  for (const rows of coreRows) {
    all.set(rows, at);
    at += rows.length;
  }
  return all;
}

class PregeneratedShardRun implements ShardRun {
  private replay: TxRun | undefined;
  private readonly timer: NodeJS.Timeout;
  private stopped = false;
  private startedAt: number | null = null;
  private readonly result: Promise<ShardResult>;
  private settle!: (result: ShardResult) => void;

  constructor(
    private readonly runtime: TxRuntime,
    private readonly spec: ShardSpec,
    private readonly file: string,
    private readonly packets: number,
    firstDueUnixMs: number,
    private readonly cleanup: () => void,
  ) {
    this.result = new Promise((resolve) => (this.settle = resolve));
    this.timer = setTimeout(() => this.begin(), Math.max(0, firstDueUnixMs - Date.now()));
  }

  private begin(): void {
    if (this.stopped) return;
    if (this.packets === 0) return this.finish({ packets: 0, bytes: 0, outOfOrder: 0, sending: false, stopped: false, startedAtUnixMs: null });
    const { spec } = this;
    try {
      const pacing = spec.rate.unit === 'pps' ? { pps: spec.rate.value } : { speed: spec.rate.value };
      this.startedAt = this.spec.startAtUnixMs;
      this.replay = this.runtime.startReplay({ trace: this.file, port: spec.port, cores: Math.max(1, spec.coreRows.length), bufferMb: REPLAY_BUFFER_MB, ...pacing });
    } catch (error) {
      return this.finish({ packets: 0, bytes: 0, outOfOrder: 0, sending: false, stopped: false, startedAtUnixMs: null, failure: asEngineError(error) });
    }
    void this.replay.done().then(
      (r) => this.finish({
        packets: r.packets, bytes: r.bytes, outOfOrder: 0, sending: false, stopped: r.stopped || this.stopped, startedAtUnixMs: this.startedAt,
        figures: { late: r.late, latenessP50Us: r.lateness.p50Us, latenessP99Us: r.lateness.p99Us, latenessMaxUs: r.lateness.maxUs, seconds: r.seconds },
        ...(r.failure ? { failure: r.failure } : {}),
      }),
      (error) => this.finish({ packets: 0, bytes: 0, outOfOrder: 0, sending: false, stopped: false, startedAtUnixMs: this.startedAt, failure: asEngineError(error) }),
    );
  }

  private finish(result: ShardResult): void {
    this.cleanup();
    this.settle(result);
  }

  stats(): ShardStats {
    if (!this.replay) return { packets: 0, bytes: 0, outOfOrder: 0, sending: false };
    const s = this.replay.stats();
    return { packets: s.packets, bytes: s.bytes, outOfOrder: 0, sending: s.running };
  }

  stop(): void {
    if (this.stopped) return;
    this.stopped = true;
    if (this.replay) return this.replay.stop();
    clearTimeout(this.timer);
    this.finish({ packets: 0, bytes: 0, outOfOrder: 0, sending: false, stopped: true, startedAtUnixMs: null });
  }

  done(): Promise<ShardResult> {
    return this.result;
  }
}

function asEngineError(error: unknown): MemocoError {
  if (isMemocoError(error)) return error;
  return new MemocoError('AGENT_ERR_ENGINE', (error as Error).message ?? String(error), { status: 500 }, { cause: error });
}
