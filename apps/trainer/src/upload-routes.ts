/**
 * `POST /v1/traces` (issue 6): the body (pcap or pcapng, any size, any content type) is
 * never parsed by Fastify nor buffered: it streams through the online trainer while it
 * arrives. Only a complete, decodable model is stored and then announced; a bad trace,
 * an oversized or abandoned upload leaves nothing behind.
 */
import type { FastifyInstance } from 'fastify';
import type { PacketPassFactory, ProfileFitter } from '@memoco/flow-model';
import { MemocoError } from '@memoco/protocol';
import type { ModelStore } from './model-store.ts';
import { buildAnnouncement, trainUpload } from './trace-training.ts';
import { parseTrainRequest } from './train-request.ts';
import { UploadBody } from './upload-body.ts';
import type { UploadGate } from './upload-gate.ts';

export interface UploadRouteDeps {
  models: ModelStore;
  gate: UploadGate;
  trainerName: string;
  maxUploadBytes: number;
  uploadIdleMs: number;
  maxModelBytesLimit: number;
  nowMs: () => number;
  training?: { pass: PacketPassFactory; fit: ProfileFitter };
}

function checkDeclaredLength(header: string | undefined, maxBytes: number): void {
  if (header === undefined) return;
  const declared = Number(header);
  if (declared > maxBytes) {
    throw new MemocoError('TRAINER_ERR_UPLOAD_TOO_LARGE', `the upload's Content-Length ${declared} is over the limit of ${maxBytes} bytes (MEMOCO_TRAINER_MAX_UPLOAD_BYTES); nothing was read`, { status: 413, limit: maxBytes });
  }
}

export function registerUploadRoutes(app: FastifyInstance, deps: UploadRouteDeps): void {
  app.register(async (scope) => {
    // Every content type is the trace itself; the handler reads the raw request.
    scope.removeAllContentTypeParsers();
    scope.addContentTypeParser('*', (_request, _payload, done) => done(null));
    scope.post('/v1/traces', async (request, reply) => {
      const train = parseTrainRequest(request.query as Record<string, unknown>, request.headers, deps.maxModelBytesLimit);
      checkDeclaredLength(request.headers['content-length'], deps.maxUploadBytes);
      const ticket = deps.gate.enter(train.traceName);
      try {
        const body = new UploadBody(request.raw, { maxBytes: deps.maxUploadBytes, idleMs: deps.uploadIdleMs, signal: deps.gate.signal });
        const trained = await trainUpload(body, train, {
          signal: deps.gate.signal,
          ...(deps.training ? { training: deps.training } : {}),
          onProgress: (bytes, packets) => Object.assign(ticket.progress, { bytes, packets }),
        });
        const announcement = buildAnnouncement(trained, train, deps.trainerName, deps.nowMs());
        const publishStart = performance.now();
        const { alreadyStored } = await deps.models.publish(trained.bytes, announcement);
        const publishMs = performance.now() - publishStart;
        const { modelId, bytes } = trained.result;
        return reply
          .status(201)
          .header('location', `/v1/models/${modelId}`)
          .send({
            modelId,
            bytes,
            rows: trained.rows,
            predictedPackets: trained.predictedPackets,
            flows: trained.result.flows,
            ...announcement.summary,
            finishMs: trained.finishMs,
            publishMs,
            alreadyStored,
            createdAtUnixMs: announcement.createdAtUnixMs,
            trainer: announcement.trainer,
            bucket: announcement.bucket,
          });
      } finally {
        ticket.leave();
      }
    });
  });
  app.get('/v1/uploads', async () => ({ uploads: deps.gate.list() }));
}
