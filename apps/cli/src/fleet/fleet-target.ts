/**
 * Where the client commands send their requests: `--controller URL` and `--token T`, else
 * MEMOCO_CONTROLLER_URL / MEMOCO_API_TOKEN, else the state file of the local fleet in
 * `--dir` (default .memoco/fleet, or MEMOCO_FLEET_DIR) that `memoco up` wrote.
 */
import { MemocoError } from '@memoco/protocol';
import { DEFAULT_FLEET_DIR, readFleetState } from './fleet-state.ts';

export interface FleetTarget {
  controllerUrl: string;
  trainerUrl: string | undefined;
  token: string | undefined;
  /** Where the URL came from, for error messages. */
  source: string;
}

export interface FleetTargetFlags {
  controller?: string | undefined;
  token?: string | undefined;
  dir?: string | undefined;
}

/** The options every client command takes, for parseCommandArgs. */
export const FLEET_TARGET_OPTIONS = {
  controller: { type: 'string' },
  token: { type: 'string' },
  dir: { type: 'string' },
} as const;

export const FLEET_TARGET_HELP = `Fleet:
  --dir DIR          the local fleet started by memoco up (default .memoco/fleet; its fleet.json
                     holds the URLs and token)
  --controller URL   a controller elsewhere (or MEMOCO_CONTROLLER_URL)
  --token T          its API token (or MEMOCO_API_TOKEN)`;

export function resolveFleetTarget(flags: FleetTargetFlags, env: Readonly<Record<string, string | undefined>> = process.env): FleetTarget {
  const url = flags.controller ?? env.MEMOCO_CONTROLLER_URL;
  const token = flags.token ?? env.MEMOCO_API_TOKEN;
  if (url) {
    if (!/^https?:\/\/\S+$/.test(url)) throw new MemocoError('CLI_ERR_USAGE', `--controller must be an http(s) URL, got '${url}'`);
    return { controllerUrl: url.replace(/\/+$/, ''), trainerUrl: env.MEMOCO_TRAINER_URL, token, source: flags.controller ? '--controller' : 'MEMOCO_CONTROLLER_URL' };
  }
  const dir = flags.dir ?? env.MEMOCO_FLEET_DIR ?? DEFAULT_FLEET_DIR;
  const state = readFleetState(dir);
  return { controllerUrl: state.controller.url, trainerUrl: state.trainer?.url, token: token ?? state.token, source: `${dir}/fleet.json` };
}
