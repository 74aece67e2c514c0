/**
 * A stand-in TX agent for the controller's tests: a real NATS client speaking the real fleet
 * protocol against the real nats-server (it registers and heartbeats in the KV bucket, takes
 * its assignments from the stream, fetches and checks the model, reports progress every
 * interval and a result), but counts packets instead of driving the native engine. It is
 * not a mock of a server; apps/agent (a later pass) replaces it in the end-to-end tests.
 */
import { createHash } from 'node:crypto';
import { AckPolicy, DeliverPolicy, jetstream, jetstreamManager, type ConsumerMessages, type JetStreamClient } from '@nats-io/jetstream';
import { Kvm, type KV } from '@nats-io/kv';
import { Objm } from '@nats-io/obj';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import {
  NATS_RESOURCE_NAMES,
  SUBJECTS,
  decodeFlowSet,
  decodeMessage,
  encodeMessage,
  type HostRegistration,
  type RunAssignment,
  type RunHostResult,
  type RunProgress,
} from '@memoco/protocol';

export type AgentBehaviour = 'complete' | 'refuse' | 'hang';

export interface SimulatedAgentOptions {
  servers: string[];
  user?: string;
  pass?: string;
  host: string;
  cores?: number;
  heartbeatIntervalMs?: number;
  progressIntervalMs?: number;
  /** complete: run to the end; refuse: fail with a digest mismatch; hang: never report a result. */
  behaviour?: AgentBehaviour;
  /** Bytes per simulated packet. */
  packetBytes?: number;
}

export class SimulatedAgent {
  readonly assignments: RunAssignment[] = [];
  readonly cancelled = new Set<string>();
  /** Flow ids this agent was given, per run (decoded from the assignment's flow sets). */
  readonly flowsByRun = new Map<string, Uint32Array[]>();
  private timers = new Set<NodeJS.Timeout>();
  private heartbeat: NodeJS.Timeout | undefined;
  private messages: ConsumerMessages[] = [];
  private readonly startedAt = Date.now();
  private silent = false;

  private constructor(
    private readonly nc: NatsConnection,
    private readonly js: JetStreamClient,
    private readonly kv: KV,
    private readonly options: Required<Omit<SimulatedAgentOptions, 'user' | 'pass'>>,
  ) {}

  static async start(options: SimulatedAgentOptions): Promise<SimulatedAgent> {
    const nc = await connect({ servers: options.servers, user: options.user, pass: options.pass, maxReconnectAttempts: -1, reconnectTimeWait: 200, name: `sim-agent-${options.host}` });
    const kv = await new Kvm(nc).open(NATS_RESOURCE_NAMES.hostsBucket);
    const agent = new SimulatedAgent(nc, jetstream(nc), kv, {
      servers: options.servers,
      host: options.host,
      cores: options.cores ?? 2,
      heartbeatIntervalMs: options.heartbeatIntervalMs ?? 300,
      progressIntervalMs: options.progressIntervalMs ?? 200,
      behaviour: options.behaviour ?? 'complete',
      packetBytes: options.packetBytes ?? 64,
    });
    await agent.register();
    agent.heartbeat = setInterval(() => void agent.register().catch(() => {}), agent.options.heartbeatIntervalMs);
    await agent.follow();
    return agent;
  }

  private async register(): Promise<void> {
    if (this.silent) return;
    const registration: HostRegistration = {
      host: this.options.host,
      version: 'sim-0',
      cores: this.options.cores,
      ports: [{ id: 0, name: 'net_null0' }],
      startedAtUnixMs: this.startedAt,
      heartbeatAtUnixMs: Date.now(),
      heartbeatIntervalMs: this.options.heartbeatIntervalMs,
      activeRunIds: [],
    };
    await this.kv.put(this.options.host, encodeMessage('hostRegistration', registration));
  }

