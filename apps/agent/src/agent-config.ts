/**
 * The agent's configuration: environment variables, overridden by command-line flags, read
 * with @memoco/service-kit like the controller's and trainer's (the same NATS settings).
 * Only main.ts calls this (style.md: nothing below main.ts reads process.env); it gets the
 * environment and argv as plain values.
 */
import { hostname } from 'node:os';
import { HOST_NAME_PATTERN, MemocoError } from '@memoco/protocol';
import { DEFAULT_NATS_SETTINGS, NATS_SETTING_SPECS, checkNatsSettings, readServiceSettings, type NatsSettings, type SettingSpec } from '@memoco/service-kit';

export interface AgentConfig extends Omit<NatsSettings, 'natsReplicas'> {
  /** Host name in the registry and in subjects ([A-Za-z0-9_-]{1,64}). */
  host: string;
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
}

export const DEFAULT_AGENT_CONFIG: Omit<AgentConfig, 'host' | keyof NatsSettings> = {
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

/** Kinds the raw settings are read as (service-kit has no boolean or port-list kind). */
interface RawAgentSettings extends Omit<AgentConfig, 'ports' | 'tag' | 'hugepages' | 'host'>, NatsSettings {
  host: string | undefined;
  ports: string;
  tag: string;
  hugepages: string;
}

const BOOL = { choices: ['true', 'false', '1', '0'] } as const;

/** Each setting: its environment variable, its flag, and how to read it (NATS ones from service-kit). */
export const AGENT_SETTINGS: { [K in keyof RawAgentSettings]: SettingSpec } = {
  host: { env: 'MEMOCO_AGENT_HOST', flag: '--host', kind: 'string' },
  ...NATS_SETTING_SPECS,
  // Port specs hold commas themselves (net_pcap0,tx_pcap=x): several are separated by ';'.
  ports: { env: 'MEMOCO_AGENT_PORTS', flag: '--ports', kind: 'string' },
  cores: { env: 'MEMOCO_AGENT_CORES', flag: '--cores', kind: 'int', min: 1, max: 64 },
  heartbeatIntervalMs: { env: 'MEMOCO_AGENT_HEARTBEAT_MS', flag: '--heartbeat-ms', kind: 'int', min: 50, max: 600_000 },
  progressIntervalMs: { env: 'MEMOCO_AGENT_PROGRESS_MS', flag: '--progress-ms', kind: 'int', min: 50, max: 600_000 },
  tag: { env: 'MEMOCO_AGENT_TAG', flag: '--tag', kind: BOOL },
  lateStartToleranceMs: { env: 'MEMOCO_AGENT_LATE_START_MS', flag: '--late-start-ms', kind: 'int', min: 0, max: 3_600_000 },
  shutdownResultRetryMs: { env: 'MEMOCO_AGENT_SHUTDOWN_RETRY_MS', flag: '--shutdown-retry-ms', kind: 'int', min: 0, max: 600_000 },
  memoryMb: { env: 'MEMOCO_AGENT_MEMORY_MB', flag: '--memory-mb', kind: 'int', min: 64, max: 1 << 20 },
  hugepages: { env: 'MEMOCO_AGENT_HUGEPAGES', flag: '--hugepages', kind: BOOL },
};

export function agentConfigError(message: string): MemocoError {
  return new MemocoError('AGENT_ERR_CONFIG', message, { status: 400 });
}

/** The machine's name made fit for a subject token (dots and other characters become '-'). */
export function defaultHostName(name = hostname()): string {
  const cleaned = name.split('.')[0]!.replace(/[^A-Za-z0-9_-]/g, '-').slice(0, 64);
  return cleaned === '' ? 'agent' : cleaned;
}

/** Builds the config from the environment and flags (flags win); rejects contradictions. */
export function parseAgentConfig(env: Readonly<Record<string, string | undefined>>, argv: readonly string[] = []): AgentConfig {
  const defaults: RawAgentSettings = { ...DEFAULT_NATS_SETTINGS, ...DEFAULT_AGENT_CONFIG, host: undefined, ports: DEFAULT_AGENT_CONFIG.ports.join(';'), tag: 'false', hugepages: 'false' };
  const { config: raw } = readServiceSettings(AGENT_SETTINGS, defaults, env, argv, agentConfigError);
  checkNatsSettings(raw, agentConfigError);
  const host = raw.host ?? defaultHostName();
  if (!HOST_NAME_PATTERN.test(host)) throw agentConfigError(`host name "${host}" may use letters, digits, - and _ only (at most 64)`);
  const ports = raw.ports.split(';').map((p) => p.trim()).filter(Boolean);
  if (ports.length === 0) throw agentConfigError('MEMOCO_AGENT_PORTS / --ports names no port');
  const { natsReplicas: _unused, ...rest } = raw;
  return { ...rest, host, ports, tag: /^(true|1)$/.test(raw.tag), hugepages: /^(true|1)$/.test(raw.hugepages) };
}
