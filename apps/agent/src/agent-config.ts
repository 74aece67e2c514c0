/**
 * The agent's configuration: environment variables, overridden by command-line flags (the
 * controller's scheme, docs/fleet.md). Only main.ts calls this (style.md: nothing below
 * main.ts reads process.env); it gets the environment and argv as plain values.
 */
import { hostname } from 'node:os';
import { HOST_NAME_PATTERN, MemocoError } from '@memoco/protocol';

export interface AgentConfig {
  /** Host name in the registry and in subjects ([A-Za-z0-9_-]{1,64}). */
  host: string;
  natsServers: string[];
  natsUser: string | undefined;
  natsPassword: string | undefined;
  /** File holding an nkey user seed (exclusive with user/password). */
  natsNkeySeedFile: string | undefined;
  /**
   * DPDK port specs this host sends on; an assignment's `port` indexes this list. `{runId}`
   * and `{host}` are replaced per run, so a net_pcap sink gets one file per run.
   */
  ports: string[];
  /** TX (generation) cores offered to runs; the controller splits the shard across them. */
  cores: number;
  heartbeatIntervalMs: number;
  progressIntervalMs: number;
  /** Write the 24-byte sequence trailer into every packet (memoco verify-order --tags). */
  tag: boolean;
  /** An assignment that arrives more than this after its start time is refused. */
  lateStartToleranceMs: number;
  /** How long results are retried at shutdown (while running, they are retried until acked). */
  shutdownResultRetryMs: number;
  /** EAL memory (-m) in MB, and hugepages (real hosts). */
  memoryMb: number;
  hugepages: boolean;
  /** Scratch space of the engine (a per-run directory is removed after the run). */
  workDir: string;
}

export const DEFAULT_AGENT_CONFIG: Omit<AgentConfig, 'host' | 'workDir'> = {
  natsServers: ['nats://127.0.0.1:4222'],
  natsUser: undefined,
  natsPassword: undefined,
  natsNkeySeedFile: undefined,
  ports: ['net_null0'],
  cores: 1,
  heartbeatIntervalMs: 1000,
  progressIntervalMs: 1000,
  tag: false,
  lateStartToleranceMs: 1000,
  shutdownResultRetryMs: 5000,
  memoryMb: 1024,
  hugepages: false,
};

type Key = keyof AgentConfig;
type Kind = 'string' | 'int' | 'list' | 'ports' | 'bool';

/** Each setting: its environment variable, its flag, and how to read it. */
export const AGENT_SETTINGS: Record<Key, { env: string; flag: string; kind: Kind; min?: number; max?: number }> = {
  host: { env: 'MEMOCO_AGENT_HOST', flag: '--host', kind: 'string' },
  natsServers: { env: 'MEMOCO_NATS_URL', flag: '--nats', kind: 'list' },
  natsUser: { env: 'MEMOCO_NATS_USER', flag: '--nats-user', kind: 'string' },
  natsPassword: { env: 'MEMOCO_NATS_PASSWORD', flag: '--nats-password', kind: 'string' },
  natsNkeySeedFile: { env: 'MEMOCO_NATS_NKEY_SEED_FILE', flag: '--nats-nkey-seed-file', kind: 'string' },
  ports: { env: 'MEMOCO_AGENT_PORTS', flag: '--ports', kind: 'ports' },
  cores: { env: 'MEMOCO_AGENT_CORES', flag: '--cores', kind: 'int', min: 1, max: 64 },
  heartbeatIntervalMs: { env: 'MEMOCO_AGENT_HEARTBEAT_MS', flag: '--heartbeat-ms', kind: 'int', min: 50, max: 600_000 },
  progressIntervalMs: { env: 'MEMOCO_AGENT_PROGRESS_MS', flag: '--progress-ms', kind: 'int', min: 50, max: 600_000 },
  tag: { env: 'MEMOCO_AGENT_TAG', flag: '--tag', kind: 'bool' },
  lateStartToleranceMs: { env: 'MEMOCO_AGENT_LATE_START_MS', flag: '--late-start-ms', kind: 'int', min: 0, max: 3_600_000 },
  shutdownResultRetryMs: { env: 'MEMOCO_AGENT_SHUTDOWN_RETRY_MS', flag: '--shutdown-retry-ms', kind: 'int', min: 0, max: 600_000 },
  memoryMb: { env: 'MEMOCO_AGENT_MEMORY_MB', flag: '--memory-mb', kind: 'int', min: 64, max: 1 << 20 },
  hugepages: { env: 'MEMOCO_AGENT_HUGEPAGES', flag: '--hugepages', kind: 'bool' },
  workDir: { env: 'MEMOCO_AGENT_WORK_DIR', flag: '--work-dir', kind: 'string' },
};

