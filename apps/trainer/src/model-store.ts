/**
 * What the trainer's HTTP app needs from the model store, as an interface so the routes
 * are built without knowing NATS (style.md: depend on the smallest interface).
 * nats-model-store.ts implements it over a JetStream object store and the announcements
 * stream (issue 6: "The model goes into a NATS JetStream object store bucket and is
 * announced on a versioned subject").
 */
import type { ModelAnnouncement } from '@memoco/protocol';

export interface StoredModel {
  modelId: string;
  /** Size of the stored bytes. */
  bytes: number;
  /** SHA-256 of the stored bytes as the store recorded it, lowercase hex. */
  storedSha256: string;
  /** When the store wrote it (ISO 8601). */
  storedAt: string;
  /** The trainer's announcement; undefined for an object put there by something else. */
  announcement: ModelAnnouncement | undefined;
}

export interface ModelContent {
  bytes: number;
  /** SHA-256 the store recorded for the bytes it is about to send, lowercase hex. */
  storedSha256: string;
  /** The bytes as the store delivers them; throws if the store's own read fails. */
  chunks: AsyncIterable<Uint8Array>;
}

export interface PublishResult {
  /** The bytes were already stored under this id (another upload of the same trace). */
  alreadyStored: boolean;
}

export interface ModelStore {
  /**
   * Stores the bytes under the announcement's model id, then publishes the announcement:
   * never announces a model that is not completely stored.
   */
  publish(bytes: Uint8Array, announcement: ModelAnnouncement): Promise<PublishResult>;
  list(): Promise<StoredModel[]>;
  get(modelId: string): Promise<StoredModel | undefined>;
  open(modelId: string): Promise<ModelContent | undefined>;
  readonly connected: boolean;
  close(): Promise<void>;
}
