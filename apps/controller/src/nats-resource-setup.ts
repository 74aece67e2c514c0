/**
 * Creates (or brings up to date) the JetStream resources named in @memoco/protocol: the runs
 * and models streams, the host registry KV bucket, the model object store and the durable
 * consumer controllers share. Idempotent; every service may call it at start. Replicas come
 * from config: 1 on one server, 3 on the cluster in infra/nats (issue 6, "Scale-out").
 */
import { AckPolicy, DeliverPolicy, jetstreamManager, type JetStreamManager, type StreamConfig } from '@nats-io/jetstream';
import { Kvm, type KV } from '@nats-io/kv';
import { Objm, type ObjectStore } from '@nats-io/obj';
import type { NatsConnection } from '@nats-io/transport-node';
import { MemocoError, NATS_RESOURCE_NAMES, SUBJECTS, type NatsResourceSpecs, type StreamSpec } from '@memoco/protocol';

const NS_PER_MS = 1_000_000;

export interface FleetResources {
  jsm: JetStreamManager;
  hosts: KV;
  models: ObjectStore;
}

async function ensureStream(jsm: JetStreamManager, spec: StreamSpec): Promise<void> {
  const config: Partial<StreamConfig> & { name: string } = {
    name: spec.name,
    subjects: spec.subjects,
    max_age: spec.maxAgeMs * NS_PER_MS,
    max_bytes: spec.maxBytes,
    max_msgs_per_subject: spec.maxMsgsPerSubject,
    num_replicas: spec.replicas,
  };
  const existing = await jsm.streams.info(spec.name).catch(() => undefined);
  if (!existing) {
    await jsm.streams.add(config);
    return;
  }
  const c = existing.config;
  const same = c.max_age === config.max_age && c.max_bytes === config.max_bytes && c.max_msgs_per_subject === config.max_msgs_per_subject
    && c.num_replicas === config.num_replicas && JSON.stringify(c.subjects) === JSON.stringify(config.subjects);
  if (!same) await jsm.streams.update(spec.name, config);
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
    const models = await new Objm(nc).create(specs.modelsBucket.bucket, {
      description: specs.modelsBucket.description,
      replicas: specs.modelsBucket.replicas,
      max_bytes: specs.modelsBucket.maxBytes,
    });
    return { jsm, hosts, models };
  } catch (error) {
    if (error instanceof MemocoError) throw error;
    throw new MemocoError('CONTROLLER_ERR_NATS', `cannot set up JetStream resources: ${(error as Error).message}`, { status: 503 }, { cause: error });
  }
}
