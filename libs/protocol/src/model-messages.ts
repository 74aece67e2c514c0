/**
 * A trainer's announcement of a new model (issue 6: "The model goes into a NATS JetStream
 * object store bucket and is announced on a versioned subject"). The model id is the
 * SHA-256 of the ONNX bytes, which are stored under that name in `bucket`.
 */
import { MODEL_ID_PATTERN } from './fleet-subjects.ts';
import { dict, either, int, num, obj, str, type Schema } from './message-schema.ts';

export interface ModelAnnouncement {
  modelId: string;
  sha256: string;
  /** Size of the ONNX file. */
  bytes: number;
  /** Rows of the model's flow table. */
  flows: number;
  /** Sum of the flow table's predicted packet counts. */
  predictedPackets: number;
  createdAtUnixMs: number;
  /** The trainer instance that built it (several trainers may run at once). */
  trainer: string;
  /** Object store bucket holding the bytes (object name = modelId). */
  bucket: string;
  /** Training summary (trace packets, duration, fit error ...), free-form numbers and words. */
  summary: Record<string, number | string>;
}

const sha256 = str({ pattern: MODEL_ID_PATTERN, what: 'a SHA-256 hex digest (64 lowercase hex digits)' });

export const modelAnnouncementSchema: Schema<ModelAnnouncement> = obj<ModelAnnouncement>({
  modelId: sha256,
  sha256,
  bytes: int({ min: 1 }),
  flows: int({ min: 0 }),
  predictedPackets: num({ min: 0 }),
  createdAtUnixMs: int({ min: 0 }),
  trainer: str({ minLength: 1, maxLength: 128 }),
  bucket: str({ minLength: 1, maxLength: 128 }),
  summary: dict(either(num(), str({ maxLength: 1000 }), 'a number or a string')),
});
