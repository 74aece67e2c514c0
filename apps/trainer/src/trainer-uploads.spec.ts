/**
 * POST /v1/traces against a real nats-server (issue 6): a trace streams through the online
 * trainer, the model lands in the object store under the SHA-256 of its bytes and is
 * announced; bad input, oversized and abandoned uploads leave nothing behind.
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodeFlowModel, trainModel } from '@memoco/flow-model';
import { PcapWriter } from '@memoco/pcap';
import { connect } from '@nats-io/transport-node';
import { SUBJECTS, decodeMessage } from '@memoco/protocol';
import { makeTempDir, repoRoot, sharedPcap, waitUntil, type TempDir } from '@memoco/testbed';
import { startSocketUpload } from './testing/socket-upload.ts';
import { TEST_TOKEN, startTrainerFixture, type TrainerFixture, type TrainerUnderTest } from './testing/trainer-fixture.ts';

const SAMPLE = join(repoRoot(), 'samples', 'pcpp__tls2.pcap');
/** A real capture of the shared corpus, pcapng, uploaded through a socket. */
const REAL_CAPTURE = 'ndpi__alexa-app.pcapng';
const realCapture = sharedPcap(REAL_CAPTURE);

let fx: TrainerFixture;
let trainer: TrainerUnderTest;
let temp: TempDir;

beforeAll(async () => {
  fx = await startTrainerFixture();
  trainer = await fx.startTrainer('trainer-a');
  await trainer.listen();
  temp = makeTempDir('trainer-spec');
});
afterAll(async () => {
  await fx?.stop();
  temp?.remove();
});

async function pcapOf(name: string, frames: Uint8Array[]): Promise<Buffer> {
  const path = join(temp.path, name);
  const writer = new PcapWriter(path);
  frames.forEach((f, i) => writer.write(1_600_000_000 + i, 0, f));
  await writer.close();
  return readFileSync(path);
}
const arp = () => Uint8Array.from([...new Array(12).fill(0xff), 0x08, 0x06, ...new Array(46).fill(0)]);
const sha256 = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex');

/** What the store and the stream hold, to check that a failed upload left nothing. */
async function published(): Promise<string> {
  const objects = (await fx.storedModels()).map((o) => `${o.name}:${o.revision}`).sort();
  const announcements = (await fx.announcements()).map((a) => `${a.modelId}@${a.createdAtUnixMs}`);
  return JSON.stringify({ objects, announcements });
}

