/**
 * The model routes and trainers side by side against a real nats-server (issue 6):
 * listing, summaries and content come from NATS, so any trainer serves any trainer's models.
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { repoRoot, sharedPcap } from '@memoco/testbed';
import { startTrainerFixture, type TrainerFixture, type TrainerUnderTest } from './testing/trainer-fixture.ts';

const SAMPLE = join(repoRoot(), 'samples', 'pcpp__tls2.pcap');
const WIKI = join(repoRoot(), 'libs', 'pcap', 'fixtures', 'zeek__wikipedia.pcap');
const sha256 = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex');

let fx: TrainerFixture;
let a: TrainerUnderTest;
let b: TrainerUnderTest;
beforeAll(async () => {
  fx = await startTrainerFixture();
  a = await fx.startTrainer('trainer-a');
  b = await fx.startTrainer('trainer-b');
});
afterAll(async () => fx?.stop());

describe('two trainers on one NATS', () => {
  it('train at the same time, and each lists, describes and serves both models', async () => {
    const extra = sharedPcap('pcpp__example.pcap') ?? WIKI;
    const [ra, rb] = await Promise.all([
      a.request('POST', '/v1/traces?name=tls2', { payload: readFileSync(SAMPLE) }),
      b.request('POST', '/v1/traces?name=other', { payload: readFileSync(extra) }),
    ]);
    expect([ra.status, rb.status]).toEqual([201, 201]);
    expect([ra.json.trainer, rb.json.trainer]).toEqual(['trainer-a', 'trainer-b']);
    for (const t of [a, b]) {
      const list = await t.request('GET', '/v1/models');
      expect(list.json.models.map((m: { modelId: string }) => m.modelId).sort()).toEqual([ra.json.modelId, rb.json.modelId].sort());
      const other = t === a ? rb : ra;
      const summary = await t.request('GET', `/v1/models/${other.json.modelId}`);
      expect(summary.json).toMatchObject({ modelId: other.json.modelId, sha256: other.json.modelId, bytes: other.json.bytes, announced: true, trainer: other.json.trainer, rows: other.json.rows, summary: { traceName: other.json.traceName, packets: other.json.packets } });
      const content = await t.request('GET', `/v1/models/${other.json.modelId}/content`);
      expect(content.status).toBe(200);
      expect(content.headers).toMatchObject({ 'content-type': 'application/octet-stream', 'content-length': String(other.json.bytes), etag: `"${other.json.modelId}"` });
      expect(content.headers['repr-digest']).toBe(`sha-256=:${Buffer.from(other.json.modelId, 'hex').toString('base64')}:`);
      expect(sha256(content.raw)).toBe(other.json.modelId);
    }
  });
});

describe('GET /v1/models/:id', () => {
  it('answers 400 for a malformed id and 404 for an unknown one', async () => {
    const bad = await a.request('GET', '/v1/models/not-a-model');
    expect([bad.status, bad.json.error]).toEqual([400, { code: 'TRAINER_ERR_BAD_MODEL_ID', message: '"not-a-model" is not a model id (64 lowercase hex digits, the SHA-256 of the model)' }]);
    expect((await a.request('GET', `/v1/models/${'A'.repeat(64)}/content`)).json.error.code).toBe('TRAINER_ERR_BAD_MODEL_ID');
    const unknown = 'f'.repeat(64);
    for (const url of [`/v1/models/${unknown}`, `/v1/models/${unknown}/content`]) {
      const res = await a.request('GET', url);
      expect([res.status, res.json.error]).toEqual([404, { code: 'TRAINER_ERR_MODEL_NOT_FOUND', message: `no model ${unknown} in the model store` }]);
    }
  });

  it('describes an object stored without an announcement, and refuses to serve bytes that do not hash to their id', async () => {
    const foreign = new TextEncoder().encode('a model stored by another tool');
    await fx.putRaw(sha256(foreign), foreign);
    const summary = await a.request('GET', `/v1/models/${sha256(foreign)}`);
    expect(summary.json).toMatchObject({ modelId: sha256(foreign), bytes: foreign.length, announced: false });
    expect(summary.json.trainer).toBeUndefined();
    expect(sha256((await a.request('GET', `/v1/models/${sha256(foreign)}/content`)).raw)).toBe(sha256(foreign));

    const wrongId = sha256(new TextEncoder().encode('what the id promises'));
    await fx.putRaw(wrongId, new TextEncoder().encode('something else'));
    const res = await b.request('GET', `/v1/models/${wrongId}/content`);
    expect([res.status, res.json.error.code]).toEqual([502, 'TRAINER_ERR_MODEL_CORRUPT']);
    expect(res.json.error.message).toBe(`the model store records digest ${sha256(new TextEncoder().encode('something else'))} for model ${wrongId}`);
  });
});
