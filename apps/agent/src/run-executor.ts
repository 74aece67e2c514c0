/**
 * One assignment from arrival to result (issue 6, docs/fleet.md "How a run goes", step 5):
 * check that it fits this host, fetch and verify the model, decode the shard, report
 * `accepted`, arm the engine at the common start, report progress every interval, and
 * send the result until JetStream acks it. A cancel or a shutdown stops the engine; what
 * was sent is still reported. Every failure becomes a failed result with its code.
 */
import { MemocoError, isMemocoError, type ErrorInfo, type ProgressState, type ResultStatus, type RunAssignment, type RunHostResult } from '@memoco/protocol';
import type { AgentGateway } from './agent-gateway.ts';
import { decodeCoreRows, fetchVerifiedModel } from './model-verifier.ts';
import { sendResultUntilAcked } from './result-sender.ts';
import type { EngineSlot } from './engine-slot.ts';
import type { ShardEngine, ShardResult, ShardRun } from './shard-engine.ts';

export interface RunExecutorSettings {
  host: string;
  ports: string[];
  cores: number;
  tag: boolean;
  progressIntervalMs: number;
  lateStartToleranceMs: number;
  shutdownResultRetryMs: number;
}

export interface RunExecutorDeps {
  gateway: AgentGateway;
  engine: ShardEngine;
  settings: RunExecutorSettings;
  /** One run at a time on the engine: held from engine start to the end of sending. */
  slot: EngineSlot;
  log: (message: string) => void;
}

/** Replaces `{runId}` and `{host}` in a port spec (a net_pcap sink gets a file per run). */
export function portForRun(spec: string, runId: string, host: string): string {
  return spec.replaceAll('{runId}', runId).replaceAll('{host}', host);
}

export class RunExecutor {
  private run: ShardRun | undefined;
  private stopReason: 'cancel' | 'shutdown' | undefined;
  private state: ProgressState = 'accepted';
  private progressTimer: NodeJS.Timeout | undefined;
  private shutdownAt: number | undefined;

  constructor(private readonly deps: RunExecutorDeps, readonly assignment: RunAssignment) {}

  get runId(): string {
    return this.assignment.runId;
  }

  /** Runs to the end and sends the result; never rejects. */
  async execute(): Promise<void> {
    const a = this.assignment;
    let outcome: { status: ResultStatus; shard?: ShardResult; error?: ErrorInfo };
    try {
      outcome = await this.sendShard();
    } catch (error) {
      outcome = { status: 'failed', error: errorInfo(error) };
    } finally {
      clearInterval(this.progressTimer);
      this.deps.slot.release(this);
    }
    if (this.stopReason === 'shutdown') outcome = { ...outcome, status: 'failed', error: { code: 'AGENT_ERR_SHUTDOWN', message: `agent ${a.host} was stopped during run ${a.runId}` } };
    const result = this.result(outcome.status, outcome.shard, outcome.error);
    const figures = outcome.shard?.figures ? ` (${Object.entries(outcome.shard.figures).map(([k, v]) => `${k} ${Number(v.toPrecision(4))}`).join(', ')})` : '';
    this.deps.log(`run ${a.runId}: ${result.status}, ${result.packets} packets${figures}${result.error ? ` (${result.error.code}: ${result.error.message})` : ''}`);
    await sendResultUntilAcked(this.deps.gateway, result, {
      log: this.deps.log,
      giveUp: () => this.shutdownAt !== undefined && Date.now() - this.shutdownAt >= this.deps.settings.shutdownResultRetryMs,
    });
  }

  private async sendShard(): Promise<{ status: ResultStatus; shard?: ShardResult; error?: ErrorInfo }> {
    const a = this.assignment;
    const port = this.checkFits();
    if (await this.deps.gateway.storedCancel(a.runId).catch(() => undefined)) return { status: 'cancelled' };
    const model = await fetchVerifiedModel(this.deps.gateway, a);
    const coreRows = decodeCoreRows(a, model);
    await this.publishProgress('accepted');
    if (this.stopReason) return { status: 'cancelled' };
    await this.deps.slot.acquire(this, a.startAtUnixMs, a.startAtUnixMs + a.durationS * 1000);
    this.checkNotLate();
    if (this.stopReason) return { status: 'cancelled' };
    this.run = await this.deps.engine.start({ runId: a.runId, model, coreRows, port, durationS: a.durationS, seed: a.seed, rate: a.rate, tag: this.deps.settings.tag, startAtUnixMs: a.startAtUnixMs });
    if (this.stopReason) this.run.stop();
    this.progressTimer = setInterval(() => void this.tick(), this.deps.settings.progressIntervalMs);
    void this.tick();
    const shard = await this.run.done();
    if (shard.failure) return { status: 'failed', shard, error: errorInfo(shard.failure) };
    return { status: shard.stopped || this.stopReason ? 'cancelled' : 'completed', shard };
  }

