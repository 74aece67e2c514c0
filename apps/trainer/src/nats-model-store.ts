/**
 * ModelStore over a real nats-server: the ONNX bytes in the object store `memoco-models`
 * (object name = model id; the announcement rides along in the object's metadata so one
 * lookup describes a model), then a ModelAnnouncement on `memoco.v1.models.<id>.announce`
 * in the MEMOCO_MODELS stream. Several trainers share both; nothing here is per-process.
 */
import { jetstream, jetstreamManager, type JetStreamClient, type JetStreamManager } from '@nats-io/jetstream';
import type { ObjectInfo, ObjectStore } from '@nats-io/obj';
import type { NatsConnection } from '@nats-io/transport-node';
import {
  MemocoError,
  NATS_RESOURCE_NAMES,
  SUBJECTS,
  decodeMessage,
  encodeMessage,
  natsResourceSpecs,
  type ModelAnnouncement,
  type NatsResourceOptions,
} from '@memoco/protocol';
import { connectNatsAs, ensureObjectStore, ensureStream, type ConnectionTracker, type NatsConnectOptions } from '@memoco/service-kit';
import type { ModelContent, ModelStore, PublishResult, StoredModel } from './model-store.ts';
import { announcementMetadata, announcementOf, digestToHex } from './model-object-meta.ts';

export interface NatsModelStoreOptions {
  connect: NatsConnectOptions;
  resources: Partial<NatsResourceOptions>;
  /** Attempts to publish an announcement before the upload fails (JetStream elections take seconds). */
  announceAttempts?: number;
  retryDelayMs?: number;
}

function natsError(what: string, error: unknown): MemocoError {
  if (error instanceof MemocoError) return error;
  return new MemocoError('TRAINER_ERR_NATS', `${what}: ${(error as Error).message}`, { status: 503 }, { cause: error });
}

export class NatsModelStore implements ModelStore {
  private constructor(
    private readonly nc: NatsConnection,
    private readonly js: JetStreamClient,
    private readonly jsm: JetStreamManager,
    private readonly objects: ObjectStore,
    private readonly tracker: ConnectionTracker,
    private readonly options: NatsModelStoreOptions,
  ) {}

  static async open(options: NatsModelStoreOptions): Promise<NatsModelStore> {
    const { nc, tracker } = await connectNatsAs('TRAINER_ERR_NATS', options.connect, Date.now);
    try {
      const specs = natsResourceSpecs(options.resources);
      const jsm = await jetstreamManager(nc);
      await ensureStream(jsm, specs.modelsStream);
      const objects = await ensureObjectStore(nc, specs.modelsBucket);
      return new NatsModelStore(nc, jetstream(nc), jsm, objects, tracker, options);
    } catch (error) {
      await nc.close().catch(() => {});
      throw natsError('cannot set up the model store and announcement stream', error);
    }
  }

  get connected(): boolean {
    return this.tracker.connected;
  }

  async publish(bytes: Uint8Array, announcement: ModelAnnouncement): Promise<PublishResult> {
    const id = announcement.modelId;
    const data = encodeMessage('modelAnnouncement', announcement);
    let alreadyStored = false;
    try {
      const existing = await this.objects.info(id);
      alreadyStored = existing !== null && !existing.deleted && existing.size === bytes.length && digestToHex(existing.digest) === id;
      if (!alreadyStored) {
        const info = await this.objects.putBlob({ name: id, description: `memoco flow model from ${announcement.trainer}`, metadata: announcementMetadata(announcement) }, bytes);
        if (digestToHex(info.digest) !== id) throw new MemocoError('TRAINER_ERR_MODEL_CORRUPT', `the model store recorded digest ${info.digest} for model ${id}`, { status: 502 });
      }
    } catch (error) {
      throw natsError(`cannot store model ${id} in ${NATS_RESOURCE_NAMES.modelsBucket}`, error);
    }
    await this.announce(id, data, `${id}.${announcement.createdAtUnixMs}.${announcement.trainer}`);
    return { alreadyStored };
  }

  /** Publishes with a message id, so a retry after a lost ack is stored once. */
  private async announce(id: string, data: Uint8Array, msgID: string): Promise<void> {
    const attempts = this.options.announceAttempts ?? 5;
    for (let attempt = 1; ; attempt++) {
      try {
        await this.js.publish(SUBJECTS.modelAnnounce(id), data, { msgID });
        return;
      } catch (error) {
        if (attempt >= attempts) throw natsError(`model ${id} is stored but its announcement could not be published`, error);
        await new Promise((r) => setTimeout(r, this.options.retryDelayMs ?? 500));
      }
    }
  }

  async list(): Promise<StoredModel[]> {
    let infos: ObjectInfo[];
    try {
      infos = await this.objects.list();
    } catch (error) {
      throw natsError('cannot list the model store', error);
    }
    const models = await Promise.all(infos.filter((i) => !i.deleted).map((i) => this.describe(i)));
    return models.sort((a, b) => (b.announcement?.createdAtUnixMs ?? 0) - (a.announcement?.createdAtUnixMs ?? 0) || a.modelId.localeCompare(b.modelId));
  }

  async get(modelId: string): Promise<StoredModel | undefined> {
    const info = await this.objects.info(modelId).catch((error) => {
      throw natsError(`cannot read model ${modelId}`, error);
    });
    return info && !info.deleted ? this.describe(info) : undefined;
  }

  async open(modelId: string): Promise<ModelContent | undefined> {
    const result = await this.objects.get(modelId).catch((error) => {
      throw natsError(`cannot read model ${modelId}`, error);
    });
    if (!result) return undefined;
    return { bytes: result.info.size, storedSha256: digestToHex(result.info.digest), chunks: result.data };
  }

  /** The object's facts and its announcement (its metadata; else the stream's last one). */
  private async describe(info: ObjectInfo): Promise<StoredModel> {
    const announcement = announcementOf(info.metadata) ?? (await this.announcementFromStream(info.name));
    return { modelId: info.name, bytes: info.size, storedSha256: digestToHex(info.digest), storedAt: info.mtime, announcement };
  }

  private async announcementFromStream(modelId: string): Promise<ModelAnnouncement | undefined> {
    try {
      const msg = await this.jsm.streams.getMessage(NATS_RESOURCE_NAMES.modelsStream, { last_by_subj: SUBJECTS.modelAnnounce(modelId) });
      return msg ? decodeMessage('modelAnnouncement', msg.data) : undefined;
    } catch {
      return undefined;
    }
  }

  async close(): Promise<void> {
    await this.nc.drain().catch(() => this.nc.close());
  }
}
