/**
 * A service's configuration from environment variables overridden by command-line flags,
 * described by a table of settings (env name, flag, kind, range), with exact messages for
 * every bad value. Only a service's main.ts calls this (style.md: nothing below main.ts
 * reads process.env); it gets the environment and argv as plain values, so it is tested
 * without touching the process. The NATS settings every service shares live here too.
 */
import type { MemocoError } from '@memoco/protocol';

export type SettingKind = 'string' | 'int' | 'list' | { choices: readonly string[] };

export interface SettingSpec {
  env: string;
  flag: string;
  kind: SettingKind;
  min?: number;
  max?: number;
}

export type ConfigErrorFactory = (message: string) => MemocoError;

/** Loopback addresses: a service bound elsewhere must have an API token (issue 6, "Security"). */
export const LOOPBACK_HOST = /^(127\.\d+\.\d+\.\d+|::1|localhost)$/;
export const MIN_API_TOKEN_LENGTH = 16;

function readValue(setting: SettingSpec, raw: string, source: string, configError: ConfigErrorFactory): unknown {
  const kind = setting.kind;
  if (kind === 'string') return raw;
  if (kind === 'list') return raw.split(',').map((s) => s.trim()).filter(Boolean);
  if (typeof kind === 'object') {
    if (!kind.choices.includes(raw)) throw configError(`${source} must be one of ${kind.choices.join('|')}, got "${raw}"`);
    return raw;
  }
  const value = Number(raw);
  if (!/^\d+$/.test(raw) || value < (setting.min ?? 0) || value > (setting.max ?? Number.MAX_SAFE_INTEGER)) {
    throw configError(`${source} must be an integer ${setting.min ?? 0}..${setting.max}, got "${raw}"`);
  }
  return value;
}

function fromArgs(specs: Record<string, SettingSpec>, argv: readonly string[], configError: ConfigErrorFactory): Record<string, string> {
  const byFlag = new Map(Object.entries(specs).map(([key, s]) => [s.flag, key]));
  const out: Record<string, string> = {};
  for (let i = 0; i < argv.length; i++) {
    const [flag, inline] = argv[i]!.split(/=(.*)/s, 2) as [string, string | undefined];
    const key = byFlag.get(flag);
    if (!key) throw configError(`unknown option ${flag} (known: ${[...byFlag.keys()].join(' ')})`);
    const value = inline ?? argv[++i];
    if (value === undefined) throw configError(`${flag} needs a value`);
    out[key] = value;
  }
  return out;
}

export interface ReadSettingsResult<C> {
  config: C;
  /** The keys given as flags (for checks such as "give --a or --b, not both"). */
  flags: ReadonlySet<keyof C>;
}

/** Defaults, then the environment (empty values ignored), then flags. */
export function readServiceSettings<C extends object>(
  specs: { [K in keyof C]: SettingSpec },
  defaults: C,
  env: Readonly<Record<string, string | undefined>>,
  argv: readonly string[],
  configError: ConfigErrorFactory,
): ReadSettingsResult<C> {
  const table = specs as Record<string, SettingSpec>;
  const args = fromArgs(table, argv, configError);
  const config: Record<string, unknown> = { ...(defaults as Record<string, unknown>) };
  for (const [key, setting] of Object.entries(table)) {
    const fromFlag = args[key];
    const fromEnv = env[setting.env];
    if (fromFlag !== undefined) config[key] = readValue(setting, fromFlag, setting.flag, configError);
    else if (fromEnv !== undefined && fromEnv !== '') config[key] = readValue(setting, fromEnv, setting.env, configError);
  }
  return { config: config as C, flags: new Set(Object.keys(args)) as unknown as ReadonlySet<keyof C> };
}

/** Where an HTTP service listens and the token it requires (controller, trainer). */
export interface HttpListenSettings {
  /** Address to listen on; loopback unless told otherwise (issue 6, "Security"). */
  listenHost: string;
  port: number;
  /** Bearer token the HTTP API requires; undefined: no auth (refused off loopback). */
  apiToken: string | undefined;
}

/** Anything but loopback needs a token; a token is at least 16 characters. */
export function checkListenSecurity(listenHost: string, apiToken: string | undefined, configError: ConfigErrorFactory): void {
  if (apiToken === undefined && !LOOPBACK_HOST.test(listenHost)) {
    throw configError(`listening on ${listenHost} (not loopback) needs an API token (MEMOCO_API_TOKEN)`);
  }
  if (apiToken !== undefined && apiToken.length < MIN_API_TOKEN_LENGTH) throw configError(`the API token must be at least ${MIN_API_TOKEN_LENGTH} characters`);
}
