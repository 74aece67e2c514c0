import { describe, expect, it } from 'vitest';
import { defaultHostName, parseAgentConfig } from './agent-config.ts';

describe('agent config', () => {
  it('reads the environment, lets flags win, and splits port specs on ;', () => {
    const c = parseAgentConfig(
      { MEMOCO_AGENT_HOST: 'tx-1', MEMOCO_NATS_URL: 'nats://a:4222, nats://b:4222', MEMOCO_AGENT_PORTS: 'net_pcap0,tx_pcap=/x/{runId}.pcap;net_null0', MEMOCO_AGENT_CORES: '2' },
      ['--cores', '4', '--tag', 'true', '--heartbeat-ms=500'],
    );
    expect(c).toMatchObject({ host: 'tx-1', natsServers: ['nats://a:4222', 'nats://b:4222'], ports: ['net_pcap0,tx_pcap=/x/{runId}.pcap', 'net_null0'], cores: 4, tag: true, heartbeatIntervalMs: 500 });
    expect(parseAgentConfig({ MEMOCO_AGENT_HOST: 'x', MEMOCO_AGENT_TAG: 'true' }, ['--tag', 'false']).tag).toBe(false);
  });

  it('rejects bad values and contradictions with AGENT_ERR_CONFIG naming the setting', () => {
    const bad = (env: Record<string, string>, argv: string[] = []) => {
      try {
        parseAgentConfig({ MEMOCO_AGENT_HOST: 'tx-1', ...env }, argv);
      } catch (error) {
        return `${(error as { code: string }).code}: ${(error as Error).message}`;
      }
      return 'accepted';
    };
    expect(bad({ MEMOCO_AGENT_CORES: '0' })).toBe('AGENT_ERR_CONFIG: MEMOCO_AGENT_CORES must be an integer 1..64, got "0"');
    expect(bad({}, ['--host', 'tx.1'])).toMatch(/host name "tx.1" may use letters/);
    expect(bad({ MEMOCO_NATS_USER: 'u' })).toBe('AGENT_ERR_CONFIG: give both the NATS user and password, or neither');
    expect(bad({}, ['--speed', '2'])).toMatch(/^AGENT_ERR_CONFIG: unknown option --speed/);
    expect(bad({ MEMOCO_AGENT_TAG: 'maybe' })).toBe('AGENT_ERR_CONFIG: MEMOCO_AGENT_TAG must be one of true|false|1|0, got "maybe"');
    expect(bad({}, ['--ports', ' ; '])).toBe('AGENT_ERR_CONFIG: MEMOCO_AGENT_PORTS / --ports names no port');
  });

  it('derives a subject-safe default host name from the machine name', () => {
    expect(defaultHostName('tx-host.example.com')).toBe('tx-host');
    expect(defaultHostName('weird name!')).toBe('weird-name-');
  });
});
