/**
 * The model store over HTTP (issue 6): `GET /v1/models`, `GET /v1/models/:id` (its summary)
 * and `GET /v1/models/:id/content` (the ONNX bytes, streamed). A model is identified by the
 * SHA-256 of its bytes (design.md invariant): the content route refuses an object whose
 * recorded digest is not its id, and hashes the bytes while sending them; if they do not
 * hash to the id the response is cut short, so no client takes them for a whole model.
 */
import { createHash } from 'node:crypto';
import { Readable } from 'node:stream';
import type { FastifyInstance } from 'fastify';
import { MODEL_ID_PATTERN, MemocoError } from '@memoco/protocol';
import type { ModelStore } from './model-store.ts';
import { modelView } from './model-view.ts';

function checkedId(raw: string): string {
  if (!MODEL_ID_PATTERN.test(raw)) {
    throw new MemocoError('TRAINER_ERR_BAD_MODEL_ID', `"${raw.slice(0, 80)}" is not a model id (64 lowercase hex digits, the SHA-256 of the model)`, { status: 400 });
  }
  return raw;
}

const notFound = (id: string) => new MemocoError('TRAINER_ERR_MODEL_NOT_FOUND', `no model ${id} in the model store`, { status: 404 });

async function* verified(chunks: AsyncIterable<Uint8Array>, modelId: string): AsyncGenerator<Uint8Array> {
  const hash = createHash('sha256');
  for await (const chunk of chunks) {
    hash.update(chunk);
    yield chunk;
  }
  const digest = hash.digest('hex');
  if (digest !== modelId) throw new MemocoError('TRAINER_ERR_MODEL_CORRUPT', `model ${modelId}'s bytes hash to ${digest}`, { status: 502 });
}

export function registerModelRoutes(app: FastifyInstance, deps: { models: ModelStore }): void {
  app.get('/v1/models', async () => ({ models: (await deps.models.list()).map(modelView) }));

  app.get<{ Params: { id: string } }>('/v1/models/:id', async (request) => {
    const id = checkedId(request.params.id);
    const model = await deps.models.get(id);
    if (!model) throw notFound(id);
    return modelView(model);
  });

  app.get<{ Params: { id: string } }>('/v1/models/:id/content', async (request, reply) => {
    const id = checkedId(request.params.id);
    // Checked before the store starts sending (it streams the bytes once asked).
    const stored = await deps.models.get(id);
    if (!stored) throw notFound(id);
    if (stored.storedSha256 !== id) {
      throw new MemocoError('TRAINER_ERR_MODEL_CORRUPT', `the model store records digest ${stored.storedSha256 || '(none)'} for model ${id}`, { status: 502 });
    }
    const content = await deps.models.open(id);
    if (!content) throw notFound(id);
    const stream = Readable.from(verified(content.chunks, id), { objectMode: false });
    stream.on('error', (error) => request.log.error({ err: error }, 'model content cut short'));
    return reply
      .header('content-type', 'application/octet-stream')
      .header('content-length', String(content.bytes))
      .header('etag', `"${id}"`)
      .header('repr-digest', `sha-256=:${Buffer.from(id, 'hex').toString('base64')}:`)
      .send(stream);
  });
}
