import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { FlowTable } from './flow-table.ts';
import { formatIpv6 } from './ip-address-format.ts';
import { concat } from './testing/capture-builder.ts';
import { ipv4, ipv4Addr, ipv6, ipv6Addr, udp } from './testing/packet-builder.ts';

const v4 = (src: string, dst: string) => ipv4({ src, dst, proto: 17, payload: udp(1, 2) });
const v6 = (src: string, dst: string) => ipv6({ src, dst, proto: 17, payload: udp(1, 2) });

describe('FlowTable', () => {
  it('gives both directions of a 5-tuple one id, direction 0 for the first-seen one', () => {
    const flows = new FlowTable();
    const a = v4('10.0.0.1', '10.0.0.2');
    const b = v4('10.0.0.2', '10.0.0.1');
    expect([flows.lookup(b, 4, 0, 17, 53, 4000), flows.direction]).toEqual([0, 0]);
    expect([flows.lookup(a, 4, 0, 17, 4000, 53), flows.direction]).toEqual([0, 1]);
    expect([flows.lookup(b, 4, 0, 17, 53, 4000), flows.direction]).toEqual([0, 0]);
    expect(flows.key(0)).toEqual({ ipVersion: 4, proto: 17, srcAddr: '10.0.0.2', dstAddr: '10.0.0.1', srcPort: 53, dstPort: 4000 });
  });

  it('tells apart protocol, ports, address family and same-host flows by port order', () => {
    const flows = new FlowTable();
    const p = v4('10.0.0.1', '10.0.0.2');
    const self = v4('127.0.0.1', '127.0.0.1');
    const ids = [
      flows.lookup(p, 4, 0, 17, 1, 2), flows.lookup(p, 4, 0, 6, 1, 2), flows.lookup(p, 4, 0, 17, 1, 3),
      flows.lookup(self, 4, 0, 6, 9, 8), flows.lookup(self, 4, 0, 6, 8, 9),
      flows.lookup(v6('::a00:1', '::a00:2'), 6, 0, 17, 1, 2),
    ];
    expect(ids).toEqual([0, 1, 2, 3, 3, 4]);
    expect(flows.direction).toBe(0);
    expect([flows.size, flows.tcpFlows, flows.udpFlows]).toEqual([5, 2, 3]);
    expect(flows.key(3)).toMatchObject({ srcPort: 9, dstPort: 8 });
    expect(flows.key(4)).toEqual({ ipVersion: 6, proto: 17, srcAddr: '::a00:1', dstAddr: '::a00:2', srcPort: 1, dstPort: 2 });
  });

  it('keeps ids dense in order of first appearance through growth', () => {
    const flows = new FlowTable();
    const packet = v4('10.0.0.1', '10.0.0.2');
    for (let port = 0; port < 5000; port++) expect(flows.lookup(packet, 4, 0, 17, port, 80)).toBe(port);
    const reply = v4('10.0.0.2', '10.0.0.1');
    for (let port = 4999; port >= 0; port--) expect([flows.lookup(reply, 4, 0, 17, 80, port), flows.direction]).toEqual([port, 1]);
    expect(flows.size).toBe(5000);
    expect(flows.key(4321)).toMatchObject({ srcPort: 4321, dstPort: 80 });
  });

  it('agrees with a reference map on random IPv4 and IPv6 traffic', () => {
    const endpoint = fc.record({ v6: fc.boolean(), host: fc.integer({ min: 0, max: 5 }), port: fc.integer({ min: 0, max: 3 }) });
    fc.assert(fc.property(fc.array(fc.tuple(endpoint, endpoint, fc.constantFrom(6, 17)), { minLength: 1, maxLength: 200 }), (packets) => {
      const flows = new FlowTable();
      const reference = new Map<string, number>();
      for (const [a, b, proto] of packets) {
        const version = a.v6 ? 6 : 4;
        const addr = (h: number) => (version === 4 ? `10.0.0.${h}` : `2001:db8::${h}`);
        const data = version === 4 ? v4(addr(a.host), addr(b.host)) : v6(addr(a.host), addr(b.host));
        const ends = [`${addr(a.host)}/${a.port}`, `${addr(b.host)}/${b.port}`].sort().join(' ');
        const key = `${version} ${proto} ${ends}`;
        if (!reference.has(key)) reference.set(key, reference.size);
        expect(flows.lookup(data, version, 0, proto, a.port, b.port)).toBe(reference.get(key));
      }
      expect(flows.size).toBe(reference.size);
    }));
  });
});

describe('address text', () => {
  it('writes IPv6 as RFC 5952 does', () => {
    const words = (text: string) => {
      const b = ipv6Addr(text);
      return [0, 4, 8, 12].map((i) => ((b[i] << 24) | (b[i + 1] << 16) | (b[i + 2] << 8) | b[i + 3]) >>> 0);
    };
    for (const [text, expected] of [
      ['2001:db8:0:0:0:0:0:1', '2001:db8::1'], ['0:0:0:0:0:0:0:0', '::'], ['fe80:0:0:0:1:0:0:1', 'fe80::1:0:0:1'],
      ['2001:db8:0:1:1:1:1:1', '2001:db8:0:1:1:1:1:1'], ['0:0:0:0:0:ffff:c000:201', '::ffff:192.0.2.1'], ['1:0:0:2:0:0:0:3', '1:0:0:2::3'],
    ]) expect(formatIpv6(words(text))).toBe(expected);
    expect(concat([ipv4Addr('1.2.3.4')])).toEqual(Uint8Array.of(1, 2, 3, 4));
  });
});