describe('POST /v1/traces', () => {
  it('trains the sample, stores the model under its SHA-256 and announces it; the bytes are those memoco train writes', async () => {
    const trace = readFileSync(SAMPLE);
    const res = await trainer.request('POST', '/v1/traces?binMs=10&name=pcpp__tls2.pcap', { payload: trace });
    expect(res.status, JSON.stringify(res.json)).toBe(201);
    const body = res.json;
    expect(res.headers.location).toBe(`/v1/models/${body.modelId}`);
    expect(body).toMatchObject({ binMs: 10, uploadBytes: trace.length, traceName: 'pcpp__tls2.pcap', trainer: 'trainer-a', bucket: 'memoco-models', alreadyStored: false });
    for (const key of ['flows', 'modelledFlows', 'classes', 'packets', 'rows', 'predictedPackets', 'trainSeconds', 'finishMs', 'publishMs', 'traceSeconds']) expect(typeof body[key], key).toBe('number');

    const stored = await fx.storedBytes(body.modelId);
    expect(stored).not.toBeNull();
    expect(sha256(stored!)).toBe(body.modelId);
    const model = decodeFlowModel(stored!);
    expect(model.info.tracePackets).toBe(body.packets);
    expect(model.tables.kind.length).toBe(body.rows);
    // memoco train on the same file (libs/flow-model's trainModel): byte-identical model.
    const reference = await trainModel(SAMPLE, { binMs: 10 });
    expect(Buffer.from(stored!).equals(Buffer.from(reference.bytes))).toBe(true);
    expect(body).toMatchObject({ modelId: reference.result.modelId, flows: reference.result.flows, packets: reference.result.packets, bytes: reference.result.bytes });

    const announced = (await fx.announcements()).filter((a) => a.modelId === body.modelId);
    expect(announced).toHaveLength(1);
    expect(announced[0]).toMatchObject({ sha256: body.modelId, bytes: stored!.length, flows: body.rows, trainer: 'trainer-a', summary: { traceName: 'pcpp__tls2.pcap', packets: body.packets } });
  });

  it('fits the model while a real capture arrives through a socket, and publishes it after the last byte', async () => {
    if (!realCapture) {
      console.warn(`skipped: ../shared/data/pcaps/${REAL_CAPTURE} is absent (the shared corpus is not on this machine)`);
      return;
    }
    const trace = readFileSync(realCapture);
    const upload = startSocketUpload(trainer.url!, { token: TEST_TOKEN, query: `name=${REAL_CAPTURE}` });
    const half = Math.floor(trace.length / 2);
    for (let at = 0; at < half; at += 16 * 1024) await upload.send(trace.subarray(at, Math.min(at + 16 * 1024, half)));
    // The second half is not sent yet, and packets are already trained on.
    const during = await waitUntil(async () => {
      const { json } = await trainer.request('GET', '/v1/uploads');
      return json.uploads[0]?.packets > 0 ? json.uploads[0] : undefined;
    }, 10_000);
    expect(during, 'no training progress while the upload was half sent').toMatchObject({ traceName: REAL_CAPTURE });
    expect(during.bytes).toBeLessThanOrEqual(half);
    for (let at = half; at < trace.length; at += 16 * 1024) await upload.send(trace.subarray(at, Math.min(at + 16 * 1024, trace.length)));
    const answer = await upload.finish();
    expect(answer.status, JSON.stringify(answer.json)).toBe(201);
    const reference = await trainModel(realCapture);
    expect(answer.json.modelId).toBe(reference.result.modelId);
    expect(sha256((await fx.storedBytes(answer.json.modelId))!)).toBe(answer.json.modelId);
    expect((await trainer.request('GET', '/v1/uploads')).json.uploads).toEqual([]);
  });

  it('takes the body whatever its content type says, or without one', async () => {
    const trace = readFileSync(join(repoRoot(), 'libs', 'pcap', 'fixtures', 'zeek__wikipedia.pcap'));
    for (const contentType of [null, 'application/json', 'application/x-www-form-urlencoded', 'application/vnd.tcpdump.pcap']) {
      const upload = startSocketUpload(trainer.url!, { token: TEST_TOKEN, contentType, contentLength: trace.length });
      await upload.send(trace);
      const answer = await upload.finish();
      expect([answer.status, answer.json.packets], String(contentType)).toEqual([201, 126]);
    }
  });

  it('answers a second upload of the same trace with the same id, stored once', async () => {
    const trace = readFileSync(SAMPLE);
    const first = await trainer.request('POST', '/v1/traces', { payload: trace, headers: { 'memoco-bin-ms': '10' } });
    const objects = (await fx.storedModels()).length;
    const again = await trainer.request('POST', '/v1/traces', { payload: trace, headers: { 'memoco-bin-ms': '10' } });
    expect([first.status, again.status]).toEqual([201, 201]);
    expect(again.json).toMatchObject({ modelId: first.json.modelId, alreadyStored: true });
    expect((await fx.storedModels()).length).toBe(objects);
  });
});

