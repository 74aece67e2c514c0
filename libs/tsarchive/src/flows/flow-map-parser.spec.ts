import { describe, expect, it } from 'vitest';
import { encodeDeviceId } from '../format/device-id.ts';
import { parseFlowMap } from './flow-map-parser.ts';

const DEFAULTS = { srcMac: '02:00:00:00:00:01', dstMac: '02:00:00:00:00:02' };
const parse = (value: unknown) => parseFlowMap(typeof value === 'string' ? value : JSON.stringify(value), 'map.json', DEFAULTS);

describe('parseFlowMap', () => {
  it('maps each device to its flow; several devices may share one; MACs default', () => {
    const map = parse({ flows: [
      { devices: ['a', 'b'], src: '10.1.0.1:4000', dst: '10.9.0.1:5000' },
      { device: 'Accelerometer1RMS', src: '10.1.0.2:4001', dst: '10.9.0.1:5001', srcMac: '02:AA:00:00:00:01', proto: 'UDP' },
    ] });
    expect(map.flows).toEqual([
      { srcIp: '10.1.0.1', srcPort: 4000, dstIp: '10.9.0.1', dstPort: 5000, ...DEFAULTS },
      { srcIp: '10.1.0.2', srcPort: 4001, dstIp: '10.9.0.1', dstPort: 5001, srcMac: '02:aa:00:00:00:01', dstMac: DEFAULTS.dstMac },
    ]);
    expect(map.devices.map((d) => [d.device, d.flow])).toEqual([['a', 0], ['b', 0], ['Accelerometer1RMS', 1]]);
    expect(map.devices[2]!.id).toEqual(encodeDeviceId('Accelerometer1RMS'));
  });

  it('rejects bad maps with the JSON path', () => {
    const bad = (value: unknown) => {
      try {
        parse(value);
      } catch (error) {
        return `${(error as { code: string }).code}: ${(error as Error).message}`;
      }
      return 'accepted';
    };
    expect(bad('{')).toMatch(/^TSARCHIVE_ERR_BAD_FLOW_MAP: map.json: \$: not JSON/);
    expect(bad({ flow: [] })).toBe('TSARCHIVE_ERR_BAD_FLOW_MAP: map.json: $.flows: must be an array of flows');
    expect(bad({ flows: [{ device: 'a', src: '10.0.0.300:1', dst: '10.0.0.1:2' }] })).toBe('TSARCHIVE_ERR_BAD_FLOW_MAP: map.json: $.flows[0].src: "10.0.0.300:1" is not "IPv4:PORT" (like "10.0.0.1:4000")');
    expect(bad({ flows: [{ device: 'a', src: '10.0.0.1:1', dst: '10.0.0.1' }] })).toMatch(/\$\.flows\[0\]\.dst: "10.0.0.1" is not "IPv4:PORT"/);
    expect(bad({ flows: [{ device: 'a', devices: ['b'], src: '10.0.0.1:1', dst: '10.0.0.1:2' }] })).toMatch(/\$\.flows\[0\]: give "device": NAME or "devices"/);
    expect(bad({ flows: [{ device: 'a', src: '10.0.0.1:1', dst: '10.0.0.1:2' }, { device: 'a', src: '10.0.0.1:1', dst: '10.0.0.1:3' }] })).toMatch(/\$\.flows\[1\]: device "a" is mapped twice/);
    expect(bad({ flows: [{ device: 'a', src: '10.0.0.1:1', dst: '10.0.0.1:2', proto: 'tcp' }] })).toMatch(/\.proto: records are sent as UDP payloads/);
    expect(bad({ flows: [{ device: 'a', src: '10.0.0.1:1', dst: '10.0.0.1:2', dstMac: 'zz' }] })).toMatch(/\.dstMac: "zz" is not a MAC address/);
    expect(bad({ flows: [{ device: 'a', src: '10.0.0.1:1', dst: '10.0.0.1:2', port: 3 }] })).toMatch(/\$\.flows\[0\]\.port: unknown key/);
  });
});
