/**
 * The TX agent (issue 6): one per TX host. Registers in the `memoco-hosts` KV bucket and
 * rewrites its entry every heartbeat interval (host, version, cores, ports, active runs),
 * takes the assignments addressed to it, runs each through a RunExecutor on the shard
 * engine, and passes cancels on. Built from injected parts (the gateway, the engine); main.ts
 * reads the config and owns the process (EAL, signals).
 */
import type { HostRegistration, PortInfo, RunAssignment, RunCancel } from '@memoco/protocol';
import type { AgentGateway } from './agent-gateway.ts';
import { EngineSlot } from './engine-slot.ts';
import { RunExecutor, type RunExecutorSettings } from './run-executor.ts';
import type { ShardEngine } from './shard-engine.ts';

export interface TxAgentSettings extends RunExecutorSettings {
  version: string;
  heartbeatIntervalMs: number;
  /** What the registry shows for each port (the spec's device name). */
  portInfo: PortInfo[];
}

export interface TxAgentDeps {
  gateway: AgentGateway;
  engine: ShardEngine;
  settings: TxAgentSettings;
  log: (message: string) => void;
}

/** Run ids already handled are remembered this long (a redelivered assignment is ignored). */
const SEEN_RUNS_KEPT = 10_000;

export class TxAgent {
  private readonly executors = new Map<string, RunExecutor>();
  private readonly seen = new Set<string>();
  private readonly finished = new Set<Promise<void>>();
  private readonly slot = new EngineSlot();
  private heartbeat: NodeJS.Timeout | undefined;
  private readonly startedAt = Date.now();
  private heartbeatFailing = false;
  private stopping = false;

  constructor(private readonly deps: TxAgentDeps) {}

  /** First heartbeat (must land), then assignments and cancels. */
  async start(): Promise<void> {
    await this.deps.gateway.register(this.registration());
    this.heartbeat = setInterval(() => void this.beat(), this.deps.settings.heartbeatIntervalMs);
    this.deps.gateway.startAssignments((a) => this.onAssignment(a));
    this.deps.gateway.startCancels((c) => this.onCancel(c));
  }

  get activeRunIds(): string[] {
    return [...this.executors.keys()];
  }

  private registration(): HostRegistration {
    const s = this.deps.settings;
    return {
      host: s.host,
      version: s.version,
      cores: s.cores,
      ports: s.portInfo,
      startedAtUnixMs: this.startedAt,
      heartbeatAtUnixMs: Date.now(),
      heartbeatIntervalMs: s.heartbeatIntervalMs,
      activeRunIds: this.activeRunIds,
    };
  }

  /** A missed heartbeat (NATS down) is logged once; the next one retries. */
  private async beat(): Promise<void> {
    if (this.stopping) return;
    try {
      await this.deps.gateway.register(this.registration());
      if (this.heartbeatFailing) this.deps.log('heartbeat landed again');
      this.heartbeatFailing = false;
    } catch (error) {
      if (!this.heartbeatFailing) this.deps.log(`heartbeat failed: ${(error as Error).message}`);
      this.heartbeatFailing = true;
    }
  }

  private async onAssignment(assignment: RunAssignment): Promise<void> {
    if (assignment.host !== this.deps.settings.host || this.seen.has(assignment.runId)) return;
    this.remember(assignment.runId);
    if (this.stopping) return;
    const executor = new RunExecutor({ gateway: this.deps.gateway, engine: this.deps.engine, settings: this.deps.settings, slot: this.slot, log: (m) => this.deps.log(m) }, assignment);
    this.executors.set(assignment.runId, executor);
    this.deps.log(`run ${assignment.runId}: assigned ${assignment.flowCount} rows on ${assignment.cores.length} cores, start ${new Date(assignment.startAtUnixMs).toISOString()}, ${assignment.durationS} s at ${Number(assignment.rate.value.toPrecision(6))} ${assignment.rate.unit}`);
    const done = executor.execute().finally(() => {
      this.executors.delete(assignment.runId);
      this.finished.delete(done);
    });
    this.finished.add(done);
    void this.beat();
  }

  private remember(runId: string): void {
    this.seen.add(runId);
    if (this.seen.size > SEEN_RUNS_KEPT) this.seen.delete(this.seen.values().next().value!);
  }

  private onCancel(cancel: RunCancel): void {
    const executor = this.executors.get(cancel.runId);
    if (!executor) return;
    this.deps.log(`run ${cancel.runId}: cancel (${cancel.reason})`);
    executor.cancel();
  }

  /** Stops every run (their results say AGENT_ERR_SHUTDOWN), removes the registration, closes NATS. */
  async stop(): Promise<void> {
    this.stopping = true;
    clearInterval(this.heartbeat);
    for (const executor of this.executors.values()) executor.shutdown();
    await Promise.all([...this.finished]);
    await this.deps.gateway.deregister(this.deps.settings.host).catch(() => {});
    await this.deps.gateway.close();
  }
}
