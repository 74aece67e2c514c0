import { describe, expect, it } from 'vitest';
import { DEFAULT_CONTROLLER_CONFIG, parseControllerConfig } from './controller-config.ts';

describe('parseControllerConfig', () => {
  it('defaults to loopback, no token, one local NATS and a PGlite store', () => {
    expect(parseControllerConfig({}, [])).toEqual(DEFAULT_CONTROLLER_CONFIG);
  });

  it('reads the environment and lets flags win', () => {
    const config = parseControllerConfig(
      { MEMOCO_CONTROLLER_PORT: '9000', MEMOCO_NATS_URL: 'nats://a:4222, nats://b:4222', DATABASE_URL: 'postgres://x@db/memoco', MEMOCO_NATS_REPLICAS: '3', MEMOCO_HOST_CAPACITY: 'cores' },
      ['--port', '9001', '--host-timeout-ms=8000'],
    );
    expect(config).toMatchObject({ port: 9001, natsServers: ['nats://a:4222', 'nats://b:4222'], databaseUrl: 'postgres://x@db/memoco', natsReplicas: 3, hostTimeoutMs: 8000, hostCapacity: 'cores' });
  });

  it('rejects contradictions and bad values with exact messages', () => {
    const fails = (env: Record<string, string>, argv: string[] = []) => () => parseControllerConfig(env, argv);
    expect(fails({ MEMOCO_CONTROLLER_HOST: '0.0.0.0' })).toThrowError('listening on 0.0.0.0 (not loopback) needs an API token (MEMOCO_API_TOKEN)');
    expect(fails({ MEMOCO_NATS_USER: 'u' })).toThrowError('give both the NATS user and password, or neither');
    expect(fails({ MEMOCO_NATS_USER: 'u', MEMOCO_NATS_PASSWORD: 'p', MEMOCO_NATS_NKEY_SEED_FILE: '/s' })).toThrowError('give a NATS user/password or an nkey seed file, not both');
    expect(fails({}, ['--database-url', 'postgres://x/y', '--data-dir', '/d'])).toThrowError('give --database-url (PostgreSQL) or --data-dir (embedded PGlite), not both');
    expect(fails({ MEMOCO_CONTROLLER_PORT: '70000' })).toThrowError('MEMOCO_CONTROLLER_PORT must be an integer 0..65535, got "70000"');
    expect(fails({ MEMOCO_API_TOKEN: 'short' })).toThrowError('the API token must be at least 16 characters');
    expect(fails({}, ['--bogus', '1'])).toThrowError(/unknown option --bogus/);
    expect(fails({}, ['--port'])).toThrowError('--port needs a value');
    expect(fails({ MEMOCO_HOST_CAPACITY: 'weight' })).toThrowError('MEMOCO_HOST_CAPACITY must be one of equal|cores, got "weight"');
    expect(fails({ MEMOCO_HOST_TIMEOUT_MS: '500', MEMOCO_FOLLOW_INTERVAL_MS: '1000' })).toThrowError('the host timeout (500 ms) must be at least the follow interval (1000 ms)');
  });

  it('accepts a non-loopback address when a token is set', () => {
    expect(parseControllerConfig({ MEMOCO_CONTROLLER_HOST: '0.0.0.0', MEMOCO_API_TOKEN: 'a-long-enough-token' }).listenHost).toBe('0.0.0.0');
  });
});
