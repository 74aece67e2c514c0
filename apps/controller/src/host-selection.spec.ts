import { describe, expect, it } from 'vitest';
import type { HostView } from './fleet-gateway.ts';
import { selectHosts } from './host-selection.ts';

const view = (host: string, beatAt: number, activeRunIds: string[] = []): HostView => ({
  registration: { host, version: 'v', cores: 2, ports: [], startedAtUnixMs: 0, heartbeatAtUnixMs: beatAt, heartbeatIntervalMs: 1000, activeRunIds },
  lastHeartbeatUnixMs: beatAt,
});

describe('selectHosts', () => {
  const now = 10_000;
  const views = [view('c', 9_500, ['r1']), view('a', 9_900), view('dead', 1_000), view('b', 9_800)];

  it('takes a count of live hosts, idle ones first, then by name', () => {
    expect(selectHosts(views, 2, now, 5000).map((h) => h.name)).toEqual(['a', 'b']);
    expect(selectHosts(views, 3, now, 5000).map((h) => h.name)).toEqual(['a', 'b', 'c']);
  });

  it('refuses a count larger than the live hosts', () => {
    expect(() => selectHosts(views, 4, now, 5000)).toThrowError('the run asks for 4 hosts; 3 are alive');
  });

  it('keeps named hosts in the order given and names the ones not alive', () => {
    expect(selectHosts(views, ['c', 'a'], now, 5000)).toEqual([{ name: 'c', cores: 2 }, { name: 'a', cores: 2 }]);
    expect(() => selectHosts(views, ['a', 'dead', 'nobody'], now, 5000)).toThrowError('not alive (no heartbeat within 5000 ms): dead, nobody');
  });
});
