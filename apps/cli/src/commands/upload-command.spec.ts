/**
 * `memoco upload` against a real trainer process (apps/trainer/src/main.ts) on a real
 * nats-server: the model it reports is the one the trainer stored, errors are the trainer's
 * codes in one line, an unreachable trainer has its own code.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { trainModel } from '@memoco/flow-model';
import { freePort, makeTempDir, repoRoot, startNatsServer, waitUntil, type NatsServer, type TempDir } from '@memoco/testbed';
import { captureIo } from '../io-capture.ts';
import { runCli } from '../main.ts';
import { createUploadCommand } from './upload-command.ts';
import { formatUploadProgress } from './upload-command-progress.ts';

const TOKEN = 'upload-cli-test-token-0123';
const SAMPLE = join(repoRoot(), 'samples', 'pcpp__tls2.pcap');
const TRAINER_MAIN = join(repoRoot(), 'apps', 'trainer', 'src', 'main.ts');
/** Below twice the sample: a doubled sample is refused by its Content-Length. */
const UPLOAD_LIMIT = 4_000_000;

let nats: NatsServer;
let trainer: ChildProcess;
let trainerUrl: string;
let temp: TempDir;
let trainerLog = '';

beforeAll(async () => {
  temp = makeTempDir('upload-cli');
  nats = await startNatsServer({ user: 'memoco', pass: 'pw' });
  const port = await freePort();
  trainerUrl = `http://127.0.0.1:${port}`;
  trainer = spawn(process.execPath, ['--import', 'tsx', TRAINER_MAIN, '--port', String(port), '--name', 'cli-trainer'], {
    env: { ...process.env, MEMOCO_NATS_URL: nats.url, MEMOCO_NATS_USER: 'memoco', MEMOCO_NATS_PASSWORD: 'pw', MEMOCO_API_TOKEN: TOKEN, MEMOCO_TRAINER_MAX_UPLOAD_BYTES: String(UPLOAD_LIMIT) },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  trainer.stderr!.on('data', (d) => (trainerLog += String(d)));
  const up = await waitUntil(() => fetch(`${trainerUrl}/healthz`).then((r) => (r.ok ? true : undefined), () => undefined), 30_000, 200);
  if (!up) throw new Error(`the trainer did not start: ${trainerLog}`);
});
afterAll(async () => {
  if (trainer && trainer.exitCode === null) {
    const exited = new Promise((r) => trainer.once('exit', r));
    trainer.kill('SIGTERM');
    await exited;
  }
  await nats?.stop();
  temp?.remove();
});

async function upload(args: string[], env: Record<string, string> = { MEMOCO_TRAINER_URL: trainerUrl, MEMOCO_API_TOKEN: TOKEN }, isTty = false) {
  const io = captureIo({ isTty });
  const code = await runCli(['upload', ...args], io, [createUploadCommand({ env })]);
  return { code, stdout: io.stdout(), stderr: io.stderr() };
}

describe('memoco upload', () => {
  it('streams the sample and prints the id of the model the trainer stored (--json), the one memoco train makes', async () => {
    const { code, stdout, stderr } = await upload([SAMPLE, '--json', '--bin-ms', '20']);
    expect([code, stderr]).toEqual([0, '']);
    const out = JSON.parse(stdout);
    const reference = await trainModel(SAMPLE, { binMs: 20 });
    expect(out).toMatchObject({ modelId: reference.result.modelId, bytes: reference.result.bytes, flows: reference.result.flows, packets: reference.result.packets, binMs: 20, traceName: 'pcpp__tls2.pcap', trainer: 'cli-trainer', trainerUrl });
    expect(out.uploadBytes).toBe(readFileSync(SAMPLE).length);
    for (const key of ['uploadSeconds', 'answerMs', 'finishMs', 'publishMs']) expect(typeof out[key], key).toBe('number');
    const stored = await fetch(`${trainerUrl}/v1/models/${out.modelId}`, { headers: { authorization: `Bearer ${TOKEN}` } });
    expect(((await stored.json()) as any).summary.traceName).toBe('pcpp__tls2.pcap');
  });

  it('prints a summary for a person and draws a progress bar on a terminal, with flags over the environment', async () => {
    const { code, stdout, stderr } = await upload([SAMPLE, '--trainer', trainerUrl, '--token', TOKEN, '--name', 'tls'], { MEMOCO_TRAINER_URL: 'http://127.0.0.1:1', MEMOCO_API_TOKEN: 'not-the-token-0123456' }, true);
    expect(code, stderr).toBe(0);
    expect(stdout).toMatch(/^modelId    [0-9a-f]{64}\ntrainer    cli-trainer at http:\/\/127\.0\.0\.1:\d+\nbytes      \d+\nflows      \d+ \(\d+ modelled one by one, \d+ classes for the rest\)\n/);
    expect(stdout).toMatch(/\nuploaded   2\.85 MB in [\d.]+ s( \([\d.]+ MB\/s\))?; model published \d+ ms after the last byte\n$/);
    expect(stderr).toMatch(/\rupload \[#{24}\] 2\.9\/2\.9 MB 100% [\d.]+ MB\/s, training the last packets\x1b\[K/);
    expect(stderr.endsWith('\r\x1b[K')).toBe(true);
  });

  it("finds the trainer and the token in the local fleet's state file (memoco up's DIR/fleet.json)", async () => {
    const dir = join(temp.path, 'fleet');
    mkdirSync(dir);
    writeFileSync(join(dir, 'fleet.json'), JSON.stringify({ format: 'memoco.fleet/1', token: TOKEN, trainer: { url: trainerUrl, pid: null }, controller: { url: 'http://127.0.0.1:1', pid: null } }));
    const byFlag = await upload([SAMPLE, '--dir', dir, '--json'], {});
    expect([byFlag.code, byFlag.stderr]).toEqual([0, '']);
    expect(JSON.parse(byFlag.stdout)).toMatchObject({ trainer: 'cli-trainer', trainerUrl });
    const byEnv = await upload([SAMPLE, '--json'], { MEMOCO_FLEET_DIR: dir });
    expect(byEnv.code, byEnv.stderr).toBe(0);

    writeFileSync(join(dir, 'fleet.json'), '{"format": "something else"}');
    expect((await upload([SAMPLE, '--dir', dir], {})).stderr).toBe(`memoco upload: CLI_ERR_USAGE: upload: ${join(dir, 'fleet.json')} is not a memoco.fleet/1 state file (give --trainer URL, or --dir of a memoco up)\n`);
    const none = join(temp.path, 'no-fleet');
    expect((await upload([SAMPLE, '--dir', none], {})).stderr).toBe(`memoco upload: CLI_ERR_USAGE: upload: no local fleet in ${none} (no fleet.json); start one with memoco up, or give --trainer URL\n`);
  });

  it("reports the trainer's code and message in one line: wrong token, corrupt trace, too large", async () => {
    const wrong = await upload([SAMPLE, '--token', 'wrong-token-0123456789']);
    expect([wrong.code, wrong.stderr]).toEqual([1, 'memoco upload: TRAINER_ERR_UNAUTHORIZED: the bearer token is wrong\n']);

    const cut = join(temp.path, 'cut.pcap');
    const whole = readFileSync(SAMPLE);
    writeFileSync(cut, whole.subarray(0, whole.length - 100));
    const corrupt = await upload([cut]);
    expect(corrupt.code).toBe(1);
    expect(corrupt.stderr).toMatch(/^memoco upload: PCAP_ERR_TRUNCATED_RECORD: .* \(offset \d+, record \d+\)\n$/);

    const big = join(temp.path, 'big.pcap');
    writeFileSync(big, Buffer.concat([whole, whole]));
    const tooLarge = await upload([big]);
    expect([tooLarge.code, tooLarge.stderr]).toEqual([1, `memoco upload: TRAINER_ERR_UPLOAD_TOO_LARGE: the upload's Content-Length ${2 * whole.length} is over the limit of ${UPLOAD_LIMIT} bytes (MEMOCO_TRAINER_MAX_UPLOAD_BYTES); nothing was read\n`]);
  });

  it('has its own codes for a trainer that is not there and a file that is not there, and usage errors exit 2', async () => {
    const port = await freePort();
    const refused = await upload([SAMPLE, '--trainer', `http://127.0.0.1:${port}`]);
    expect([refused.code, refused.stderr]).toEqual([1, `memoco upload: TRAINER_ERR_UNREACHABLE: cannot reach the trainer at http://127.0.0.1:${port} (ECONNREFUSED); is it running? (--trainer, MEMOCO_TRAINER_URL)\n`]);
    const missing = await upload([join(temp.path, 'nope.pcap')]);
    expect([missing.code, missing.stderr]).toEqual([1, `memoco upload: MEMOCO_ERR_IO: cannot read ${join(temp.path, 'nope.pcap')}: no such file\n`]);
    expect((await upload([])).code).toBe(2);
    expect((await upload([SAMPLE, '--trainer', 'ftp://x'])).stderr).toBe("memoco upload: CLI_ERR_USAGE: upload: --trainer must be an http(s) URL, got 'ftp://x'\n");
    expect((await upload([SAMPLE, '--max-model-bytes', '10'])).code).toBe(2);
  });
});

describe('formatUploadProgress', () => {
  it('shows bytes sent of the total, the share and the rate', () => {
    expect(formatUploadProgress(25e6, 100e6, 0.5)).toBe('upload [######..................] 25.0/100.0 MB 25% 50.0 MB/s');
  });
});
