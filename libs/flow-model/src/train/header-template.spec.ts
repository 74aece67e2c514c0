import { describe, expect, it } from 'vitest';
import { captureTemplate } from './header-template.ts';

const hex = (s: string) => Uint8Array.from(s.replace(/\s/g, '').match(/../g)!.map((b) => parseInt(b, 16)));

describe('captureTemplate', () => {
  it('keeps MACs and VLAN tags of an Ethernet frame and clears IPv4 fragment fields', () => {
    const frame = hex('020000000001 020000000002 8100 0064 0800' + '45000028abcd2005 4006 0000 0a000001 0a000002' + '1f90 0050 00000001 00000000 5010ffff 0000 0000');
    const t = captureTemplate(frame, 0, frame.length, 1, 4, 6, 18, 38);
    expect(t.l3Offset).toBe(18);
    expect(t.l4Offset).toBe(38);
    expect(t.bytes.length).toBe(58);
    expect(Array.from(t.bytes.subarray(12, 18))).toEqual([0x81, 0x00, 0x00, 0x64, 0x08, 0x00]);
    expect(t.bytes[18 + 6]).toBe(0x00);
    expect(t.bytes[18 + 7]).toBe(0x00);
  });

  it('gives a Linux SLL capture an Ethernet header with MACs derived from the addresses', () => {
    const sll = hex('0000 0001 0006 001122334455 0000 0800');
    const ip = hex('4500001c00004000 4011 0000 c0a80105 0a0a0a0a 3039 0035 0008 0000');
    const frame = new Uint8Array(sll.length + ip.length);
    frame.set(sll);
    frame.set(ip, sll.length);
    const t = captureTemplate(frame, 0, frame.length, 113, 4, 17, 16, 36);
    expect(Array.from(t.bytes.subarray(0, 14))).toEqual([0x02, 0x00, 10, 10, 10, 10, 0x02, 0x00, 192, 168, 1, 5, 0x08, 0x00]);
    expect(t.l3Offset).toBe(14);
    expect(t.l4Offset).toBe(34);
    expect(t.bytes.length).toBe(42);
  });
});
