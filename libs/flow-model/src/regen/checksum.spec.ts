import { describe, expect, it } from 'vitest';
import { finishChecksum, ipv4HeaderChecksumValid, onesComplementSum, transportChecksumValid, writeIpv4HeaderChecksum, writeTransportChecksum } from './checksum.ts';

const hex = (s: string) => Uint8Array.from(s.match(/../g)!.map((b) => parseInt(b, 16)));

describe('Internet checksums', () => {
  it('computes the RFC 1071 example sum', () => {
    // RFC 1071 §3: 0001 f203 f4f5 f6f7 sums to ddf2 (before complement).
    expect(finishChecksum(onesComplementSum(hex('0001f203f4f5f6f7'), 0, 8))).toBe(~0xddf2 & 0xffff);
  });

  it('writes the IPv4 header checksum of a known header', () => {
    // A classic example header whose checksum is b861.
    const header = hex('450000730000400040110000c0a80001c0a800c7');
    writeIpv4HeaderChecksum(header, 0);
    expect(header[10]).toBe(0xb8);
    expect(header[11]).toBe(0x61);
    expect(ipv4HeaderChecksumValid(header, 0)).toBe(true);
  });

  it('makes TCP, UDP and ICMPv6 checksums over the pseudo-header verify, for v4 and v6', () => {
    const v4udp = hex('4500001c000000004011000001020304050607080035d43100080000');
    writeTransportChecksum(v4udp, 0, 20, v4udp.length, 4, 17);
    expect(transportChecksumValid(v4udp, 0, 20, v4udp.length, 4, 17)).toBe(true);
    const v6tcp = new Uint8Array(40 + 20 + 5);
    v6tcp.set(hex('6000000000190640'), 0);
    v6tcp.set(hex('20010db8000000000000000000000001'), 8);
    v6tcp.set(hex('20010db8000000000000000000000002'), 24);
    v6tcp.set(hex('01bb303900000001000000005018ffff00000000'), 40);
    v6tcp.set([1, 2, 3, 4, 5], 60);
    writeTransportChecksum(v6tcp, 0, 40, v6tcp.length, 6, 6);
    expect(transportChecksumValid(v6tcp, 0, 40, v6tcp.length, 6, 6)).toBe(true);
    v6tcp[62] ^= 1;
    expect(transportChecksumValid(v6tcp, 0, 40, v6tcp.length, 6, 6)).toBe(false);
  });
});
