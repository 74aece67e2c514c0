/**
 * The controller's configuration: environment variables, overridden by command-line flags.
 * Only main.ts calls this (style.md: nothing below main.ts reads process.env); it gets the
 * environment and argv as plain values, so it is tested without touching the process.
 */
import { MemocoError } from '@memoco/protocol';
import { HOST_CAPACITY_MODES, type HostCapacityMode } from '@memoco/fleet-plan';

export interface ControllerConfig {
  /** Address to listen on; loopback unless told otherwise (issue 6, "Security"). */
  listenHost: string;
  port: number;
  /** Bearer token the HTTP API requires; undefined: no auth (refused off loopback). */
  apiToken: string | undefined;
  natsServers: string[];
  natsUser: string | undefined;
  natsPassword: string | undefined;
  /** File holding an nkey user seed (exclusive with user/password). */
  natsNkeySeedFile: string | undefined;
  /** JetStream replicas for streams and buckets (1 on one server, 3 on the cluster). */
  natsReplicas: number;
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
  natsServers: ['nats://127.0.0.1:4222'],
  natsUser: undefined,
  natsPassword: undefined,
  natsNkeySeedFile: undefined,
  natsReplicas: 1,
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

type Key = keyof ControllerConfig;
type Kind = 'string' | 'int' | 'list' | 'capacity';

/** Each setting: its environment variable, its flag, and how to read it. */
export const CONTROLLER_SETTINGS: Record<Key, { env: string; flag: string; kind: Kind; min?: number; max?: number }> = {
  listenHost: { env: 'MEMOCO_CONTROLLER_HOST', flag: '--host', kind: 'string' },
  port: { env: 'MEMOCO_CONTROLLER_PORT', flag: '--port', kind: 'int', min: 0, max: 65535 },
  apiToken: { env: 'MEMOCO_API_TOKEN', flag: '--api-token', kind: 'string' },
  natsServers: { env: 'MEMOCO_NATS_URL', flag: '--nats', kind: 'list' },
  natsUser: { env: 'MEMOCO_NATS_USER', flag: '--nats-user', kind: 'string' },
  natsPassword: { env: 'MEMOCO_NATS_PASSWORD', flag: '--nats-password', kind: 'string' },
  natsNkeySeedFile: { env: 'MEMOCO_NATS_NKEY_SEED_FILE', flag: '--nats-nkey-seed-file', kind: 'string' },
  natsReplicas: { env: 'MEMOCO_NATS_REPLICAS', flag: '--nats-replicas', kind: 'int', min: 1, max: 5 },
  databaseUrl: { env: 'DATABASE_URL', flag: '--database-url', kind: 'string' },
  dataDir: { env: 'MEMOCO_CONTROLLER_DATA_DIR', flag: '--data-dir', kind: 'string' },
  hostTimeoutMs: { env: 'MEMOCO_HOST_TIMEOUT_MS', flag: '--host-timeout-ms', kind: 'int', min: 100, max: 3_600_000 },
  startLeadMs: { env: 'MEMOCO_START_LEAD_MS', flag: '--start-lead-ms', kind: 'int', min: 0, max: 3_600_000 },
  resultGraceMs: { env: 'MEMOCO_RESULT_GRACE_MS', flag: '--result-grace-ms', kind: 'int', min: 0, max: 86_400_000 },
  cancelGraceMs: { env: 'MEMOCO_CANCEL_GRACE_MS', flag: '--cancel-grace-ms', kind: 'int', min: 0, max: 3_600_000 },
  followIntervalMs: { env: 'MEMOCO_FOLLOW_INTERVAL_MS', flag: '--follow-interval-ms', kind: 'int', min: 10, max: 60_000 },
  hostCapacity: { env: 'MEMOCO_HOST_CAPACITY', flag: '--host-capacity', kind: 'capacity' },
  bodyLimitBytes: { env: 'MEMOCO_CONTROLLER_BODY_LIMIT', flag: '--body-limit', kind: 'int', min: 1024, max: 1 << 30 },
};

const LOOPBACK = /^(127\.\d+\.\d+\.\d+|::1|localhost)$/;

function configError(message: string): MemocoError {
  return new MemocoError('CONTROLLER_ERR_CONFIG', message, { status: 400 });
}

function readValue(key: Key, raw: string, source: string): unknown {
  const setting = CONTROLLER_SETTINGS[key];
  if (setting.kind === 'string') return raw;
  if (setting.kind === 'list') return raw.split(',').map((s) => s.trim()).filter(Boolean);
  if (setting.kind === 'capacity') {
    if (!(HOST_CAPACITY_MODES as readonly string[]).includes(raw)) throw configError(`${source} must be one of ${HOST_CAPACITY_MODES.join('|')}, got "${raw}"`);
    return raw;
  }
  const value = Number(raw);
  if (!/^\d+$/.test(raw) || value < (setting.min ?? 0) || value > (setting.max ?? Number.MAX_SAFE_INTEGER)) {
    throw configError(`${source} must be an integer ${setting.min ?? 0}..${setting.max}, got "${raw}"`);
  }
  return value;
}

function fromArgs(argv: readonly string[]): Partial<Record<Key, string>> {
  const byFlag = new Map(Object.entries(CONTROLLER_SETTINGS).map(([key, s]) => [s.flag, key as Key]));
  const out: Partial<Record<Key, string>> = {};
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

/** Builds the config from the environment and flags (flags win); rejects contradictions. */
export function parseControllerConfig(env: Readonly<Record<string, string | undefined>>, argv: readonly string[] = []): ControllerConfig {
  const args = fromArgs(argv);
  const config: Record<string, unknown> = { ...DEFAULT_CONTROLLER_CONFIG };
  for (const [key, setting] of Object.entries(CONTROLLER_SETTINGS) as [Key, (typeof CONTROLLER_SETTINGS)[Key]][]) {
    const fromFlag = args[key];
    const fromEnv = env[setting.env];
    if (fromFlag !== undefined) config[key] = readValue(key, fromFlag, setting.flag);
    else if (fromEnv !== undefined && fromEnv !== '') config[key] = readValue(key, fromEnv, setting.env);
  }
  const c = config as unknown as ControllerConfig;
  if (c.natsServers.length === 0) throw configError('MEMOCO_NATS_URL / --nats names no server');
  if ((c.natsUser === undefined) !== (c.natsPassword === undefined)) throw configError('give both the NATS user and password, or neither');
  if (c.natsUser !== undefined && c.natsNkeySeedFile !== undefined) throw configError('give a NATS user/password or an nkey seed file, not both');
  if (args.databaseUrl !== undefined && args.dataDir !== undefined) throw configError('give --database-url (PostgreSQL) or --data-dir (embedded PGlite), not both');
  if (c.apiToken === undefined && !LOOPBACK.test(c.listenHost)) {
    throw configError(`listening on ${c.listenHost} (not loopback) needs an API token (MEMOCO_API_TOKEN)`);
  }
  if (c.apiToken !== undefined && c.apiToken.length < 16) throw configError('the API token must be at least 16 characters');
  if (c.hostTimeoutMs < c.followIntervalMs) throw configError(`the host timeout (${c.hostTimeoutMs} ms) must be at least the follow interval (${c.followIntervalMs} ms)`);
  return c;
}
