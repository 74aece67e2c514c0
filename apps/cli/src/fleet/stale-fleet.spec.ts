/**
 * What a `memoco up` killed with SIGKILL leaves behind is cleared by the next one: its
 * services (found in the old state file, each pid's command line checked first, so a reused
 * pid of another program is never killed) and its network namespaces (named after its pid).
 */
import { execFileSync, spawn } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { NETNS_SKIP_REASON, canUseNetns, makeTempDir, waitUntil } from '@memoco/testbed';
import { FLEET_STATE_FORMAT, type FleetState } from './fleet-state.ts';
import { startLocalNats } from './local-nats.ts';
import { reapStaleFleet } from './stale-fleet.ts';
import { removeStaleWires } from './veth-wire.ts';

const netns = await canUseNetns();

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

function staleState(dir: string, natsPid: number, agentPid: number): FleetState {
  return {
    format: FLEET_STATE_FORMAT,
    pid: 999_999_999,
    startedAtUnixMs: 0,
    dir,
    token: 'x',
    controller: { url: 'http://127.0.0.1:1', pid: null },
    trainer: null,
    nats: { url: 'nats://127.0.0.1:1', monitorUrl: null, user: 'memoco', password: 'x', replicas: 1, pid: natsPid },
    agents: [{ host: 'agent-1', pid: agentPid, port: 'net_null0', capture: '-' }],
  };
}

describe('clearing what a dead memoco up left', () => {
  it('kills the services named in the old state file, and not a process that reused a pid', async () => {
    const tmp = makeTempDir('stale-fleet');
    const nats = await startLocalNats({ dir: `${tmp.path}/nats`, user: 'memoco', password: 'mcsecret' });
    const bystander = spawn('sleep', ['30'], { stdio: 'ignore' });
    try {
      const killed = reapStaleFleet(staleState(tmp.path, nats.process.pid!, bystander.pid!));
      expect(killed).toEqual([String(nats.process.pid)]);
      expect(await waitUntil(() => (nats.process.running ? undefined : true), 5000)).toBe(true);
      expect(alive(bystander.pid!)).toBe(true);
    } finally {
      bystander.kill('SIGKILL');
      await nats.stop();
      tmp.remove();
    }
  });

  it.skipIf(!netns)(`deletes namespaces of memoco up processes that are gone, not of live ones (${NETNS_SKIP_REASON})`, () => {
    const deadPid = 4_194_305; // above the largest pid_max (2^22): no such process can exist
    const dead = `mu${deadPid.toString(36)}x1`;
    const live = `mu${process.pid.toString(36)}x7`;
    execFileSync('ip', ['netns', 'add', dead]);
    execFileSync('ip', ['netns', 'add', live]);
    try {
      expect(removeStaleWires()).toContain(dead);
      const left = execFileSync('ip', ['netns', 'list'], { encoding: 'utf8' });
      expect(left).not.toContain(dead);
      expect(left).toContain(live);
    } finally {
      for (const ns of [dead, live]) {
        try {
          execFileSync('ip', ['netns', 'del', ns], { stdio: 'ignore' });
        } catch {
          // already gone
        }
      }
    }
  });
});
