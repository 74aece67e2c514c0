/** The JSON a client sees for a stored model (`GET /v1/models`, `GET /v1/models/:id`). */
import type { StoredModel } from './model-store.ts';

export interface ModelView {
  modelId: string;
  sha256: string;
  bytes: number;
  storedAt: string;
  /** False for an object stored by something other than a trainer (no announcement). */
  announced: boolean;
  createdAtUnixMs?: number;
  trainer?: string;
  /** Rows of the model's flow table. */
  rows?: number;
  predictedPackets?: number;
  summary?: Record<string, number | string>;
}

export function modelView(m: StoredModel): ModelView {
  const a = m.announcement;
  const base = { modelId: m.modelId, sha256: m.storedSha256, bytes: m.bytes, storedAt: m.storedAt, announced: a !== undefined };
  if (!a) return base;
  return { ...base, createdAtUnixMs: a.createdAtUnixMs, trainer: a.trainer, rows: a.flows, predictedPackets: a.predictedPackets, summary: a.summary };
}
