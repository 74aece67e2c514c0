import { describe, expect, it } from 'vitest';
import { DEFAULT_TRAINER_CONFIG, parseTrainerConfig } from './trainer-config.ts';

describe('parseTrainerConfig', () => {
  it('defaults to loopback port 7421, no token, one local NATS and a 16 GiB upload limit', () => {
    expect(parseTrainerConfig({}, [])).toEqual(DEFAULT_TRAINER_CONFIG);
    expect(DEFAULT_TRAINER_CONFIG).toMatchObject({ listenHost: '127.0.0.1', port: 7421, maxUploadBytes: 16 * 1024 ** 3 });
  });

  it('reads the environment and lets flags win', () => {
    const config = parseTrainerConfig(
      { MEMOCO_TRAINER_PORT: '9000', MEMOCO_NATS_URL: 'nats://a:4222,nats://b:4222', MEMOCO_NATS_REPLICAS: '3', MEMOCO_TRAINER_MAX_UPLOAD_BYTES: '1048576', MEMOCO_TRAINER_NAME: 'trainer-a', MEMOCO_TRAINER_PASS: 'native' },
      ['--port', '9001', '--max-uploads=2', '--upload-idle-ms', '5000', '--pass', 'typescript'],
    );
    expect(config).toMatchObject({ port: 9001, natsServers: ['nats://a:4222', 'nats://b:4222'], natsReplicas: 3, maxUploadBytes: 1048576, maxConcurrentUploads: 2, uploadIdleMs: 5000, trainerName: 'trainer-a', trainPass: 'typescript' });
    expect(parseTrainerConfig({}).trainPass).toBe('auto');
  });

  it('rejects contradictions and bad values with exact messages', () => {
    const fails = (env: Record<string, string>, argv: string[] = []) => () => parseTrainerConfig(env, argv);
    expect(fails({ MEMOCO_TRAINER_HOST: '0.0.0.0' })).toThrowError('listening on 0.0.0.0 (not loopback) needs an API token (MEMOCO_API_TOKEN)');
    expect(fails({ MEMOCO_API_TOKEN: 'short' })).toThrowError('the API token must be at least 16 characters');
    expect(fails({ MEMOCO_NATS_PASSWORD: 'p' })).toThrowError('give both the NATS user and password, or neither');
    expect(fails({ MEMOCO_TRAINER_MAX_UPLOAD_BYTES: '10' })).toThrowError('MEMOCO_TRAINER_MAX_UPLOAD_BYTES must be an integer 1024..9007199254740991, got "10"');
    expect(fails({}, ['--max-uploads', '0'])).toThrowError('--max-uploads must be an integer 1..64, got "0"');
    expect(fails({}, ['--name', 'two words'])).toThrowError('the trainer name must be 1..128 printable characters without spaces, got "two words"');
    expect(fails({ MEMOCO_TRAINER_PASS: 'gpu' })).toThrowError('the training pass must be one of auto, native, typescript, got "gpu"');
    expect(fails({}, ['--database-url', 'x'])).toThrowError(/^unknown option --database-url \(known: --host --port --api-token --nats /);
  });

  it('accepts a non-loopback address when a token is set', () => {
    expect(parseTrainerConfig({ MEMOCO_TRAINER_HOST: '0.0.0.0', MEMOCO_API_TOKEN: 'a-long-enough-token' }).listenHost).toBe('0.0.0.0');
  });
});