describe('POST /v1/traces with bad input', () => {
  it('refuses a truncated capture with the reader code, offset and record, storing and announcing nothing', async () => {
    const before = await published();
    const trace = readFileSync(SAMPLE);
    const res = await trainer.request('POST', '/v1/traces', { payload: trace.subarray(0, trace.length - 10) });
    expect(res.status).toBe(400);
    expect(res.json.error).toMatchObject({ code: 'PCAP_ERR_TRUNCATED_RECORD', offset: expect.any(Number), record: expect.any(Number) });
    expect(res.json.error.message).toMatch(/\(offset \d+, record \d+\)$/);
    expect(await published()).toBe(before);
  });

  it('refuses input that is not a capture, an empty body, a capture without packets and one without IP packets', async () => {
    const before = await published();
    const cases: [Buffer, number, string][] = [
      [Buffer.from('GIF89a this is not a capture at all'), 400, 'PCAP_ERR_BAD_MAGIC'],
      [Buffer.alloc(0), 400, 'PCAP_ERR_BAD_MAGIC'],
      [await pcapOf('empty.pcap', []), 400, 'FLOWMODEL_ERR_EMPTY_TRACE'],
      [await pcapOf('arp.pcap', [arp(), arp(), arp()]), 400, 'FLOWMODEL_ERR_NO_IP_PACKETS'],
    ];
    for (const [payload, status, code] of cases) {
      const res = await trainer.request('POST', '/v1/traces', { payload });
      expect([res.status, res.json.error.code], res.json.error.message).toEqual([status, code]);
    }
    expect(await published()).toBe(before);
  });

  it('refuses bad train options before reading the body', async () => {
    const trace = readFileSync(SAMPLE);
    const res = await trainer.request('POST', '/v1/traces?binMs=soon', { payload: trace });
    expect([res.status, res.json.error]).toEqual([400, { code: 'TRAINER_ERR_BAD_REQUEST', message: 'binMs must be a number of milliseconds, got "soon"' }]);
    const range = await trainer.request('POST', '/v1/traces?maxModelBytes=1000', { payload: trace });
    expect([range.status, range.json.error]).toEqual([400, { code: 'FLOWMODEL_ERR_BAD_OPTIONS', message: 'maxModelBytes must be an integer >= 16384, got 1000' }]);
    expect((await trainer.request('POST', '/v1/traces?seed=1', { payload: trace })).json.error.message).toBe('unknown query parameter "seed" (known: binMs, maxModelBytes, name)');
  });

  it('needs the bearer token (401), /healthz does not', async () => {
    const res = await trainer.app.inject({ method: 'POST', url: '/v1/traces', headers: { authorization: 'Bearer wrong-token-0123456789' }, payload: readFileSync(SAMPLE) });
    expect([res.statusCode, res.json().error.code]).toEqual([401, 'TRAINER_ERR_UNAUTHORIZED']);
    expect((await trainer.app.inject({ method: 'GET', url: '/v1/models' })).statusCode).toBe(401);
    expect((await trainer.app.inject({ method: 'GET', url: '/healthz' })).json()).toEqual({ ok: true, nats: true, uploads: 0 });
  });
});

