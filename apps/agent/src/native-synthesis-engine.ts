/**
 * The ShardEngine of production: @memoco/txcore's native model-synthesis engine
 * (docs/txcore.md "Model synthesis"). The host's rows go in as `coreRows` (each flow on one
 * core), the engine regenerates them from the same plan and seed as every other host, maps
 * the run's wall-clock start onto the TSC and sends in one global order; ONNX inference
 * runs in this process, prefilled during the start lead.
 *
 * Rates: `scale` is the model's own timing (durationS x value of model time, sent in
 * durationS); `pps` paces this host's packets at value per second from the start: the n-th
 * is due at n / value, so the run is exactly the ceil(value x durationS) packets due before
 * its end. The engine is given enough model time for them and ends after the last (its
 * packet limit, counted natively, so a late timer cannot add any); a host that cannot keep
 * the rate is stopped a second after the run's wall-clock end.
 */
import { MemocoError, isMemocoError } from '@memoco/protocol';
import type { ReplayResult, TxRun, TxRuntime } from '@memoco/txcore';
import type { ShardEngine, ShardResult, ShardRun, ShardSpec, ShardStats } from './shard-engine.ts';
import { modelSecondsFor } from './model-duration.ts';

export class NativeSynthesisEngine implements ShardEngine {
  readonly name = 'native-synthesis';

  constructor(private readonly runtime: TxRuntime) {}

  async start(spec: ShardSpec): Promise<ShardRun> {
    const { rate } = spec;
    const rows = spec.coreRows.reduce((n, r) => n + r.reduce((s, row) => s + spec.model.model.tables.packets[row]!, 0), 0);
    const ppsPackets = rate.unit === 'pps' ? ppsRunPackets(rate.value, spec.durationS) : undefined;
    const durationS = ppsPackets === undefined ? spec.durationS * rate.value : modelSecondsFor(spec.model.model, rows, ppsPackets);
    let run: TxRun;
    try {
      run = await this.runtime.startSynthesis({
        model: spec.model,
        coreRows: spec.coreRows,
        port: spec.port,
        cores: spec.coreRows.length,
        durationS,
        seed: spec.seed,
        ...(rate.unit === 'pps' ? { pps: rate.value } : { speed: rate.value }),
        tag: spec.tag,
        startAtUnixMs: spec.startAtUnixMs,
        ...(ppsPackets === undefined ? {} : { maxPackets: ppsPackets }),
      });
    } catch (error) {
      throw asEngineError(error);
    }
    return new NativeShardRun(run, spec);
  }
}

class NativeShardRun implements ShardRun {
  private stopped = false;
  private readonly endTimer: NodeJS.Timeout | undefined;
  private readonly result: Promise<ShardResult>;

  constructor(private readonly run: TxRun, private readonly spec: ShardSpec) {
    // A pps run ends at its packet limit; this is for a host that cannot keep the rate.
    const endMs = spec.startAtUnixMs + spec.durationS * 1000 + PPS_OVERRUN_MS;
    this.endTimer = spec.rate.unit === 'pps' ? setTimeout(() => run.stop(), Math.max(0, endMs - Date.now())) : undefined;
    this.result = run.done().then(
      (r) => this.toResult(r),
      (error) => ({ packets: 0, bytes: 0, outOfOrder: 0, sending: false, stopped: this.stopped, startedAtUnixMs: null, failure: asEngineError(error) }),
    );
  }

  private toResult(r: ReplayResult): ShardResult {
    clearTimeout(this.endTimer);
    const lateNs = r.figures.startLateNs ?? 0;
    return {
      packets: r.packets,
      bytes: r.bytes,
      outOfOrder: 0,
      sending: false,
      // Ended at a pps run's limit, or by the overrun timer, is its normal end; only stop() is a stop.
      stopped: this.stopped,
      startedAtUnixMs: r.packets > 0 ? this.spec.startAtUnixMs + Math.round(lateNs / 1e6) : null,
      figures: { late: r.late, latenessP50Us: r.lateness.p50Us, latenessP99Us: r.lateness.p99Us, latenessMaxUs: r.lateness.maxUs, startLateUs: lateNs / 1000, seconds: r.seconds },
      ...(r.failure ? { failure: r.failure } : {}),
    };
  }

  stats(): ShardStats {
    const s = this.run.stats();
    return { packets: s.packets, bytes: s.bytes, outOfOrder: 0, sending: s.running && Date.now() >= this.spec.startAtUnixMs };
  }

  stop(): void {
    this.stopped = true;
    this.run.stop();
  }

  done(): Promise<ShardResult> {
    return this.result;
  }
}

/** How long past its end a pps run that fell behind may go on sending. */
const PPS_OVERRUN_MS = 1000;

/** The packets of a pps run: those due before its end (the n-th at n / pps). */
export function ppsRunPackets(pps: number, durationS: number): number {
  return Math.max(1, Math.ceil(pps * durationS - 1e-9));
}

function asEngineError(error: unknown): MemocoError {
  if (isMemocoError(error)) return error;
  return new MemocoError('AGENT_ERR_ENGINE', (error as Error).message ?? String(error), { status: 500 }, { cause: error });
}
