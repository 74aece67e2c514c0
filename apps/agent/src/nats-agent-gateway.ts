/**
 * AgentGateway over a real nats-server (issue 6, docs/fleet.md): the heartbeat in the
 * `memoco-hosts` KV bucket, this host's assignments from a durable consumer on MEMOCO_RUNS
 * (an agent that reconnects, or restarts, still receives what was published meanwhile),
 * cancels from an ordered consumer, models from the `memoco-models` object store, reports
 * published on the stream (results with the message id `<runId>.result.<host>`).
 *
 * The controller creates the JetStream resources; an agent started first waits for them.
 */
import { AckPolicy, DeliverPolicy, jetstream, jetstreamManager, type ConsumerMessages, type JetStreamClient, type JetStreamManager } from '@nats-io/jetstream';
import { Kvm, type KV } from '@nats-io/kv';
import { Objm, type ObjectStore } from '@nats-io/obj';
import type { NatsConnection } from '@nats-io/transport-node';
import {
  MemocoError,
  NATS_RESOURCE_NAMES,
  SUBJECTS,
  assertModelId,
  decodeMessage,
  encodeMessage,
  isMemocoError,
  type HostRegistration,
  type RunCancel,
  type RunHostResult,
  type RunProgress,
} from '@memoco/protocol';
import { connectNatsAs, type ConnectionTracker, type NatsConnectOptions } from '@memoco/service-kit';
import type { AgentGateway, AssignmentHandler, CancelHandler } from './agent-gateway.ts';

const NS_PER_MS = 1_000_000;
const RETRY_DELAY_MS = 1000;
/**
 * Pulls expire after 5 s: a pull parked on a cluster node that died is replaced after two
 * missed idle heartbeats (expires / 2 each), so 5 s pulls resume within ~5 s of a leader
 * election, where the default 30 s would hold a new assignment past its start time.
 */
const PULL_EXPIRES_MS = 5000;

export interface NatsAgentGatewayOptions {
  connect: NatsConnectOptions;
  host: string;
  log: (message: string) => void;
  /** Give up waiting for the controller's JetStream resources after this (default: never). */
  resourcesTimeoutMs?: number;
}

/** The durable consumer of one host's assignments. */
export const agentConsumerName = (host: string) => `memoco-agent-${host}`;

export class NatsAgentGateway implements AgentGateway {
  private closed = false;
  private readonly consumers = new Set<ConsumerMessages>();

  private constructor(
    private readonly nc: NatsConnection,
    private readonly tracker: ConnectionTracker,
    private readonly js: JetStreamClient,
    private readonly jsm: JetStreamManager,
    private readonly hosts: KV,
    private readonly models: ObjectStore,
    private readonly options: NatsAgentGatewayOptions,
  ) {}

  static async open(options: NatsAgentGatewayOptions): Promise<NatsAgentGateway> {
    // Reconnect fast and try the servers in the order given (an agent prefers its own node);
    // the engine keeps sending while NATS is away, only reports wait (issue 6).
    const link = await connectNatsAs('AGENT_ERR_NATS', {
      ...options.connect,
      reconnectTimeWaitMs: 250,
      noRandomize: true,
      onStatus: (change, server) => options.log(change === 'disconnect'
        ? `NATS disconnected (${server ?? 'server'}); the engine keeps sending, reports wait`
        : `NATS reconnected to ${server ?? 'a server'}`),
    }, Date.now);
    const { nc } = link;
    try {
      const jsm = await jetstreamManager(nc);
      await waitForResources(jsm, options);
      const hosts = await new Kvm(nc).open(NATS_RESOURCE_NAMES.hostsBucket);
      const models = await new Objm(nc).open(NATS_RESOURCE_NAMES.modelsBucket);
      const gateway = new NatsAgentGateway(nc, link.tracker, jetstream(nc), jsm, hosts, models, options);
      await gateway.ensureAssignmentConsumer();
      return gateway;
    } catch (error) {
      await nc.close().catch(() => {});
      if (isMemocoError(error)) throw error;
      throw new MemocoError('AGENT_ERR_NATS', `cannot open the fleet's JetStream resources: ${(error as Error).message}`, { status: 503 }, { cause: error });
    }
  }

  async register(registration: HostRegistration): Promise<void> {
    await this.hosts.put(registration.host, encodeMessage('hostRegistration', registration));
  }

  async deregister(host: string): Promise<void> {
    await this.hosts.delete(host);
  }

  /** Created before the first heartbeat, so no assignment can be published before it exists. */
  private async ensureAssignmentConsumer(): Promise<void> {
    const name = agentConsumerName(this.options.host);
    if (await this.jsm.consumers.info(NATS_RESOURCE_NAMES.runsStream, name).catch(() => undefined)) return;
    await this.jsm.consumers.add(NATS_RESOURCE_NAMES.runsStream, {
      durable_name: name,
      filter_subject: SUBJECTS.runAssignForHost(this.options.host),
      ack_policy: AckPolicy.Explicit,
      // New: assignments of runs from before this host first existed are not its business.
      deliver_policy: DeliverPolicy.New,
      ack_wait: 30_000 * NS_PER_MS,
    });
  }

