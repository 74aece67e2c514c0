/**
 * The NATS settings every service reads the same way (issue 6: "NATS credentials
 * (user/password or nkeys)"): servers, credentials and JetStream replicas, with the same
 * environment variables and flags in the controller, the trainer and the agent.
 */
import { readFileSync } from 'node:fs';
import type { NatsConnectOptions } from './nats-connection.ts';
import type { ConfigErrorFactory, SettingSpec } from './service-settings.ts';

export interface NatsSettings {
  natsServers: string[];
  natsUser: string | undefined;
  natsPassword: string | undefined;
  /** File holding an nkey user seed (exclusive with user/password). */
  natsNkeySeedFile: string | undefined;
  /** JetStream replicas for streams and buckets (1 on one server, 3 on the cluster). */
  natsReplicas: number;
}

export const DEFAULT_NATS_SETTINGS: NatsSettings = {
  natsServers: ['nats://127.0.0.1:4222'],
  natsUser: undefined,
  natsPassword: undefined,
  natsNkeySeedFile: undefined,
  natsReplicas: 1,
};

export const NATS_SETTING_SPECS: { [K in keyof NatsSettings]: SettingSpec } = {
  natsServers: { env: 'MEMOCO_NATS_URL', flag: '--nats', kind: 'list' },
  natsUser: { env: 'MEMOCO_NATS_USER', flag: '--nats-user', kind: 'string' },
  natsPassword: { env: 'MEMOCO_NATS_PASSWORD', flag: '--nats-password', kind: 'string' },
  natsNkeySeedFile: { env: 'MEMOCO_NATS_NKEY_SEED_FILE', flag: '--nats-nkey-seed-file', kind: 'string' },
  natsReplicas: { env: 'MEMOCO_NATS_REPLICAS', flag: '--nats-replicas', kind: 'int', min: 1, max: 5 },
};

/** At least one server; user and password together; user/password or an nkey seed, not both. */
export function checkNatsSettings(s: NatsSettings, configError: ConfigErrorFactory): void {
  if (s.natsServers.length === 0) throw configError('MEMOCO_NATS_URL / --nats names no server');
  if ((s.natsUser === undefined) !== (s.natsPassword === undefined)) throw configError('give both the NATS user and password, or neither');
  if (s.natsUser !== undefined && s.natsNkeySeedFile !== undefined) throw configError('give a NATS user/password or an nkey seed file, not both');
}

/** Connection options from the settings; reads the nkey seed file (so only main.ts calls it). */
export function natsConnectOptionsFrom(s: NatsSettings, name: string, configError: ConfigErrorFactory): NatsConnectOptions {
  let nkeySeed: string | undefined;
  if (s.natsNkeySeedFile !== undefined) {
    try {
      nkeySeed = readFileSync(s.natsNkeySeedFile, 'utf8').trim();
    } catch (error) {
      throw configError(`cannot read the NATS nkey seed file ${s.natsNkeySeedFile}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`);
    }
  }
  return {
    servers: s.natsServers,
    name,
    ...(s.natsUser !== undefined ? { user: s.natsUser, password: s.natsPassword } : {}),
    ...(nkeySeed !== undefined ? { nkeySeed } : {}),
  };
}