  private async follow(): Promise<void> {
    const jsm = await jetstreamManager(this.nc);
    const durable = `sim-agent-${this.options.host}`;
    await jsm.consumers.add(NATS_RESOURCE_NAMES.runsStream, {
      durable_name: durable,
      filter_subject: SUBJECTS.runAssignForHost(this.options.host),
      ack_policy: AckPolicy.Explicit,
      deliver_policy: DeliverPolicy.New,
    });
    const assignments = await (await this.js.consumers.get(NATS_RESOURCE_NAMES.runsStream, durable)).consume();
    const cancels = await (await this.js.consumers.get(NATS_RESOURCE_NAMES.runsStream, { filter_subjects: SUBJECTS.runCancelAny, deliver_policy: DeliverPolicy.New })).consume();
    this.messages.push(assignments, cancels);
    void (async () => {
      for await (const msg of assignments) {
        msg.ack();
        void this.onAssignment(decodeMessage('assignment', msg.data)).catch(() => {});
      }
    })();
    void (async () => {
      for await (const msg of cancels) this.cancelled.add(decodeMessage('cancel', msg.data).runId);
    })();
  }

  private async onAssignment(a: RunAssignment): Promise<void> {
    this.assignments.push(a);
    this.flowsByRun.set(a.runId, a.cores.map((c) => decodeFlowSet(c.flows)));
    const bytes = await new Objm(this.nc).open(NATS_RESOURCE_NAMES.modelsBucket).then((os) => os.getBlob(a.modelId));
    const digest = bytes ? createHash('sha256').update(bytes).digest('hex') : 'missing';
    if (digest !== a.modelSha256 || this.options.behaviour === 'refuse') {
      await this.sendResult(a, 'failed', 0, null, { code: 'AGENT_ERR_MODEL_DIGEST_MISMATCH', message: `model ${a.modelId} has digest ${digest}` });
      return;
    }
    await this.sendProgress(a, 'accepted', 0);
    const pps = a.rate.unit === 'pps' ? a.rate.value : a.predictedPackets / a.durationS;
    const tick = () => {
      if (this.silent) return;
      const now = Date.now();
      const elapsedS = Math.max(0, Math.min(a.durationS, (now - a.startAtUnixMs) / 1000));
      const packets = Math.floor(pps * elapsedS);
      if (this.cancelled.has(a.runId)) return void this.sendResult(a, 'cancelled', packets, a.startAtUnixMs).catch(() => {});
      if (elapsedS >= a.durationS && this.options.behaviour === 'complete') return void this.sendResult(a, 'completed', packets, a.startAtUnixMs).catch(() => {});
      void this.sendProgress(a, now < a.startAtUnixMs ? 'waiting' : 'running', packets).catch(() => {});
      this.schedule(tick, this.options.progressIntervalMs);
    };
    tick();
  }

  private schedule(fn: () => void, ms: number): void {
    const timer = setTimeout(() => {
      this.timers.delete(timer);
      fn();
    }, ms);
    this.timers.add(timer);
  }

  private async sendProgress(a: RunAssignment, state: RunProgress['state'], packets: number): Promise<void> {
    const progress: RunProgress = { runId: a.runId, host: a.host, atUnixMs: Date.now(), state, packets, bytes: packets * this.options.packetBytes, outOfOrder: 0 };
    await this.js.publish(SUBJECTS.runReport(a.runId, a.host, 'progress'), encodeMessage('progress', progress));
  }

  private async sendResult(a: RunAssignment, status: RunHostResult['status'], packets: number, startedAt: number | null, error?: RunHostResult['error']): Promise<void> {
    const result: RunHostResult = { runId: a.runId, host: a.host, status, packets, bytes: packets * this.options.packetBytes, outOfOrder: 0, startedAtUnixMs: startedAt, finishedAtUnixMs: Date.now(), ...(error ? { error } : {}) };
    // A result must land: retry while the stream has no leader (a cluster node died) or
    // NATS restarts, as a real agent does. Progress is not retried: the next one replaces it.
    const data = encodeMessage('result', result);
    for (let attempt = 0; ; attempt++) {
      try {
        await this.js.publish(SUBJECTS.runReport(a.runId, a.host, 'result'), data, { msgID: `${a.runId}.result.${a.host}` });
        return;
      } catch (publishError) {
        if (this.silent || attempt >= 40) throw publishError;
        await new Promise((r) => setTimeout(r, 250));
      }
    }
  }

  /** The host disappears mid-run: no more heartbeats, progress or result (the process died). */
  async vanish(): Promise<void> {
    this.silent = true;
    await this.stop();
  }

  async stop(): Promise<void> {
    clearInterval(this.heartbeat);
    for (const timer of this.timers) clearTimeout(timer);
    for (const m of this.messages) m.stop();
    await this.nc.close().catch(() => {});
  }
}