  startAssignments(handler: AssignmentHandler): void {
    this.keepConsuming('assignments', async () => {
      const consumer = await this.js.consumers.get(NATS_RESOURCE_NAMES.runsStream, agentConsumerName(this.options.host));
      const messages = await consumer.consume({ max_messages: 16, expires: PULL_EXPIRES_MS });
      await this.drainInto(messages, async (msg) => {
        try {
          await handler(decodeMessage('assignment', msg.data));
          msg.ack();
        } catch (error) {
          // A malformed assignment cannot become good by retrying it.
          this.options.log(`dropping an assignment on ${msg.subject}: ${(error as Error).message}`);
          msg.term();
        }
      });
    });
  }

  startCancels(handler: CancelHandler): void {
    this.keepConsuming('cancels', async () => {
      const consumer = await this.js.consumers.get(NATS_RESOURCE_NAMES.runsStream, { filter_subjects: SUBJECTS.runCancelAny, deliver_policy: DeliverPolicy.New });
      const messages = await consumer.consume({ expires: PULL_EXPIRES_MS });
      await this.drainInto(messages, async (msg) => {
        try {
          handler(decodeMessage('cancel', msg.data));
        } catch (error) {
          this.options.log(`ignoring a bad cancel on ${msg.subject}: ${(error as Error).message}`);
        }
      });
    });
  }

  /** Restarts a consumer loop whenever it ends (a deleted consumer, a failed pull). */
  private keepConsuming(what: string, once: () => Promise<void>): void {
    void (async () => {
      while (!this.closed) {
        try {
          await once();
        } catch (error) {
          if (!this.closed) this.options.log(`${what} consumer stopped: ${(error as Error).message}; retrying`);
        }
        if (!this.closed) await new Promise((r) => setTimeout(r, RETRY_DELAY_MS));
      }
    })();
  }

  private async drainInto<M>(messages: ConsumerMessages & AsyncIterable<M>, each: (msg: M) => Promise<void>): Promise<void> {
    this.consumers.add(messages);
    if (this.closed) messages.stop();
    try {
      for await (const msg of messages) await each(msg);
    } finally {
      this.consumers.delete(messages);
    }
  }

  async storedCancel(runId: string): Promise<RunCancel | undefined> {
    const stored = await this.jsm.streams.getMessage(NATS_RESOURCE_NAMES.runsStream, { last_by_subj: SUBJECTS.runCancel(runId) }).catch(() => null);
    return stored ? decodeMessage('cancel', stored.data) : undefined;
  }

  async fetchModel(modelId: string): Promise<Uint8Array | undefined> {
    return (await this.models.getBlob(assertModelId(modelId))) ?? undefined;
  }

  async publishProgress(progress: RunProgress): Promise<void> {
    await this.js.publish(SUBJECTS.runReport(progress.runId, progress.host, 'progress'), encodeMessage('progress', progress));
  }

  async publishResult(result: RunHostResult): Promise<void> {
    await this.js.publish(SUBJECTS.runReport(result.runId, result.host, 'result'), encodeMessage('result', result), { msgID: `${result.runId}.result.${result.host}` });
  }

  connected(): boolean {
    return this.tracker.connected;
  }

  async close(): Promise<void> {
    this.closed = true;
    for (const messages of this.consumers) messages.stop();
    await this.nc.drain().catch(() => this.nc.close());
  }
}

async function waitForResources(jsm: JetStreamManager, options: NatsAgentGatewayOptions): Promise<void> {
  const needed = [NATS_RESOURCE_NAMES.runsStream, `KV_${NATS_RESOURCE_NAMES.hostsBucket}`, `OBJ_${NATS_RESOURCE_NAMES.modelsBucket}`];
  const started = Date.now();
  let lastLog = Number.NEGATIVE_INFINITY;
  for (;;) {
    const missing: string[] = [];
    for (const stream of needed) if (!(await jsm.streams.info(stream).catch(() => undefined))) missing.push(stream);
    if (missing.length === 0) return;
    const waited = Date.now() - started;
    if (options.resourcesTimeoutMs !== undefined && waited >= options.resourcesTimeoutMs) {
      throw new MemocoError('AGENT_ERR_NATS', `the fleet's JetStream resources are missing (${missing.join(', ')}): start the controller, which creates them`, { status: 503 });
    }
    if (waited - lastLog >= 10_000) {
      options.log(`waiting for the controller to create ${missing.join(', ')}`);
      lastLog = waited;
    }
    await new Promise((r) => setTimeout(r, RETRY_DELAY_MS));
  }
}
