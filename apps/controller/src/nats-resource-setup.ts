/**
 * Creates (or brings up to date) the JetStream resources named in @memoco/protocol: the runs
 * and models streams, the host registry KV bucket, the model object store and the durable
 * consumer controllers share. Idempotent; every service may call it at start. Replicas come
 * from config: 1 on one server, 3 on the cluster in infra/nats (issue 6, "Scale-out").
 */
import { AckPolicy, DeliverPolicy, jetstreamManager, type JetStreamManager } from '@nats-io/jetstream';
import { Kvm, type KV } from '@nats-io/kv';
import type { ObjectStore } from '@nats-io/obj';
import type { NatsConnection } from '@nats-io/transport-node';
import { MemocoError, NATS_RESOURCE_NAMES, SUBJECTS, type NatsResourceSpecs } from '@memoco/protocol';
import { ensureObjectStore, ensureStream } from '@memoco/service-kit';

const NS_PER_MS = 1_000_000;

export interface FleetResources {
  jsm: JetStreamManager;
  hosts: KV;
  models: ObjectStore;
}

/** The reports consumer: progress and results of every run, shared by all controllers. */
async function ensureReportsConsumer(jsm: JetStreamManager): Promise<void> {
  const name = NATS_RESOURCE_NAMES.controllerConsumer;
  const existing = await jsm.consumers.info(NATS_RESOURCE_NAMES.runsStream, name).catch(() => undefined);
  if (existing) return;
  await jsm.consumers.add(NATS_RESOURCE_NAMES.runsStream, {
    durable_name: name,
    filter_subject: SUBJECTS.runReportAny,
    ack_policy: AckPolicy.Explicit,
    // All: reports published while no controller existed yet are still applied (the store's
    // conditional updates make replays harmless).
    deliver_policy: DeliverPolicy.All,
    ack_wait: 30_000 * NS_PER_MS,
    max_ack_pending: 20_000,
  });
}

export async function ensureFleetResources(nc: NatsConnection, specs: NatsResourceSpecs): Promise<FleetResources> {
  try {
    const jsm = await jetstreamManager(nc);
    await ensureStream(jsm, specs.runsStream);
    await ensureStream(jsm, specs.modelsStream);
    await ensureReportsConsumer(jsm);
    const hosts = await new Kvm(nc).create(specs.hostsBucket.bucket, {
      history: specs.hostsBucket.history,
      ttl: specs.hostsBucket.ttlMs,
      replicas: specs.hostsBucket.replicas,
    });
    const models = await ensureObjectStore(nc, specs.modelsBucket);
    return { jsm, hosts, models };
  } catch (error) {
    if (error instanceof MemocoError) throw error;
    throw new MemocoError('CONTROLLER_ERR_NATS', `cannot set up JetStream resources: ${(error as Error).message}`, { status: 503 }, { cause: error });
  }
}