function configError(message: string): MemocoError {
  return new MemocoError('AGENT_ERR_CONFIG', message, { status: 400 });
}

function readValue(key: Key, raw: string, source: string): unknown {
  const setting = AGENT_SETTINGS[key];
  if (setting.kind === 'string') return raw;
  if (setting.kind === 'list') return raw.split(',').map((s) => s.trim()).filter(Boolean);
  // Port specs hold commas themselves (net_pcap0,tx_pcap=x): several are separated by ';'.
  if (setting.kind === 'ports') return raw.split(';').map((s) => s.trim()).filter(Boolean);
  if (setting.kind === 'bool') {
    if (/^(1|true|yes|on)$/i.test(raw)) return true;
    if (/^(0|false|no|off)$/i.test(raw)) return false;
    throw configError(`${source} must be true or false, got "${raw}"`);
  }
  const value = Number(raw);
  if (!/^\d+$/.test(raw) || value < (setting.min ?? 0) || value > (setting.max ?? Number.MAX_SAFE_INTEGER)) {
    throw configError(`${source} must be an integer ${setting.min ?? 0}..${setting.max}, got "${raw}"`);
  }
  return value;
}

function fromArgs(argv: readonly string[]): Partial<Record<Key, string>> {
  const byFlag = new Map(Object.entries(AGENT_SETTINGS).map(([key, s]) => [s.flag, key as Key]));
  const out: Partial<Record<Key, string>> = {};
  for (let i = 0; i < argv.length; i++) {
    const [flag, inline] = argv[i]!.split(/=(.*)/s, 2) as [string, string | undefined];
    const key = byFlag.get(flag);
    if (!key) throw configError(`unknown option ${flag} (known: ${[...byFlag.keys()].join(' ')})`);
    // A bare boolean flag means true; `--tag=false` / `--tag false` say otherwise.
    const next = argv[i + 1];
    const boolWithoutValue = AGENT_SETTINGS[key].kind === 'bool' && inline === undefined && (next === undefined || next.startsWith('--'));
    const value = boolWithoutValue ? 'true' : (inline ?? argv[++i]);
    if (value === undefined) throw configError(`${flag} needs a value`);
    out[key] = value;
  }
  return out;
}

/** The machine's name made fit for a subject token (dots and other characters become '-'). */
export function defaultHostName(name = hostname()): string {
  const cleaned = name.split('.')[0]!.replace(/[^A-Za-z0-9_-]/g, '-').slice(0, 64);
  return cleaned === '' ? 'agent' : cleaned;
}

/** Builds the config from the environment and flags (flags win); rejects contradictions. */
export function parseAgentConfig(env: Readonly<Record<string, string | undefined>>, argv: readonly string[] = [], tmpDir = '/tmp'): AgentConfig {
  const args = fromArgs(argv);
  const config: Record<string, unknown> = { ...DEFAULT_AGENT_CONFIG, host: defaultHostName() };
  for (const [key, setting] of Object.entries(AGENT_SETTINGS) as [Key, (typeof AGENT_SETTINGS)[Key]][]) {
    const fromFlag = args[key];
    const fromEnv = env[setting.env];
    if (fromFlag !== undefined) config[key] = readValue(key, fromFlag, setting.flag);
    else if (fromEnv !== undefined && fromEnv !== '') config[key] = readValue(key, fromEnv, setting.env);
  }
  const c = config as unknown as AgentConfig;
  if (!HOST_NAME_PATTERN.test(c.host)) throw configError(`host name "${c.host}" may use letters, digits, - and _ only (at most 64)`);
  c.workDir ??= `${tmpDir}/memoco-agent-${c.host}`;
  if (c.natsServers.length === 0) throw configError('MEMOCO_NATS_URL / --nats names no server');
  if (c.ports.length === 0) throw configError('MEMOCO_AGENT_PORTS / --ports names no port');
  if ((c.natsUser === undefined) !== (c.natsPassword === undefined)) throw configError('give both the NATS user and password, or neither');
  if (c.natsUser !== undefined && c.natsNkeySeedFile !== undefined) throw configError('give a NATS user/password or an nkey seed file, not both');
  return c;
}
