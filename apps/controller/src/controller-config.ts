/**
 * The controller's configuration: environment variables, overridden by command-line flags.
 * Only main.ts calls this (style.md: nothing below main.ts reads process.env); it gets the
 * environment and argv as plain values, so it is tested without touching the process.
 */
import { MemocoError } from '@memoco/protocol';
import { HOST_CAPACITY_MODES, type HostCapacityMode } from '@memoco/fleet-plan';
import {
  DEFAULT_NATS_SETTINGS,
  NATS_SETTING_SPECS,
  checkListenSecurity,
  checkNatsSettings,
  readServiceSettings,
  type HttpListenSettings,
  type NatsSettings,
  type SettingSpec,
} from '@memoco/service-kit';

export interface ControllerConfig extends NatsSettings, HttpListenSettings {
  /** PostgreSQL URL; when absent the run history is an embedded PGlite store in dataDir. */
  databaseUrl: string | undefined;
  dataDir: string;
  /** A host whose heartbeat is older than this is unavailable; mid-run, its part fails. */
  hostTimeoutMs: number;
  /** Common start = planning time + this (every agent must fetch its model before). */
  startLeadMs: number;
  /** How long after a run's end a host may take to send its result. */
  resultGraceMs: number;
  /** How long after a cancel request hosts may take to confirm it. */
  cancelGraceMs: number;
  /** How often open runs are checked for lost hosts and overdue results. */
  followIntervalMs: number;
  hostCapacity: HostCapacityMode;
  bodyLimitBytes: number;
}

export const DEFAULT_CONTROLLER_CONFIG: ControllerConfig = {
  listenHost: '127.0.0.1',
  port: 7420,
  apiToken: undefined,
  ...DEFAULT_NATS_SETTINGS,
  databaseUrl: undefined,
  dataDir: '.memoco/controller-db',
  hostTimeoutMs: 5000,
  startLeadMs: 2000,
  resultGraceMs: 30_000,
  cancelGraceMs: 10_000,
  followIntervalMs: 1000,
  hostCapacity: 'equal',
  bodyLimitBytes: 1024 * 1024,
};

/** Each setting: its environment variable, its flag, and how to read it. */
export const CONTROLLER_SETTINGS: { [K in keyof ControllerConfig]: SettingSpec } = {
  listenHost: { env: 'MEMOCO_CONTROLLER_HOST', flag: '--host', kind: 'string' },
  port: { env: 'MEMOCO_CONTROLLER_PORT', flag: '--port', kind: 'int', min: 0, max: 65535 },
  apiToken: { env: 'MEMOCO_API_TOKEN', flag: '--api-token', kind: 'string' },
  ...NATS_SETTING_SPECS,
  databaseUrl: { env: 'DATABASE_URL', flag: '--database-url', kind: 'string' },
  dataDir: { env: 'MEMOCO_CONTROLLER_DATA_DIR', flag: '--data-dir', kind: 'string' },
  hostTimeoutMs: { env: 'MEMOCO_HOST_TIMEOUT_MS', flag: '--host-timeout-ms', kind: 'int', min: 100, max: 3_600_000 },
  startLeadMs: { env: 'MEMOCO_START_LEAD_MS', flag: '--start-lead-ms', kind: 'int', min: 0, max: 3_600_000 },
  resultGraceMs: { env: 'MEMOCO_RESULT_GRACE_MS', flag: '--result-grace-ms', kind: 'int', min: 0, max: 86_400_000 },
  cancelGraceMs: { env: 'MEMOCO_CANCEL_GRACE_MS', flag: '--cancel-grace-ms', kind: 'int', min: 0, max: 3_600_000 },
  followIntervalMs: { env: 'MEMOCO_FOLLOW_INTERVAL_MS', flag: '--follow-interval-ms', kind: 'int', min: 10, max: 60_000 },
  hostCapacity: { env: 'MEMOCO_HOST_CAPACITY', flag: '--host-capacity', kind: { choices: HOST_CAPACITY_MODES } },
  bodyLimitBytes: { env: 'MEMOCO_CONTROLLER_BODY_LIMIT', flag: '--body-limit', kind: 'int', min: 1024, max: 1 << 30 },
};

function configError(message: string): MemocoError {
  return new MemocoError('CONTROLLER_ERR_CONFIG', message, { status: 400 });
}

/** Builds the config from the environment and flags (flags win); rejects contradictions. */
export function parseControllerConfig(env: Readonly<Record<string, string | undefined>>, argv: readonly string[] = []): ControllerConfig {
  const { config: c, flags } = readServiceSettings(CONTROLLER_SETTINGS, DEFAULT_CONTROLLER_CONFIG, env, argv, configError);
  checkNatsSettings(c, configError);
  if (flags.has('databaseUrl') && flags.has('dataDir')) throw configError('give --database-url (PostgreSQL) or --data-dir (embedded PGlite), not both');
  checkListenSecurity(c.listenHost, c.apiToken, configError);
  if (c.hostTimeoutMs < c.followIntervalMs) throw configError(`the host timeout (${c.hostTimeoutMs} ms) must be at least the follow interval (${c.followIntervalMs} ms)`);
  return c;
}
