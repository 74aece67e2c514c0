/**
 * Where `memoco upload` sends the trace, and with which token: `--trainer` / `--token`, else
 * MEMOCO_TRAINER_URL / MEMOCO_API_TOKEN, else the local fleet's state file that `memoco up`
 * writes (DIR/fleet.json, format memoco.fleet/1: `trainer.url`, `token`; DIR from `--dir`,
 * MEMOCO_FLEET_DIR or .memoco/fleet), else a trainer on this machine's default port.
 * Only the two fields used here are read from the state file, so this file does not depend
 * on the fleet launcher's module.
 */
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { MemocoError } from '@memoco/protocol';

export const DEFAULT_TRAINER_URL = 'http://127.0.0.1:7421';
export const DEFAULT_FLEET_DIR = '.memoco/fleet';
const FLEET_STATE_FORMAT = 'memoco.fleet/1';

export interface UploadTarget {
  trainerUrl: string;
  token: string | undefined;
  /** Where the URL came from (for `--json` and messages). */
  source: string;
}

interface FleetStateSubset {
  trainerUrl: string | undefined;
  token: string | undefined;
}

/** The state file's trainer URL and token; undefined when there is no state file. */
function readFleetState(dir: string): FleetStateSubset | undefined {
  const path = join(resolve(dir), 'fleet.json');
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch {
    return undefined;
  }
  let state: { format?: unknown; token?: unknown; trainer?: { url?: unknown } | null };
  try {
    state = JSON.parse(text);
  } catch {
    state = {};
  }
  if (state.format !== FLEET_STATE_FORMAT) throw new MemocoError('CLI_ERR_USAGE', `upload: ${path} is not a ${FLEET_STATE_FORMAT} state file (give --trainer URL, or --dir of a memoco up)`);
  return {
    trainerUrl: typeof state.trainer?.url === 'string' ? state.trainer.url : undefined,
    token: typeof state.token === 'string' ? state.token : undefined,
  };
}

export function resolveUploadTarget(flags: { trainer?: string | undefined; token?: string | undefined; dir?: string | undefined }, env: Readonly<Record<string, string | undefined>>): UploadTarget {
  const token = flags.token ?? (env.MEMOCO_API_TOKEN || undefined);
  if (flags.trainer) return { trainerUrl: flags.trainer, token, source: '--trainer' };
  if (env.MEMOCO_TRAINER_URL) return { trainerUrl: env.MEMOCO_TRAINER_URL, token, source: 'MEMOCO_TRAINER_URL' };
  const dir = flags.dir ?? (env.MEMOCO_FLEET_DIR || DEFAULT_FLEET_DIR);
  const fleet = readFleetState(dir);
  if (fleet?.trainerUrl) return { trainerUrl: fleet.trainerUrl, token: token ?? fleet.token, source: `${dir}/fleet.json` };
  if (flags.dir !== undefined) {
    throw new MemocoError('CLI_ERR_USAGE', `upload: ${fleet ? `the fleet in ${dir} runs no trainer` : `no local fleet in ${resolve(dir)} (no fleet.json)`}; start one with memoco up, or give --trainer URL`);
  }
  return { trainerUrl: DEFAULT_TRAINER_URL, token, source: 'default' };
}
