/**
 * The trainer's configuration: environment variables, overridden by command-line flags
 * (the same NATS and security settings as the controller, from @memoco/service-kit). Only
 * main.ts calls this (style.md: nothing below main.ts reads process.env).
 */
import { MemocoError } from '@memoco/protocol';
import { MIN_MODEL_BYTES } from '@memoco/flow-model';
import { TRAIN_PASSES, type TrainPassChoice } from '@memoco/txcore';
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

export interface TrainerConfig extends NatsSettings, HttpListenSettings {
  /** Largest upload accepted, bytes: a larger Content-Length is refused, a longer body stopped. */
  maxUploadBytes: number;
  /** Uploads trained at once; one more is refused with 503 (each holds a CPU while it trains). */
  maxConcurrentUploads: number;
  /** An upload from which no byte arrives for this long is stopped. */
  uploadIdleMs: number;
  /** Largest `maxModelBytes` a client may ask for. */
  maxModelBytesLimit: number;
  /** This trainer's name in announcements; default `trainer@<host>:<pid>`. */
  trainerName: string | undefined;
  /** Where the per-packet statistics are counted (@memoco/txcore trainPassFor): auto, native or typescript. */
  trainPass: TrainPassChoice;
}

export const DEFAULT_TRAINER_CONFIG: TrainerConfig = {
  listenHost: '127.0.0.1',
  port: 7421,
  apiToken: undefined,
  ...DEFAULT_NATS_SETTINGS,
  maxUploadBytes: 16 * 1024 ** 3,
  maxConcurrentUploads: 4,
  uploadIdleMs: 30_000,
  maxModelBytesLimit: 64 * 1024 * 1024,
  trainerName: undefined,
  trainPass: 'auto',
};

/** Each setting: its environment variable, its flag, and how to read it. */
export const TRAINER_SETTINGS: { [K in keyof TrainerConfig]: SettingSpec } = {
  listenHost: { env: 'MEMOCO_TRAINER_HOST', flag: '--host', kind: 'string' },
  port: { env: 'MEMOCO_TRAINER_PORT', flag: '--port', kind: 'int', min: 0, max: 65535 },
  apiToken: { env: 'MEMOCO_API_TOKEN', flag: '--api-token', kind: 'string' },
  ...NATS_SETTING_SPECS,
  maxUploadBytes: { env: 'MEMOCO_TRAINER_MAX_UPLOAD_BYTES', flag: '--max-upload-bytes', kind: 'int', min: 1024, max: Number.MAX_SAFE_INTEGER },
  maxConcurrentUploads: { env: 'MEMOCO_TRAINER_MAX_UPLOADS', flag: '--max-uploads', kind: 'int', min: 1, max: 64 },
  uploadIdleMs: { env: 'MEMOCO_TRAINER_UPLOAD_IDLE_MS', flag: '--upload-idle-ms', kind: 'int', min: 100, max: 3_600_000 },
  maxModelBytesLimit: { env: 'MEMOCO_TRAINER_MAX_MODEL_BYTES', flag: '--max-model-bytes-limit', kind: 'int', min: MIN_MODEL_BYTES, max: 1 << 30 },
  trainerName: { env: 'MEMOCO_TRAINER_NAME', flag: '--name', kind: 'string' },
  trainPass: { env: 'MEMOCO_TRAINER_PASS', flag: '--pass', kind: 'string' },
};

export function trainerConfigError(message: string): MemocoError {
  return new MemocoError('TRAINER_ERR_CONFIG', message, { status: 400 });
}

/** Builds the config from the environment and flags (flags win); rejects contradictions. */
export function parseTrainerConfig(env: Readonly<Record<string, string | undefined>>, argv: readonly string[] = []): TrainerConfig {
  const { config: c } = readServiceSettings(TRAINER_SETTINGS, DEFAULT_TRAINER_CONFIG, env, argv, trainerConfigError);
  checkNatsSettings(c, trainerConfigError);
  checkListenSecurity(c.listenHost, c.apiToken, trainerConfigError);
  if (c.trainerName !== undefined && !/^[\x21-\x7e]{1,128}$/.test(c.trainerName)) {
    throw trainerConfigError(`the trainer name must be 1..128 printable characters without spaces, got "${c.trainerName}"`);
  }
  if (!(TRAIN_PASSES as readonly string[]).includes(c.trainPass)) throw trainerConfigError(`the training pass must be one of ${TRAIN_PASSES.join(', ')}, got "${c.trainPass}"`);
  return c;
}
