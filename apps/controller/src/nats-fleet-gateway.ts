/**
 * FleetGateway over a real nats-server (issue 6): the host registry from the KV bucket,
 * assignments and cancels published on the MEMOCO_RUNS stream (de-duplicated by message id,
 * so a retried publish is stored once), reports taken from the durable consumer all
 * controllers share (and a result looked up in the stream when the consumer has not
 * delivered it in time), models read from the object store.
 */
import { jetstream, type ConsumerMessages, type JetStreamClient, type JsMsg } from '@nats-io/jetstream';
import type { NatsConnection } from '@nats-io/transport-node';
import {
  DEFAULT_MAX_PAYLOAD_BYTES,
  MemocoError,
  NATS_RESOURCE_NAMES,
  SUBJECTS,
  assertModelId,
  decodeMessage,
  encodeMessage,
  natsResourceSpecs,
  parseRunSubject,
  type NatsResourceOptions,
  type RunAssignment,
  type RunCancel,
  type RunHostResult,
} from '@memoco/protocol';
import { connectNatsAs, type ConnectionTracker, type NatsConnectOptions } from '@memoco/service-kit';
import type { FleetGateway, FleetReport, HostView, ReportHandler } from './fleet-gateway.ts';
import { HostRegistryWatcher } from './host-registry-watcher.ts';
import { ensureFleetResources, type FleetResources } from './nats-resource-setup.ts';

export interface NatsFleetGatewayOptions {
  connect: NatsConnectOptions;
  /** See HostRegistryWatcherOptions.stallMs; a third of the host timeout suits. */
  registryStallMs?: number;
  resources: Partial<NatsResourceOptions>;
  nowMs: () => number;
  log: (message: string) => void;
}

const RETRY_DELAY_MS = 1000;
const PULL_EXPIRES_MS = 5000;

function toReport(msg: JsMsg): FleetReport {
  const parsed = parseRunSubject(msg.subject);
  if (parsed?.kind === 'progress') return { kind: 'progress', progress: decodeMessage('progress', msg.data) };
  if (parsed?.kind === 'result') return { kind: 'result', result: decodeMessage('result', msg.data) };
  throw new MemocoError('PROTOCOL_ERR_INVALID_MESSAGE', `unexpected subject ${msg.subject} on the reports consumer`, { status: 400 });
}

export class NatsFleetGateway implements FleetGateway {
  private closed = false;
  private messages: ConsumerMessages | undefined;

  private constructor(
    private readonly nc: NatsConnection,
    private readonly js: JetStreamClient,
    private readonly tracker: ConnectionTracker,
    private readonly resources: FleetResources,
    private readonly registry: HostRegistryWatcher,
    private readonly options: NatsFleetGatewayOptions,
  ) {}

  static async open(options: NatsFleetGatewayOptions): Promise<NatsFleetGateway> {
    const { nc, tracker } = await connectNatsAs('CONTROLLER_ERR_NATS', options.connect, options.nowMs);
    try {
      const resources = await ensureFleetResources(nc, natsResourceSpecs(options.resources));
      const registry = new HostRegistryWatcher(resources.hosts, { restartDelayMs: RETRY_DELAY_MS, stallMs: options.registryStallMs ?? 2000, onProblem: options.log });
      await registry.ready();
      return new NatsFleetGateway(nc, jetstream(nc), tracker, resources, registry, options);
    } catch (error) {
      await nc.close().catch(() => {});
      throw error;
    }
  }

  async listHosts(): Promise<HostView[]> {
    return this.registry.list();
  }

  private maxPayload(): number {
    return this.nc.info?.max_payload ?? DEFAULT_MAX_PAYLOAD_BYTES;
  }

  async publishAssignment(assignment: RunAssignment): Promise<void> {
    const data = encodeMessage('assignment', assignment, { maxBytes: this.maxPayload() });
    await this.js.publish(SUBJECTS.runAssign(assignment.runId, assignment.host), data, { msgID: `${assignment.runId}.assign.${assignment.host}` });
  }

  async publishCancel(cancel: RunCancel): Promise<void> {
    await this.js.publish(SUBJECTS.runCancel(cancel.runId), encodeMessage('cancel', cancel), { msgID: `${cancel.runId}.cancel` });
  }

  async fetchModel(modelId: string): Promise<Uint8Array | undefined> {
    const bytes = await this.resources.models.getBlob(assertModelId(modelId));
    return bytes ?? undefined;
  }

  async fetchResult(runId: string, host: string): Promise<RunHostResult | undefined> {
    // The stream keeps the last message of every subject, and a result's subject names one
    // run and host: this is the result the agent published, if it did.
    const stored = await this.resources.jsm.streams.getMessage(NATS_RESOURCE_NAMES.runsStream, { last_by_subj: SUBJECTS.runReport(runId, host, 'result') });
    return stored ? decodeMessage('result', stored.data) : undefined;
  }

  startReports(handler: ReportHandler): void {
    void (async () => {
      while (!this.closed) {
        try {
          await this.consumeOnce(handler);
        } catch (error) {
          if (!this.closed) this.options.log(`reports consumer stopped: ${(error as Error).message}; retrying`);
        }
        if (!this.closed) await new Promise((r) => setTimeout(r, RETRY_DELAY_MS));
      }
    })();
  }

  private async consumeOnce(handler: ReportHandler): Promise<void> {
    const consumer = await this.js.consumers.get(NATS_RESOURCE_NAMES.runsStream, NATS_RESOURCE_NAMES.controllerConsumer);
    // Short pulls: a pull parked on a cluster node that died is only replaced after two
    // missed idle heartbeats (expires / 2 each), 30 s with the default 30 s expiry, which
    // outlasts the result grace; 5 s pulls resume within ~5 s of a leader election.
    const messages = await consumer.consume({ max_messages: 500, expires: PULL_EXPIRES_MS });
    this.messages = messages;
    if (this.closed) messages.stop();
    let silent = false;
    void (async () => {
      for await (const status of messages.status()) {
        if (status.type !== 'heartbeats_missed' || silent) continue;
        silent = true;
        this.options.log('reports consumer silent (missed heartbeats: its leader is gone or electing); results due meanwhile are looked up in the runs stream');
      }
    })().catch(() => {});
    for await (const msg of messages) {
      if (silent) {
        silent = false;
        this.options.log('reports consumer delivering again');
      }
      try {
        await handler(toReport(msg));
        msg.ack();
      } catch (error) {
        if (error instanceof MemocoError && error.code.startsWith('PROTOCOL_ERR_')) {
          this.options.log(`dropping a bad report on ${msg.subject}: ${error.message}`);
          msg.term();
        } else {
          this.options.log(`report on ${msg.subject} not applied, will retry: ${(error as Error).message}`);
          msg.nak(RETRY_DELAY_MS);
        }
      }
    }
  }

  connection() {
    return { connected: this.tracker.connected, connectedSinceMs: this.tracker.connectedSinceMs };
  }

  async close(): Promise<void> {
    this.closed = true;
    this.registry.stop();
    this.messages?.stop();
    await this.nc.drain().catch(() => this.nc.close());
  }
}