describe('upload limits', () => {
  it('refuses a declared length over the limit at once, and stops a chunked upload at the limit (413), publishing nothing', async () => {
    const small = await fx.startTrainer('trainer-small', { maxUploadBytes: 256 * 1024 });
    const url = await small.listen();
    const before = await published();
    const trace = readFileSync(SAMPLE);
    const declared = await small.request('POST', '/v1/traces', { payload: trace });
    expect([declared.status, declared.json.error.code]).toEqual([413, 'TRAINER_ERR_UPLOAD_TOO_LARGE']);
    expect(declared.json.error.message).toBe(`the upload's Content-Length ${trace.length} is over the limit of 262144 bytes (MEMOCO_TRAINER_MAX_UPLOAD_BYTES); nothing was read`);

    const upload = startSocketUpload(url, { token: TEST_TOKEN });
    let sent = 0;
    for (let at = 0; at < trace.length && sent < 2 * 1024 * 1024; at += 32 * 1024) {
      await upload.send(trace.subarray(at, at + 32 * 1024));
      sent += 32 * 1024;
    }
    const answer = await upload.answer;
    upload.abort();
    expect([answer.status, answer.json.error.code]).toEqual([413, 'TRAINER_ERR_UPLOAD_TOO_LARGE']);
    expect(answer.json.error.message).toMatch(/^the upload passed the limit of 262144 bytes \(MEMOCO_TRAINER_MAX_UPLOAD_BYTES\) and was stopped at \d+ bytes; nothing was stored$/);
    expect(sent).toBeLessThan(trace.length);
    expect(await published()).toBe(before);
  });

  it('frees everything and publishes nothing when the client disconnects mid-upload', async () => {
    const before = await published();
    const trace = readFileSync(SAMPLE);
    const upload = startSocketUpload(trainer.url!, { token: TEST_TOKEN });
    for (let at = 0; at < trace.length / 2; at += 16 * 1024) await upload.send(trace.subarray(at, at + 16 * 1024));
    expect(await waitUntil(async () => ((await trainer.request('GET', '/v1/uploads')).json.uploads.length === 1 ? true : undefined), 10_000)).toBe(true);
    upload.abort();
    expect(await waitUntil(() => (trainer.gate.active === 0 ? true : undefined), 10_000)).toBe(true);
    expect(await published()).toBe(before);
  });

  it('stops an upload that stalls (408) and refuses one upload too many (503)', async () => {
    const one = await fx.startTrainer('trainer-one', { maxConcurrentUploads: 1, uploadIdleMs: 1500 });
    const url = await one.listen();
    const before = await published();
    const trace = readFileSync(SAMPLE);
    const stalled = startSocketUpload(url, { token: TEST_TOKEN });
    await stalled.send(trace.subarray(0, 200_000));
    await waitUntil(() => (one.gate.active === 1 ? true : undefined), 5000);
    const busy = await one.request('POST', '/v1/traces', { payload: trace });
    expect([busy.status, busy.json.error.code]).toEqual([503, 'TRAINER_ERR_BUSY']);
    const answer = await stalled.answer;
    stalled.abort();
    expect([answer.status, answer.json.error.code]).toEqual([408, 'TRAINER_ERR_UPLOAD_STALLED']);
    expect(one.gate.active).toBe(0);
    expect(await published()).toBe(before);
  });
});

describe('shutting down', () => {
  it('stops an upload in progress with TRAINER_ERR_SHUTTING_DOWN and stores nothing', async () => {
    const stopping = await fx.startTrainer('trainer-stopping');
    const url = await stopping.listen();
    const before = await published();
    const trace = readFileSync(SAMPLE);
    const upload = startSocketUpload(url, { token: TEST_TOKEN });
    await upload.send(trace.subarray(0, 300_000));
    await waitUntil(() => (stopping.gate.active === 1 ? true : undefined), 5000);
    const closed = stopping.app.close();
    const answer = await upload.answer;
    upload.abort();
    await closed;
    expect([answer.status, answer.json.error.code]).toEqual([503, 'TRAINER_ERR_SHUTTING_DOWN']);
    expect(await published()).toBe(before);
  });
});

describe('the announcement on NATS', () => {
  it('arrives on memoco.v1.models.<id>.announce once the model is stored', async () => {
    const nc = await connect({ servers: fx.servers, user: 'memoco', pass: 'trainer-secret' });
    try {
      const sub = nc.subscribe(SUBJECTS.modelAnnounceAny, { max: 1 });
      await nc.flush();
      const res = await trainer.request('POST', '/v1/traces?binMs=25', { payload: readFileSync(SAMPLE) });
      expect(res.status).toBe(201);
      const received = await Promise.race([
        (async () => {
          for await (const msg of sub) return msg;
          return undefined;
        })(),
        new Promise<undefined>((r) => setTimeout(() => r(undefined), 5000)),
      ]);
      expect(received?.subject).toBe(`memoco.v1.models.${res.json.modelId}.announce`);
      const announcement = decodeMessage('modelAnnouncement', received!.data);
      expect(announcement).toMatchObject({ modelId: res.json.modelId, trainer: 'trainer-a', summary: { binMs: 25 } });
      // Announced after it was stored: whoever hears it can fetch it.
      expect(sha256((await fx.storedBytes(announcement.modelId))!)).toBe(announcement.modelId);
    } finally {
      await nc.close();
    }
  });
});
