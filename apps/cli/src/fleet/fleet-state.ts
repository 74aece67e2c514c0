/**
 * DIR/fleet.json: what `memoco up` started and how to reach it (docs/fleet.md, "The state
 * file"). The client commands (`memoco run`, `runs`, `hosts`, `upload`) read it by default.
 * It holds the API token and the NATS password, so it is written 0600, atomically.
 */
import { readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { MemocoError } from '@memoco/protocol';

export const FLEET_STATE_FORMAT = 'memoco.fleet/1';
export const DEFAULT_FLEET_DIR = '.memoco/fleet';
export const FLEET_STATE_FILE = 'fleet.json';

export interface FleetAgentState {
  host: string;
  pid: number | null;
  /** The DPDK port spec the agent sends on (`{runId}` is replaced per run). */
  port: string;
  /** Where its output can be read: the net_pcap file pattern, or the veth capture file. */
  capture: string;
  /** With --veth: the namespace, and the tcpdump recording in it. */
  namespace?: string;
  capturePid?: number | null;
}

export interface FleetState {
  format: typeof FLEET_STATE_FORMAT;
  /** The `memoco up` process that owns every service below. */
  pid: number;
  startedAtUnixMs: number;
  dir: string;
  /** Bearer token of the controller and trainer HTTP APIs. */
  token: string;
  controller: { url: string; pid: number | null };
  trainer: { url: string; pid: number | null } | null;
  nats: { url: string; monitorUrl: string | null; user: string; password: string; replicas: number; pid: number | null };
  agents: FleetAgentState[];
}

export function fleetStatePath(dir: string): string {
  return join(resolve(dir), FLEET_STATE_FILE);
}

export function writeFleetState(state: FleetState): string {
  const path = fleetStatePath(state.dir);
  const aside = `${path}.${process.pid}.tmp`;
  writeFileSync(aside, `${JSON.stringify(state, null, 2)}\n`, { mode: 0o600 });
  renameSync(aside, path);
  return path;
}

export function removeFleetState(dir: string): void {
  rmSync(fleetStatePath(dir), { force: true });
}

/** Reads DIR/fleet.json; FLEET_ERR_NO_FLEET when there is none (no `memoco up` in DIR). */
export function readFleetState(dir: string): FleetState {
  const path = fleetStatePath(dir);
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch {
    throw new MemocoError('FLEET_ERR_NO_FLEET', `no local fleet in ${resolve(dir)} (no ${FLEET_STATE_FILE}): start one with memoco up, or give --controller URL and --token`);
  }
  const state = JSON.parse(text) as FleetState;
  if (state.format !== FLEET_STATE_FORMAT) throw new MemocoError('FLEET_ERR_NO_FLEET', `${path} is not a ${FLEET_STATE_FORMAT} state file`);
  return state;
}

/** True when the `memoco up` that wrote the state still runs. */
export function fleetAlive(state: FleetState): boolean {
  try {
    process.kill(state.pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}
