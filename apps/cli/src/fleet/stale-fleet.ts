/**
 * A `memoco up` killed without a chance to clean up (SIGKILL, a crash) leaves its services
 * running in their own process groups. The next `memoco up` in the same directory finds
 * them in the old fleet.json and stops them, checking each pid's command line first so a
 * reused pid of an unrelated process is never touched.
 */
import { readFileSync } from 'node:fs';
import type { FleetState } from './fleet-state.ts';

const OURS = /nats-server|apps\/controller\/src\/main\.ts|apps\/agent\/src\/main\.ts|apps\/trainer\/src\/main\.ts|^tcpdump .*-veth\.pcap/;

function commandLine(pid: number): string {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').replaceAll('\0', ' ');
  } catch {
    return '';
  }
}

/** Kills the old fleet's services that still run; returns what it killed. */
export function reapStaleFleet(state: FleetState): string[] {
  const pids = [state.nats.pid, state.controller.pid, state.trainer?.pid ?? null, ...state.agents.flatMap((a) => [a.pid, a.capturePid ?? null])];
  const killed: string[] = [];
  for (const pid of pids) {
    if (pid === null || !OURS.test(commandLine(pid))) continue;
    try {
      process.kill(pid, 'SIGKILL');
      killed.push(`${pid}`);
    } catch {
      // gone meanwhile
    }
  }
  return killed;
}
