import { describe, expect, it } from 'vitest';
import { ealArguments, lcoreMap, parseEalOptions } from './eal-options.ts';
import { parsePortSpec } from './port-spec.ts';
import { parsePacing, parseReplayOptions } from './replay-options.ts';
import { decodeTagTrailer, encodeTagTrailer, TAG_TRAILER_BYTES } from './tag-format.ts';

const code = (fn: () => unknown) => {
  try {
    fn();
  } catch (error) {
    return `${(error as { code: string }).code}: ${(error as Error).message}`;
  }
  return 'no error';
};

describe('rate options', () => {
  it('rejects two rates at once with one coded line naming both', () => {
    expect(code(() => parsePacing({ speed: 2, pps: 1000 }))).toBe('TXCORE_ERR_RATE_CONFLICT: give one rate, not --speed and --pps (--speed X | --pps N | --mbps N | --topspeed)');
    expect(code(() => parsePacing({ mbps: 10, topspeed: true }))).toMatch(/^TXCORE_ERR_RATE_CONFLICT: .*--mbps and --topspeed/);
  });
  it('defaults to original timing and rejects non-positive rates', () => {
    expect(parsePacing({})).toEqual({ mode: 'speed', multiplier: 1 });
    expect(parsePacing({ pps: 100_000 })).toEqual({ mode: 'pps', pps: 100_000 });
    expect(code(() => parsePacing({ speed: 0 }))).toBe('TXCORE_ERR_BAD_OPTION: --speed must be a number > 0, got 0');
  });
  it('checks ranges of the engine options', () => {
    expect(code(() => parseReplayOptions({ trace: 't', port: 'net_null0', cores: 65 }))).toBe('TXCORE_ERR_BAD_OPTION: --cores must be an integer from 1 to 64, got 65');
    expect(code(() => parseReplayOptions({ trace: 't', port: 'net_null0', ringSlots: 1000 }))).toBe('TXCORE_ERR_BAD_OPTION: ringSlots must be a power of two, got 1000');
    expect(parseReplayOptions({ trace: 't', port: 'net_null0' })).toMatchObject({ cores: 1, loops: 1, bufferMb: 64, tag: false });
  });
  it('per-flow order: a queue per core, af_packet asked for as many queue pairs, no drain lcore', () => {
    const flow = parseReplayOptions({ trace: 't', port: 'net_af_packet0,iface=v0', cores: 2, order: 'flow' });
    expect(flow).toMatchObject({ order: 'flow', drain: 'flush' });
    expect(flow.port.devargs).toBe('net_af_packet0,iface=v0,qpairs=2');
    expect(parseReplayOptions({ trace: 't', port: 'net_null0', cores: 2 }).order).toBe('global');
    expect(code(() => parseReplayOptions({ trace: 't', port: 'net_null0', order: 'flow', drain: 'lcore' }))).toMatch(/^TXCORE_ERR_BAD_OPTION: --order flow drains/);
  });
});

describe('port specs', () => {
  it('accepts vdevs and PCI addresses and names the ethdev', () => {
    expect(parsePortSpec('net_pcap0,tx_pcap=/tmp/o.pcap')).toMatchObject({ kind: 'vdev', name: 'net_pcap0', driver: 'net_pcap', args: { tx_pcap: '/tmp/o.pcap' } });
    expect(parsePortSpec('net_af_packet1,iface=veth0,qdisc_bypass=1').name).toBe('net_af_packet1');
    expect(parsePortSpec('3B:00.1')).toMatchObject({ kind: 'pci', name: '0000:3b:00.1', devargs: '0000:3b:00.1' });
  });
  it('rejects unknown drivers, missing arguments and malformed key=value', () => {
    expect(code(() => parsePortSpec('net_bogus0'))).toMatch(/^TXCORE_ERR_PORT_SPEC: --port 'net_bogus0': unknown driver 'net_bogus'/);
    expect(code(() => parsePortSpec('net_pcap0'))).toBe("TXCORE_ERR_PORT_SPEC: --port 'net_pcap0': net_pcap needs tx_pcap= or tx_iface= or iface=");
    expect(code(() => parsePortSpec('net_pcap0,tx_pcap'))).toBe("TXCORE_ERR_PORT_SPEC: --port 'net_pcap0,tx_pcap': 'tx_pcap' is not key=value");
    expect(code(() => parsePortSpec('eth0'))).toMatch(/^TXCORE_ERR_PORT_SPEC: .*expected a DPDK vdev/);
  });
});

describe('EAL options', () => {
  it('gives each lcore its own CPU when there are enough, else lets them float', () => {
    expect(lcoreMap(3, [0, 1, 2, 3, 4])).toBe('0@0,1@1,2@2,3@3');
    expect(lcoreMap(3, [0, 1])).toBe('0@(0,1),1@(0,1),2@(0,1),3@(0,1)');
  });
  it('builds the no-hugepage, no-PCI argv used here and the hugepage/PCI one of a real host', () => {
    const here = ealArguments(parseEalOptions({ workerLcores: 1, cpus: [0, 1], filePrefix: 'x' }));
    expect(here).toEqual(['memoco', '--lcores=0@0,1@1', '-m', '1024', '--no-huge', '--no-pci', '--no-shconf', '--no-telemetry', '--file-prefix=x', '--log-level=*:error']);
    const host = ealArguments(parseEalOptions({ hugepages: true, pciAllow: ['0000:3b:00.0'], workerLcores: 1, cpus: [0, 1], filePrefix: 'x' }));
    expect(host).toContain('0000:3b:00.0');
    expect(host).not.toContain('--no-huge');
    expect(host).not.toContain('--no-pci');
  });
  it('rejects impossible values', () => {
    expect(code(() => parseEalOptions({ memoryMb: 10 }))).toBe('TXCORE_ERR_BAD_OPTION: EAL memory must be an integer >= 64 MB, got 10');
    expect(code(() => parseEalOptions({ pciAllow: ['zz'] }))).toMatch(/is not a PCI address/);
  });
});

describe('tag trailer format', () => {
  it('round-trips at the end of a frame, big-endian', () => {
    const frame = new Uint8Array(80);
    encodeTagTrailer({ flowId: 7, globalSeq: 2n ** 40n + 3n, flowSeq: 9n }, frame.subarray(80 - TAG_TRAILER_BYTES));
    expect(Array.from(frame.subarray(56, 60))).toEqual([0x4d, 0x43, 0x53, 0x51]);
    expect(decodeTagTrailer(frame)).toEqual({ flowId: 7, globalSeq: 2n ** 40n + 3n, flowSeq: 9n });
    expect(decodeTagTrailer(new Uint8Array(80))).toBeUndefined();
  });
});
