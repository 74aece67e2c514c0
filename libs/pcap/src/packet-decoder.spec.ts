import { describe, expect, it } from 'vitest';
import { LINKTYPE } from './link-types.ts';
import { NO_FLOW } from './packet-batch.ts';
import { chunked, concat, pcapFile } from './testing/capture-builder.ts';
import { ethernet, gre, icmp, ipv4, ipv6, ipv6FragmentBody, loopback, mpls, pppoeSession, sll, sll2, tcp, udp } from './testing/packet-builder.ts';
import { readAll, type ReadPacket } from './testing/read-all.ts';

/** Reads one packet of the given link type and returns what the decoder made of it. */
async function decodeOne(linkType: number, data: Uint8Array): Promise<ReadPacket> {
  const { packets, error } = await readAll(chunked(pcapFile({ linkType }, [{ sec: 1, frac: 0, data }])));
  expect(error).toBeUndefined();
  return packets[0];
}

const udp4 = ipv4({ src: '10.1.1.1', dst: '10.2.2.2', proto: 17, payload: udp(5000, 53), ttl: 33 });
const udp6 = ipv6({ src: '2001:db8::1', dst: '2001:db8::2', proto: 17, payload: udp(5000, 53), hopLimit: 7 });
const summary = (p: ReadPacket) => ({ ipVersion: p.ipVersion, proto: p.proto, l3: p.l3Offset, l4: p.l4Offset, ports: [p.srcPort, p.dstPort] });

describe('link-layer decoding', () => {
  const cases: [string, number, Uint8Array, number, 4 | 6][] = [
    ['Ethernet', LINKTYPE.ETHERNET, ethernet(0x0800, udp4), 14, 4],
    ['802.1Q', LINKTYPE.ETHERNET, ethernet(0x0800, udp4, [[0x8100, 10]]), 18, 4],
    ['QinQ (802.1ad + 802.1Q)', LINKTYPE.ETHERNET, ethernet(0x86dd, udp6, [[0x88a8, 100], [0x8100, 10]]), 22, 6],
    ['MPLS', LINKTYPE.ETHERNET, ethernet(0x8847, mpls([16, 17], udp4)), 22, 4],
    ['MPLS pseudowire with control word', LINKTYPE.ETHERNET, ethernet(0x8847, mpls([16], concat([new Uint8Array(4), ethernet(0x0800, udp4)]))), 36, 4],
    ['PPPoE', LINKTYPE.ETHERNET, ethernet(0x8864, pppoeSession(0x0057, udp6)), 22, 6],
    ['Linux SLL', LINKTYPE.LINUX_SLL, sll(0x0800, udp4), 16, 4],
    ['Linux SLL2', LINKTYPE.LINUX_SLL2, sll2(0x86dd, udp6), 20, 6],
    ['raw IPv4 (101)', LINKTYPE.RAW, udp4, 0, 4],
    ['raw IPv6 (101)', LINKTYPE.RAW, udp6, 0, 6],
    ['IPv4 (228)', LINKTYPE.IPV4, udp4, 0, 4],
    ['IPv6 (229)', LINKTYPE.IPV6, udp6, 0, 6],
    ['BSD loopback, little-endian AF_INET (0)', LINKTYPE.NULL, loopback(2, udp4, false), 4, 4],
    ['BSD loopback, big-endian AF_INET6 = 30 (0)', LINKTYPE.NULL, loopback(30, udp6, true), 4, 6],
    ['BSD loopback, AF_INET6 = 24 (0)', LINKTYPE.NULL, loopback(24, udp6, false), 4, 6],
    ['OpenBSD loopback AF_INET6 = 28 (108)', LINKTYPE.LOOP, loopback(28, udp6, true), 4, 6],
  ];
  for (const [name, linkType, data, l3, version] of cases) {
    it(`finds the IP header behind ${name}`, async () => {
      const p = await decodeOne(linkType, data);
      expect(summary(p)).toEqual({ ipVersion: version, proto: 17, l3, l4: l3 + (version === 4 ? 20 : 40), ports: [5000, 53] });
      expect(p.ttl).toBe(version === 4 ? 33 : 7);
      expect(p.flowId).toBe(0);
    });
  }

  it('marks non-IP packets (ARP, unknown link types, cut headers) with NO_FLOW', async () => {
    for (const [linkType, data] of [[1, ethernet(0x0806, new Uint8Array(28))], [147, udp4], [1, ethernet(0x0800, udp4).subarray(0, 20)], [0, loopback(7, udp4, false)]] as const) {
      const p = await decodeOne(linkType, data);
      expect([p.ipVersion, p.flowId, p.srcPort]).toEqual([0, NO_FLOW, 0]);
    }
  });
});

