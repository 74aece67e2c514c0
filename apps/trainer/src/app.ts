/**
 * Builds the trainer from injected parts (style.md, Fastify's testing guide): the model
 * store, the config and a clock. Nothing here reads the environment or listens; main.ts
 * does, and tests use `app.inject()` or listen on port 0. The trainer keeps no state of its
 * own beyond the uploads in progress: models live in NATS, so trainers run side by side.
 */
import Fastify, { type FastifyInstance, type FastifyServerOptions } from 'fastify';
import { COMMON_ERRORS, PROTOCOL_ERRORS, type ErrorRegistry } from '@memoco/protocol';
import { PCAP_ERRORS } from '@memoco/pcap';
import { FLOWMODEL_ERRORS, type PacketPassFactory, type ProfileFitter } from '@memoco/flow-model';
import { installBearerAuth, installErrorHandlers } from '@memoco/service-kit';
import { TRAINER_ERRORS } from './errors.ts';
import { registerModelRoutes } from './model-routes.ts';
import type { ModelStore } from './model-store.ts';
import type { TrainerConfig } from './trainer-config.ts';
import { UploadGate } from './upload-gate.ts';
import { registerUploadRoutes } from './upload-routes.ts';

const REGISTRIES: ErrorRegistry[] = [COMMON_ERRORS, PROTOCOL_ERRORS, PCAP_ERRORS, FLOWMODEL_ERRORS, TRAINER_ERRORS];

export type TrainerAppConfig = Pick<TrainerConfig, 'apiToken' | 'maxUploadBytes' | 'maxConcurrentUploads' | 'uploadIdleMs' | 'maxModelBytesLimit'>;

export interface TrainerDeps {
  models: ModelStore;
  config: TrainerAppConfig;
  /** Named in announcements (several trainers may run at once). */
  trainerName: string;
  nowMs?: () => number;
  logger?: FastifyServerOptions['logger'];
  /** Where uploads' per-packet statistics are counted and their rows fitted (main.ts: @memoco/txcore trainPassFor); TypeScript by default. */
  training?: { pass: PacketPassFactory; fit: ProfileFitter };
}

export interface TrainerApp {
  app: FastifyInstance;
  gate: UploadGate;
}

export function buildTrainerApp(deps: TrainerDeps): TrainerApp {
  const { config, models } = deps;
  const app = Fastify({ logger: deps.logger ?? false });
  installErrorHandlers(app, {
    registries: REGISTRIES,
    codes: { badRequest: 'TRAINER_ERR_BAD_REQUEST', bodyTooLarge: 'TRAINER_ERR_UPLOAD_TOO_LARGE', notFound: 'TRAINER_ERR_NOT_FOUND' },
    service: 'trainer',
    exposeDetails: ['offset', 'record', 'limit'],
  });
  installBearerAuth(app, config.apiToken, { code: 'TRAINER_ERR_UNAUTHORIZED', realm: 'memoco-trainer' });
  const gate = new UploadGate(config.maxConcurrentUploads, deps.nowMs);

  app.get('/healthz', async () => ({ ok: true, nats: models.connected, uploads: gate.active }));
  registerUploadRoutes(app, {
    models,
    gate,
    trainerName: deps.trainerName,
    maxUploadBytes: config.maxUploadBytes,
    uploadIdleMs: config.uploadIdleMs,
    maxModelBytesLimit: config.maxModelBytesLimit,
    nowMs: deps.nowMs ?? Date.now,
    ...(deps.training ? { training: deps.training } : {}),
  });
  registerModelRoutes(app, { models });
  // Uploads in progress stop first, so close() does not wait for a long upload to end.
  app.addHook('preClose', async () => gate.shutdown());
  return { app, gate };
}
