/**
 * The controller as a process (issue 6, "Security"): started from env and flags, it
 * listens on loopback, answers /healthz, guards /v1 with the token, and exits 0 on SIGTERM.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort, startNatsServer, waitUntil, type NatsServer } from '@memoco/testbed';

const main = join(dirname(fileURLToPath(import.meta.url)), 'main.ts');
const TOKEN = 'process-test-token-0123';

let nats: NatsServer;
let dataDir: string;
beforeAll(async () => {
  nats = await startNatsServer({ user: 'memoco', pass: 'pw' });
  dataDir = mkdtempSync(join(tmpdir(), 'memoco-controller-'));
});
afterAll(async () => {
  await nats?.stop();
  rmSync(dataDir, { recursive: true, force: true });
});

describe('controller main', () => {
  it('serves with the configured token and stops cleanly on SIGTERM', async () => {
    const port = await freePort();
    const env = { ...process.env, MEMOCO_NATS_URL: nats.url, MEMOCO_NATS_USER: 'memoco', MEMOCO_NATS_PASSWORD: 'pw', MEMOCO_API_TOKEN: TOKEN };
    const child = spawn(process.execPath, ['--import', 'tsx', main, '--port', String(port), '--data-dir', dataDir], { env, stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (chunk) => (stderr += String(chunk)));
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    try {
      const base = `http://127.0.0.1:${port}`;
      const health = await waitUntil(() => fetch(`${base}/healthz`).then((r) => r.json(), () => undefined), 30_000, 200);
      expect(health, stderr).toEqual({ ok: true, nats: true });
      expect((await fetch(`${base}/v1/runs`)).status).toBe(401);
      const runs = await fetch(`${base}/v1/runs`, { headers: { authorization: `Bearer ${TOKEN}` } });
      expect(await runs.json()).toEqual({ runs: [] });
    } finally {
      child.kill('SIGTERM');
    }
    expect(await exited, stderr).toBe(0);
    expect(stderr).toMatch(/SIGTERM, shutting down/);
  });

  it('refuses a contradictory configuration with a coded one-line error', async () => {
    const child = spawn(process.execPath, ['--import', 'tsx', main, '--host', '0.0.0.0'], { env: { ...process.env, MEMOCO_API_TOKEN: '' }, stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (chunk) => (stderr += String(chunk)));
    const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
    expect(code).toBe(1);
    expect(stderr.trim()).toBe('controller: CONTROLLER_ERR_CONFIG: listening on 0.0.0.0 (not loopback) needs an API token (MEMOCO_API_TOKEN)');
  });
});
