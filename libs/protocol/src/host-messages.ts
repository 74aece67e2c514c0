/**
 * Host registration and heartbeat (issue 6: an agent "registers in a NATS KV bucket with a
 * heartbeat (host, ports, cores, version)"). The agent rewrites its KV entry (key = host
 * name) every `heartbeatIntervalMs`; the controller treats a host whose entry has not been
 * rewritten for its host timeout as gone.
 */
import { HOST_NAME_PATTERN, RUN_ID_PATTERN } from './fleet-subjects.ts';
import { arr, int, obj, opt, str, type Schema } from './message-schema.ts';

export interface PortInfo {
  /** DPDK port id on the agent's host. */
  id: number;
  /** Device or vdev name (`0000:3b:00.0`, `net_null0`). */
  name: string;
  /** Link speed when known. */
  speedMbps?: number;
}

export interface HostRegistration {
  host: string;
  /** Memoco version of the agent. */
  version: string;
  /** TX cores the agent may use for a run (its shard is split across them). */
  cores: number;
  ports: PortInfo[];
  startedAtUnixMs: number;
  heartbeatAtUnixMs: number;
  /** How often the agent rewrites its entry; the controller's timeout must exceed it. */
  heartbeatIntervalMs: number;
  /** Runs the agent is executing or waiting to start. */
  activeRunIds: string[];
}

const unixMs = int({ min: 0 });

export const portInfoSchema: Schema<PortInfo> = obj<PortInfo>({
  id: int({ min: 0, max: 65535 }),
  name: str({ minLength: 1, maxLength: 256 }),
  speedMbps: opt(int({ min: 0 })),
});

export const hostRegistrationSchema: Schema<HostRegistration> = obj<HostRegistration>({
  host: str({ pattern: HOST_NAME_PATTERN, what: 'a host name (letters, digits, - and _; at most 64)' }),
  version: str({ minLength: 1, maxLength: 64 }),
  cores: int({ min: 1, max: 1024 }),
  ports: arr(portInfoSchema, { maxLength: 64 }),
  startedAtUnixMs: unixMs,
  heartbeatAtUnixMs: unixMs,
  heartbeatIntervalMs: int({ min: 1, max: 3_600_000 }),
  activeRunIds: arr(str({ pattern: RUN_ID_PATTERN, what: 'a run id' }), { maxLength: 1024 }),
});