describe('IP and transport decoding', () => {
  it('skips IPv4 options', async () => {
    const p = await decodeOne(1, ethernet(0x0800, ipv4({ src: '1.1.1.1', dst: '2.2.2.2', proto: 6, options: Uint8Array.of(0x94, 4, 0, 0, 1, 1, 1, 0), payload: tcp(80, 1234, 0x12) })));
    expect(summary(p)).toEqual({ ipVersion: 4, proto: 6, l3: 14, l4: 42, ports: [80, 1234] });
    expect(p.tcpFlags).toBe(0x12);
  });

  it('keeps ports of a first IPv4 fragment and gives non-first fragments ports 0', async () => {
    const first = await decodeOne(1, ethernet(0x0800, ipv4({ src: '1.1.1.1', dst: '2.2.2.2', proto: 17, moreFragments: true, payload: udp(9, 10, new Uint8Array(16)) })));
    const later = await decodeOne(1, ethernet(0x0800, ipv4({ src: '1.1.1.1', dst: '2.2.2.2', proto: 17, fragmentOffset: 3, payload: new Uint8Array(16) })));
    expect(summary(first)).toEqual({ ipVersion: 4, proto: 17, l3: 14, l4: 34, ports: [9, 10] });
    expect(summary(later)).toEqual({ ipVersion: 4, proto: 17, l3: 14, l4: 0, ports: [0, 0] });
  });

  it('walks IPv6 extension headers to the transport header', async () => {
    const p = await decodeOne(1, ethernet(0x86dd, ipv6({
      src: '2001:db8::1', dst: '2001:db8::2', proto: 6, payload: tcp(443, 50000, 0x18),
      extensions: [[0, new Uint8Array(6)], [43, new Uint8Array(22)], [60, new Uint8Array(6)]],
    })));
    expect(summary(p)).toEqual({ ipVersion: 6, proto: 6, l3: 14, l4: 14 + 40 + 8 + 24 + 8, ports: [443, 50000] });
    expect(p.tcpFlags).toBe(0x18);
  });

  it('reads ports from a first IPv6 fragment, not from later ones', async () => {
    const base = { src: '2001:db8::1', dst: '2001:db8::2', proto: 17 };
    const first = await decodeOne(1, ethernet(0x86dd, ipv6({ ...base, extensions: [[44, ipv6FragmentBody(0, true)]], payload: udp(7, 8, new Uint8Array(16)) })));
    const later = await decodeOne(1, ethernet(0x86dd, ipv6({ ...base, extensions: [[0, new Uint8Array(6)], [44, ipv6FragmentBody(2, false)]], payload: new Uint8Array(16) })));
    expect(summary(first)).toEqual({ ipVersion: 6, proto: 17, l3: 14, l4: 14 + 48, ports: [7, 8] });
    expect(summary(later)).toEqual({ ipVersion: 6, proto: 17, l3: 14, l4: 0, ports: [0, 0] });
  });

  it('gives ICMP and ICMPv6 ports 0', async () => {
    const v4 = await decodeOne(1, ethernet(0x0800, ipv4({ src: '1.1.1.1', dst: '2.2.2.2', proto: 1, payload: icmp(8, 0, new Uint8Array(8)) })));
    const v6 = await decodeOne(1, ethernet(0x86dd, ipv6({ src: '::1', dst: '::2', proto: 58, payload: icmp(128, 0, new Uint8Array(8)) })));
    expect(summary(v4)).toEqual({ ipVersion: 4, proto: 1, l3: 14, l4: 34, ports: [0, 0] });
    expect(summary(v6)).toEqual({ ipVersion: 6, proto: 58, l3: 14, l4: 54, ports: [0, 0] });
  });

  it('keys GRE on the inner IP header (IPv4 with key and sequence, IPv6, bridged Ethernet)', async () => {
    const outer = (payload: Uint8Array) => ethernet(0x0800, ipv4({ src: '203.0.113.1', dst: '203.0.113.2', proto: 47, payload }));
    const inner4 = await decodeOne(1, outer(gre(0x0800, udp4, { key: 42, sequence: 1, checksum: true })));
    expect(summary(inner4)).toEqual({ ipVersion: 4, proto: 17, l3: 34 + 16, l4: 34 + 16 + 20, ports: [5000, 53] });
    expect(inner4.ttl).toBe(33);
    const inner6 = await decodeOne(1, outer(gre(0x86dd, udp6)));
    expect(summary(inner6)).toEqual({ ipVersion: 6, proto: 17, l3: 38, l4: 78, ports: [5000, 53] });
    const bridged = await decodeOne(1, outer(gre(0x6558, ethernet(0x0800, udp4))));
    expect(summary(bridged)).toEqual({ ipVersion: 4, proto: 17, l3: 38 + 14, l4: 38 + 34, ports: [5000, 53] });
  });

  it('looks through IP-in-IP and IPv6-in-IPv4', async () => {
    const p = await decodeOne(1, ethernet(0x0800, ipv4({ src: '203.0.113.1', dst: '203.0.113.2', proto: 41, payload: udp6 })));
    expect(summary(p)).toEqual({ ipVersion: 6, proto: 17, l3: 34, l4: 74, ports: [5000, 53] });
    const q = await decodeOne(1, ethernet(0x0800, ipv4({ src: '203.0.113.1', dst: '203.0.113.2', proto: 4, payload: udp4 })));
    expect(summary(q)).toEqual({ ipVersion: 4, proto: 17, l3: 34, l4: 54, ports: [5000, 53] });
  });

  it('keeps the outer header when the tunnelled one is cut short or not IP', async () => {
    const cut = await decodeOne(1, ethernet(0x0800, ipv4({ src: '203.0.113.1', dst: '203.0.113.2', proto: 47, payload: gre(0x0800, udp4.subarray(0, 12)) })));
    expect(summary(cut)).toEqual({ ipVersion: 4, proto: 47, l3: 14, l4: 34, ports: [0, 0] });
    const arp = await decodeOne(1, ethernet(0x0800, ipv4({ src: '203.0.113.1', dst: '203.0.113.2', proto: 47, payload: gre(0x0806, new Uint8Array(28)) })));
    expect(arp.proto).toBe(47);
  });

  it('bounds the IP packet by its stated length (Ethernet padding is not transport)', async () => {
    const tiny = ipv4({ src: '1.1.1.1', dst: '2.2.2.2', proto: 17, payload: new Uint8Array(2) });
    const p = await decodeOne(1, ethernet(0x0800, concat([tiny, new Uint8Array(20).fill(0xee)])));
    expect(summary(p)).toEqual({ ipVersion: 4, proto: 17, l3: 14, l4: 34, ports: [0, 0] });
  });

  it('treats a header with a bad version or length as not IP', async () => {
    const badLength = udp4.slice();
    badLength[0] = 0x43;
    expect((await decodeOne(1, ethernet(0x0800, badLength))).ipVersion).toBe(0);
    expect((await decodeOne(1, ethernet(0x0800, udp6))).ipVersion).toBe(0);
  });
});