  /** The port spec for this run; refuses assignments this host cannot serve. */
  private checkFits(): string {
    const a = this.assignment;
    const { ports, cores } = this.deps.settings;
    const bad = (message: string) => new MemocoError('AGENT_ERR_BAD_ASSIGNMENT', message, { status: 400 });
    if (a.port >= ports.length) throw bad(`port ${a.port} asked, ${a.host} has ${ports.length} (0..${ports.length - 1})`);
    if (a.cores.length > cores) throw bad(`${a.cores.length} cores asked, ${a.host} offers ${cores}`);
    this.checkNotLate();
    return portForRun(ports[a.port]!, a.runId, a.host);
  }

  private checkNotLate(): void {
    const a = this.assignment;
    const lateMs = Date.now() - a.startAtUnixMs;
    if (lateMs > this.deps.settings.lateStartToleranceMs) {
      throw new MemocoError('AGENT_ERR_START_MISSED', `run ${a.runId} was due ${lateMs} ms ago (tolerance ${this.deps.settings.lateStartToleranceMs} ms): not started late`, { status: 409 });
    }
  }

  private async tick(): Promise<void> {
    const stats = this.run?.stats();
    const state: ProgressState = this.stopReason ? 'stopping' : stats?.sending || Date.now() >= this.assignment.startAtUnixMs ? 'running' : 'waiting';
    await this.publishProgress(state, stats?.packets ?? 0, stats?.bytes ?? 0, stats?.outOfOrder ?? 0);
  }

  /** Progress needs no retry: a failed one (NATS down) is replaced by the next. */
  private async publishProgress(state: ProgressState, packets = 0, bytes = 0, outOfOrder = 0): Promise<void> {
    this.state = state;
    const a = this.assignment;
    await this.deps.gateway.publishProgress({ runId: a.runId, host: a.host, atUnixMs: Date.now(), state, packets, bytes, outOfOrder }).catch(() => {});
  }

  private result(status: ResultStatus, shard: ShardResult | undefined, error: ErrorInfo | undefined): RunHostResult {
    const a = this.assignment;
    return {
      runId: a.runId,
      host: a.host,
      status,
      packets: shard?.packets ?? 0,
      bytes: shard?.bytes ?? 0,
      outOfOrder: shard?.outOfOrder ?? 0,
      startedAtUnixMs: shard && shard.packets > 0 ? shard.startedAtUnixMs : null,
      finishedAtUnixMs: Date.now(),
      ...(status === 'failed' ? { error: error ?? { code: 'AGENT_ERR_ENGINE', message: 'the run failed' } } : {}),
    };
  }

  /** The controller cancelled the run: stop sending (or never start) and report cancelled. */
  cancel(): void {
    this.stop('cancel');
  }

  /** The agent is stopping: stop sending; the result says AGENT_ERR_SHUTDOWN. */
  shutdown(): void {
    this.shutdownAt ??= Date.now();
    this.stop('shutdown');
  }

  private stop(reason: 'cancel' | 'shutdown'): void {
    this.stopReason ??= reason;
    this.deps.slot.abandon(this);
    this.run?.stop();
  }

  get progressState(): ProgressState {
    return this.state;
  }
}

function errorInfo(error: unknown): ErrorInfo {
  if (isMemocoError(error) && /^[A-Z0-9]+_ERR_[A-Z0-9_]+$/.test(error.code)) return { code: error.code, message: error.message.slice(0, 2000) };
  return { code: 'AGENT_ERR_ENGINE', message: String((error as Error)?.message ?? error).slice(0, 2000) };
}
