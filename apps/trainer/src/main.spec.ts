/**
 * The trainer as a process (issue 6, "Security"): started from env and flags, it listens on
 * loopback, answers /healthz, guards /v1 with the token, trains an upload, and exits 0 on
 * SIGTERM; a bad configuration exits 1 with a coded one-line error.
 */
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort, repoRoot, startNatsServer, waitUntil, type NatsServer } from '@memoco/testbed';

const main = join(dirname(fileURLToPath(import.meta.url)), 'main.ts');
const TOKEN = 'process-test-token-0123';

let nats: NatsServer;
beforeAll(async () => {
  nats = await startNatsServer({ user: 'memoco', pass: 'pw' });
});
afterAll(async () => nats?.stop());

function startMain(args: string[], env: Record<string, string>) {
  const child = spawn(process.execPath, ['--import', 'tsx', main, ...args], { env: { ...process.env, ...env }, stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (chunk) => (stderr += String(chunk)));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return { child, exited, stderr: () => stderr };
}

describe('trainer main', () => {
  it('serves with the configured token, trains an upload and stops cleanly on SIGTERM', async () => {
    const port = await freePort();
    const env = { MEMOCO_NATS_URL: nats.url, MEMOCO_NATS_USER: 'memoco', MEMOCO_NATS_PASSWORD: 'pw', MEMOCO_API_TOKEN: TOKEN, MEMOCO_TRAINER_MAX_UPLOAD_BYTES: '999999999' };
    const proc = startMain(['--port', String(port), '--name', 'trainer-proc'], env);
    try {
      const base = `http://127.0.0.1:${port}`;
      const health = await waitUntil(() => fetch(`${base}/healthz`).then((r) => r.json(), () => undefined), 30_000, 200);
      expect(health, proc.stderr()).toEqual({ ok: true, nats: true, uploads: 0 });
      expect((await fetch(`${base}/v1/models`)).status).toBe(401);
      const auth = { authorization: `Bearer ${TOKEN}` };
      const upload = await fetch(`${base}/v1/traces?name=tls2`, { method: 'POST', headers: { ...auth, 'content-type': 'application/vnd.tcpdump.pcap' }, body: readFileSync(join(repoRoot(), 'samples', 'pcpp__tls2.pcap')) });
      const model = (await upload.json()) as any;
      expect([upload.status, model.trainer]).toEqual([201, 'trainer-proc']);
      const list = (await (await fetch(`${base}/v1/models`, { headers: auth })).json()) as any;
      expect(list.models.map((m: { modelId: string }) => m.modelId)).toEqual([model.modelId]);
    } finally {
      proc.child.kill('SIGTERM');
    }
    expect(await proc.exited, proc.stderr()).toBe(0);
    expect(proc.stderr()).toMatch(/trainer-proc listening on http:\/\/127\.0\.0\.1:\d+ \(NATS: nats:\/\/127\.0\.0\.1:\d+, upload limit 999999999 bytes, native training pass\)/);
    expect(proc.stderr()).toMatch(/SIGTERM, shutting down/);
  });

  it('refuses a contradictory configuration with a coded one-line error', async () => {
    const proc = startMain(['--host', '0.0.0.0'], { MEMOCO_API_TOKEN: '' });
    expect(await proc.exited).toBe(1);
    expect(proc.stderr().trim()).toBe('trainer: TRAINER_ERR_CONFIG: listening on 0.0.0.0 (not loopback) needs an API token (MEMOCO_API_TOKEN)');
  });

  it('exits 1 with TRAINER_ERR_NATS when NATS refuses its credentials', async () => {
    const proc = startMain(['--port', '0'], { MEMOCO_NATS_URL: nats.url, MEMOCO_NATS_USER: 'memoco', MEMOCO_NATS_PASSWORD: 'wrong' });
    expect(await proc.exited).toBe(1);
    expect(proc.stderr().trim()).toMatch(/^trainer: TRAINER_ERR_NATS: cannot connect to NATS at nats:\/\/127\.0\.0\.1:\d+: .+$/);
  });
});
