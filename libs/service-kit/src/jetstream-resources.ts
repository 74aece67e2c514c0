/**
 * Creates or brings up to date the JetStream resources named in @memoco/protocol
 * (`natsResourceSpecs`): a stream, or an object store bucket. Idempotent, so every service
 * calls them at start whatever the order services start in (issue 6: several trainers and
 * controllers side by side). Replicas come from each service's config: 1 on one server, 3
 * on the cluster in infra/nats.
 */
import type { JetStreamManager, StreamConfig } from '@nats-io/jetstream';
import { Objm, type ObjectStore } from '@nats-io/obj';
import type { NatsConnection } from '@nats-io/transport-node';
import type { ObjectBucketSpec, StreamSpec } from '@memoco/protocol';

const NS_PER_MS = 1_000_000;

export async function ensureStream(jsm: JetStreamManager, spec: StreamSpec): Promise<void> {
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

/** Opens the bucket, creating it first when it does not exist yet. */
export async function ensureObjectStore(nc: NatsConnection, spec: ObjectBucketSpec): Promise<ObjectStore> {
  return new Objm(nc).create(spec.bucket, { description: spec.description, replicas: spec.replicas, max_bytes: spec.maxBytes });
}
