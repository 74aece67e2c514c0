import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { MemocoError } from '@memoco/protocol';
import { DEFAULT_NATS_SETTINGS, NATS_SETTING_SPECS, checkNatsSettings, natsConnectOptionsFrom, type NatsSettings } from './nats-settings.ts';
import { checkListenSecurity, readServiceSettings, type SettingSpec } from './service-settings.ts';

interface DemoConfig extends NatsSettings {
  host: string;
  port: number;
  mode: string;
}
const DEFAULTS: DemoConfig = { host: '127.0.0.1', port: 80, mode: 'a', ...DEFAULT_NATS_SETTINGS };
const SPECS: { [K in keyof DemoConfig]: SettingSpec } = {
  host: { env: 'DEMO_HOST', flag: '--host', kind: 'string' },
  port: { env: 'DEMO_PORT', flag: '--port', kind: 'int', min: 1, max: 65535 },
  mode: { env: 'DEMO_MODE', flag: '--mode', kind: { choices: ['a', 'b'] } },
  ...NATS_SETTING_SPECS,
};
const configError = (message: string) => new MemocoError('DEMO_ERR_CONFIG', message);
const read = (env: Record<string, string>, argv: string[] = []) => readServiceSettings(SPECS, DEFAULTS, env, argv, configError);

describe('readServiceSettings', () => {
  it('takes defaults, then the environment (ignoring empty values), then flags', () => {
    expect(read({}).config).toEqual(DEFAULTS);
    const { config, flags } = read({ DEMO_PORT: '81', DEMO_HOST: '', MEMOCO_NATS_URL: 'nats://a:1, nats://b:2', DEMO_MODE: 'b' }, ['--port=82', '--nats-replicas', '3']);
    expect(config).toMatchObject({ host: '127.0.0.1', port: 82, mode: 'b', natsServers: ['nats://a:1', 'nats://b:2'], natsReplicas: 3 });
    expect([...flags].sort()).toEqual(['natsReplicas', 'port']);
  });

  it('names the bad setting exactly', () => {
    expect(() => read({ DEMO_PORT: '0' })).toThrowError('DEMO_PORT must be an integer 1..65535, got "0"');
    expect(() => read({}, ['--port', '8.5'])).toThrowError('--port must be an integer 1..65535, got "8.5"');
    expect(() => read({ DEMO_MODE: 'c' })).toThrowError('DEMO_MODE must be one of a|b, got "c"');
    expect(() => read({}, ['--mode'])).toThrowError('--mode needs a value');
    expect(() => read({}, ['--colour', 'red'])).toThrowError(/^unknown option --colour \(known: --host --port --mode --nats /);
    try {
      read({ DEMO_PORT: 'x' });
      expect.unreachable();
    } catch (error) {
      expect((error as MemocoError).code).toBe('DEMO_ERR_CONFIG');
    }
  });
});

describe('shared checks', () => {
  it('requires a long enough token off loopback', () => {
    expect(() => checkListenSecurity('0.0.0.0', undefined, configError)).toThrowError('listening on 0.0.0.0 (not loopback) needs an API token (MEMOCO_API_TOKEN)');
    expect(() => checkListenSecurity('127.0.0.1', 'short', configError)).toThrowError('the API token must be at least 16 characters');
    for (const host of ['127.0.0.1', '127.1.2.3', '::1', 'localhost']) expect(() => checkListenSecurity(host, undefined, configError)).not.toThrow();
    expect(() => checkListenSecurity('10.0.0.1', 'sixteen-chars-ok', configError)).not.toThrow();
  });

  it('rejects contradictory NATS credentials', () => {
    const nats = (over: Partial<NatsSettings>) => () => checkNatsSettings({ ...DEFAULT_NATS_SETTINGS, ...over }, configError);
    expect(nats({ natsServers: [] })).toThrowError('MEMOCO_NATS_URL / --nats names no server');
    expect(nats({ natsUser: 'u' })).toThrowError('give both the NATS user and password, or neither');
    expect(nats({ natsUser: 'u', natsPassword: 'p', natsNkeySeedFile: '/s' })).toThrowError('give a NATS user/password or an nkey seed file, not both');
    expect(nats({ natsUser: 'u', natsPassword: 'p' })).not.toThrow();
  });

  it('builds connection options, reading the nkey seed file', () => {
    const dir = mkdtempSync(join(tmpdir(), 'memoco-kit-'));
    try {
      const seed = join(dir, 'seed');
      writeFileSync(seed, 'SUAEXAMPLESEED\n');
      expect(natsConnectOptionsFrom({ ...DEFAULT_NATS_SETTINGS, natsNkeySeedFile: seed }, 'svc', configError)).toEqual({ servers: DEFAULT_NATS_SETTINGS.natsServers, name: 'svc', nkeySeed: 'SUAEXAMPLESEED' });
      expect(natsConnectOptionsFrom({ ...DEFAULT_NATS_SETTINGS, natsUser: 'u', natsPassword: 'p' }, 'svc', configError)).toMatchObject({ user: 'u', password: 'p' });
      expect(() => natsConnectOptionsFrom({ ...DEFAULT_NATS_SETTINGS, natsNkeySeedFile: join(dir, 'missing') }, 'svc', configError)).toThrowError(`cannot read the NATS nkey seed file ${join(dir, 'missing')}: ENOENT`);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
