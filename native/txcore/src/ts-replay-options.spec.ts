import { describe, expect, it } from 'vitest';
import { DEFAULT_TS_REPLAY_OPTIONS, parseTsReplayOptions, type TsReplayOptionsInput } from './ts-replay-options.ts';
import { nativeTsConfig } from './ts-native-config.ts';

const base = { archive: 'a.tsa', port: 'net_null0' };
const parse = (extra: Partial<TsReplayOptionsInput>) => parseTsReplayOptions({ ...base, ...extra });
function failure(extra: Partial<TsReplayOptionsInput>): string {
  try {
    parse(extra);
  } catch (error) {
    return `${(error as { code: string }).code}: ${(error as Error).message}`;
  }
  return 'accepted';
}

describe('parseTsReplayOptions', () => {
  it('defaults: time-conforming, no drift window, no out-of-order, 1 IO / 1 worker / 1 TX thread, port-per-device, Data payloads', () => {
    const o = parse({});
    expect(o).toMatchObject({ io: 1, workers: 1, tx: 1, timing: { mode: 'timestamps', fastForward: 1 }, driftUs: null, ooo: null, flowRule: 'port-per-device', payload: 'data', txPriority: 'auto', bufferMb: 64 });
    expect(o.base).toEqual(DEFAULT_TS_REPLAY_OPTIONS.base);
  });

  it('rejects contradictions with exact messages', () => {
    expect(failure({ tightLoopNs: 100, fastForward: 2 })).toBe('TXCORE_ERR_OPTION_CONFLICT: give one timing, not --tight-loop-ns and --fast-forward (--fast-forward F scales the timestamps, --tight-loop-ns N ignores them)');
    expect(failure({ tightLoopNs: 0, driftUs: 5 })).toBe("TXCORE_ERR_OPTION_CONFLICT: --drift-us needs due times: --tight-loop-ns 0 makes every record due at the start, so all but the first microsecond's would be time violations");
    expect(failure({ oooThreads: 2 })).toBe('TXCORE_ERR_OPTION_CONFLICT: --ooo-threads needs --ooo-probability P (the share of records sent out of order)');
    expect(failure({ oooWindowUs: 5 })).toBe('TXCORE_ERR_OPTION_CONFLICT: --ooo-window-us needs --ooo-probability P (the share of records sent out of order)');
    expect(failure({ oooProbability: 0.2 })).toBe('TXCORE_ERR_OPTION_CONFLICT: --ooo-probability needs --ooo-window-us W (an out-of-order record is sent up to W us late)');
  });

  it('rejects values out of range', () => {
    expect(failure({ io: 2 })).toMatch(/^TXCORE_ERR_BAD_OPTION: --io must be 1, got 2: one IO thread reads the archive front to back/);
    expect(failure({ workers: 0 })).toBe('TXCORE_ERR_BAD_OPTION: --workers must be an integer from 1 to 16, got 0');
    expect(failure({ fastForward: 0 })).toBe('TXCORE_ERR_BAD_OPTION: --fast-forward must be a number > 0 and <= 1e9, got 0');
    expect(failure({ driftUs: -1 })).toMatch(/^TXCORE_ERR_BAD_OPTION: --drift-us must be an integer from 0/);
    expect(failure({ oooProbability: 0, oooWindowUs: 5 })).toBe('TXCORE_ERR_BAD_OPTION: --ooo-probability must be a number > 0 and <= 1, got 0');
    expect(failure({ oooProbability: 0.5, oooWindowUs: 5, oooThreads: 0 })).toMatch(/^TXCORE_ERR_BAD_OPTION: --ooo-threads must be an integer from 1 to/);
    expect(failure({ src: '10.0.0.300' })).toBe("TXCORE_ERR_BAD_OPTION: --src: '10.0.0.300' is not an IPv4 address");
    expect(failure({ dst: '10.0.0.1:70000' })).toBe("TXCORE_ERR_BAD_OPTION: --dst: port in '10.0.0.1:70000' must be 0-65535");
    expect(failure({ srcMac: '02:00' })).toBe("TXCORE_ERR_BAD_OPTION: --src-mac: '02:00' is not a MAC address like 02:00:00:00:00:01");
    expect(failure({ port: 'net_bogus0' })).toMatch(/^TXCORE_ERR_PORT_SPEC: /);
    expect(failure({ flowRule: 'random' as never })).toBe("TXCORE_ERR_BAD_OPTION: --flow-rule must be 'port-per-device' or 'single', got 'random'");
    expect(failure({ flowMap: { flows: [], devices: [{ device: 'x', id: new Uint8Array(16), flow: 0 }] } })).toMatch(/flow map device 'x' flow must be an integer from 0 to -1/);
  });

  it('what crosses into C++: host-order IPv4 numbers, hex MACs and Device IDs, -1 for no window', () => {
    const id = new Uint8Array(16).fill(0xab);
    const n = nativeTsConfig(parse({
      src: '192.168.1.2:4000', dst: '10.0.0.9:53', driftUs: 7, oooProbability: 0.25, oooWindowUs: 30, fastForward: 2,
      flowMap: { flows: [{ srcIp: '1.2.3.4', srcPort: 1, dstIp: '5.6.7.8', dstPort: 2, srcMac: '02:00:00:00:00:0a', dstMac: '02:00:00:00:00:0b' }], devices: [{ device: 'd', id, flow: 0 }] },
    }));
    expect(n).toMatchObject({ driftUs: 7, oooProbability: 0.25, oooWindowUs: 30, oooThreads: 1, timing: 'timestamps', fastForward: 2, tightLoopNs: 0 });
    expect(n.base).toEqual({ srcIp: 0xc0a80102, srcPort: 4000, dstIp: 0x0a000009, dstPort: 53, srcMac: '020000000001', dstMac: '020000000002' });
    expect(n.mappedFlows[0]).toMatchObject({ srcIp: 0x01020304, dstIp: 0x05060708, srcMac: '02000000000a' });
    expect(n.mappedDevices).toEqual([{ id: 'ab'.repeat(16), flow: 0 }]);
    expect(nativeTsConfig(parse({})).driftUs).toBe(-1);
  });
});
