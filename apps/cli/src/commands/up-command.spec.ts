/**
 * `memoco up` as a user runs it (a child process of bin/memoco.mjs) and the client
 * commands against the fleet it started: hosts, upload, run (followed to the end), runs, runs show,
 * coded errors; then Ctrl-C (SIGINT) stops every service and removes the state file.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { verifyOrder } from '@memoco/replay-check';
import { freePort, waitUntil } from '@memoco/testbed';
import { captureIo } from '../io-capture.ts';
import { runCli } from '../main.ts';
import { COMMANDS } from '../command-registry.ts';
import type { FleetState } from '../fleet/fleet-state.ts';
import { REPO_ROOT } from '../fleet/service-process.ts';

let dir: string;
let up: ReturnType<typeof spawn>;
let upErr = '';
let state: FleetState;

async function cli(args: string[]) {
  const io = captureIo();
  const code = await runCli([...args, '--dir', dir], io, COMMANDS);
  return { code, stdout: io.stdout(), stderr: io.stderr() };
}

function alive(pid: number | null): boolean {
  if (pid === null) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'cli-up-'));
  up = spawn(process.execPath, [join(REPO_ROOT, 'apps/cli/bin/memoco.mjs'), 'up', '--agents', '2', '--dir', dir, '--json'], { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  up.stdout!.on('data', (c: Buffer) => void (out += c));
  up.stderr!.on('data', (c: Buffer) => void (upErr += c));
  const line = await waitUntil(() => (out.includes('\n') ? out.split('\n')[0] : up.exitCode !== null ? false : undefined), 90_000, 100);
  if (!line) throw new Error(`memoco up did not come up: ${upErr}`);
  state = JSON.parse(line) as FleetState;
}, 120_000);

afterAll(async () => {
  if (up && up.exitCode === null) up.kill('SIGKILL');
  rmSync(dir, { recursive: true, force: true });
});

describe('memoco up and the fleet clients', () => {
  it('writes DIR/fleet.json (0600) with the URLs, token and agents it started', () => {
    expect(JSON.parse(readFileSync(join(dir, 'fleet.json'), 'utf8'))).toEqual(state);
    expect(state).toMatchObject({ format: 'memoco.fleet/1', dir, pid: up.pid, controller: { url: expect.stringMatching(/^http:\/\/127\.0\.0\.1:\d+$/) }, nats: { url: expect.stringMatching(/^nats:\/\/127\.0\.0\.1:\d+$/), user: 'memoco' } });
    expect(state.agents.map((a) => a.host)).toEqual(['agent-1', 'agent-2']);
    expect(state.token).toMatch(/^[0-9a-f]{48}$/);
    expect((statSync(join(dir, 'fleet.json')).mode & 0o777).toString(8)).toBe('600');
  });

  it('memoco hosts lists both agents alive', async () => {
    const { code, stdout } = await cli(['hosts', '--json']);
    expect(code).toBe(0);
    const hosts = JSON.parse(stdout).hosts as { host: string; alive: boolean; ports: { name: string }[] }[];
    expect(hosts.map((h) => [h.host, h.alive, h.ports[0]!.name])).toEqual([['agent-1', true, 'net_pcap0'], ['agent-2', true, 'net_pcap0']]);
    expect((await cli(['hosts'])).stdout).toMatch(/^HOST\s+ALIVE\s+CORES.*\nagent-1\s+yes\s+1\s+0:net_pcap0/);
  });

  it('memoco upload trains on the fleet\'s trainer; memoco run sends the model across both agents and follows it to completed; runs and runs show have it', async () => {
    const upload = await cli(['upload', join(REPO_ROOT, 'samples/pcpp__tls2.pcap'), '--json']);
    expect(upload.code, upload.stderr).toBe(0);
    const modelId = JSON.parse(upload.stdout).modelId as string;
    expect(state.trainer?.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);

    const run = await cli(['run', modelId, '--hosts', '2', '--duration', '2', '--pps', '1500', '--seed', '3', '--json']);
    expect(run.code, run.stderr).toBe(0);
    const detail = JSON.parse(run.stdout);
    expect(detail.run).toMatchObject({ status: 'completed', seed: 3, hostCount: 2 });
    // A pps run is the packets due before its end: each host's ceil(share x duration), so
    // the total is rate x duration plus at most one per host for the rounding.
    expect(detail.hosts.reduce((s: number, h: { packets: number }) => s + h.packets, 0)).toSatisfy((n: number) => n >= 3000 && n <= 3002);
    for (const host of ['agent-1', 'agent-2']) {
      const capture = join(dir, 'captures', `${host}-${detail.run.id}.pcap`);
      const part = detail.hosts.find((h: { host: string }) => h.host === host);
      expect(await verifyOrder(capture, { tags: true })).toMatchObject({ ok: true, outOfOrder: 0, received: part.packets });
    }
    const runs = JSON.parse((await cli(['runs', '--json'])).stdout).runs as { id: string }[];
    expect(runs[0]!.id).toBe(detail.run.id);
    const shown = await cli(['runs', 'show', detail.run.id]);
    expect(shown.stdout).toMatch(/status\s+completed/);
    expect(shown.stdout).toMatch(/agent-1\s+completed/);
    expect(shown.stdout).toContain('finished        run completed: 2 completed, 0 failed, 0 cancelled of 2 hosts');
  });

  it('answers bad requests with one coded line', async () => {
    const missing = await cli(['runs', 'show', 'no-such-run']);
    expect([missing.code, missing.stderr]).toEqual([1, 'memoco runs show: CONTROLLER_ERR_RUN_NOT_FOUND: no run no-such-run\n']);
    const unknownModel = await cli(['run', 'c'.repeat(64), '--hosts', '1']);
    expect(unknownModel.stderr).toBe(`memoco run: CONTROLLER_ERR_MODEL_NOT_FOUND: no model ${'c'.repeat(64)} in the model store\n`);
    const tooMany = await cli(['run', 'c'.repeat(64), '--hosts', 'agent-1,agent-9']);
    expect(tooMany.stderr).toMatch(/^memoco run: CONTROLLER_ERR_HOST_UNAVAILABLE: .*agent-9/);
    const wrongToken = await cli(['hosts', '--token', 'not-the-token']);
    expect(wrongToken.stderr).toBe('memoco hosts: CONTROLLER_ERR_UNAUTHORIZED: the bearer token is wrong\n');
    const second = await cli(['up']);
    expect(second.stderr).toMatch(/^memoco up: FLEET_ERR_ALREADY_RUNNING: a fleet already runs in /);
  });

  it('stops every service on Ctrl-C and removes the state file', async () => {
    const pids = [state.nats.pid, state.controller.pid, state.trainer!.pid, ...state.agents.map((a) => a.pid)];
    expect(pids.every(alive)).toBe(true);
    up.kill('SIGINT');
    const code = await new Promise<number | null>((r) => up.once('exit', (c) => r(c)));
    expect(code, upErr).toBe(0);
    expect(pids.filter(alive)).toEqual([]);
    expect(existsSync(join(dir, 'fleet.json'))).toBe(false);
    expect(upErr).toContain('memoco up: stopped');
    const after = await cli(['hosts']);
    expect(after.stderr).toMatch(/^memoco hosts: FLEET_ERR_NO_FLEET: no local fleet in /);
  });
});

describe('fleet clients without a fleet', () => {
  it('reject contradictory or missing options before any request', async () => {
    const io = captureIo();
    expect(await runCli(['run', 'a'.repeat(64), '--hosts', '2', '--pps', '5', '--speed', '2', '--controller', 'http://127.0.0.1:9'], io, COMMANDS)).toBe(2);
    expect(io.stderr()).toBe('memoco run: CLI_ERR_USAGE: run: give --pps or --speed, not both\n');
    const noHosts = captureIo();
    await runCli(['run', 'a'.repeat(64), '--controller', 'http://127.0.0.1:9'], noHosts, COMMANDS);
    expect(noHosts.stderr()).toMatch(/CLI_ERR_USAGE: run: --hosts N\|a,b is required/);
    const badModel = captureIo();
    await runCli(['run', 'abc', '--hosts', '1', '--controller', 'http://127.0.0.1:9'], badModel, COMMANDS);
    expect(badModel.stderr()).toMatch(/CLI_ERR_USAGE: run: <modelId> must be a model id/);
  });

  it('say FLEET_ERR_UNREACHABLE when the controller does not answer', async () => {
    const io = captureIo();
    const closed = `http://127.0.0.1:${await freePort()}`;
    expect(await runCli(['runs', '--controller', closed], io, COMMANDS)).toBe(1);
    expect(io.stderr()).toBe(`memoco runs: FLEET_ERR_UNREACHABLE: cannot reach ${closed} (from --controller): ECONNREFUSED; is the fleet running (memoco up)?\n`);
  });
});
