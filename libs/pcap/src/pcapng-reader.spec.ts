import { describe, expect, it } from 'vitest';
import { LINKTYPE } from './link-types.ts';
import { chunked, PcapngBuilder } from './testing/capture-builder.ts';
import { ethernet, ipv4, sll, sll2, udp } from './testing/packet-builder.ts';
import { readAll } from './testing/read-all.ts';
import { MAX_BLOCK_BYTES } from './trace-reader-options.ts';

const ip = (port: number) => ipv4({ src: '192.0.2.1', dst: '192.0.2.2', proto: 17, payload: udp(port, 9) });

describe('pcapng reader', () => {
  it('reads several sections (each its own byte order) with several interfaces, resolutions and offsets', async () => {
    const file = new PcapngBuilder()
      .section()
      .interface(LINKTYPE.ETHERNET)
      .interface(LINKTYPE.RAW, { tsresol: 9, tsoffset: 1000n })
      .enhancedPacket(0, 1_700_000_000_123_456n, ethernet(0x0800, ip(1)))
      .block(0x0bad, new Uint8Array(12)) // custom block: skipped
      .enhancedPacket(1, 5_000_000_123n, ip(2))
      .section({ bigEndian: true })
      .interface(LINKTYPE.LINUX_SLL, { tsresol: 0x80 | 20 })
      .interface(LINKTYPE.LINUX_SLL2, { tsresol: 3, tsoffset: -10n })
      .block(5, new Uint8Array(20)) // interface statistics: skipped
      .enhancedPacket(0, 3n * 2n ** 20n + 2n ** 19n, sll(0x0800, ip(3)))
      .simplePacket(sll(0x0800, ip(4)))
      .obsoletePacket(1, 1500n, sll2(0x0800, ip(5)))
      .bytes();
    const { packets, error, reader } = await readAll(chunked(file, [13]), { chunkBytes: 50 });
    expect(error).toBeUndefined();
    expect(reader.format).toBe('pcapng');
    expect(reader.linkTypes).toEqual([1, 101, 113, 276]);
    expect(packets.map((p) => [p.linkType, p.tsSec, p.tsNsec, p.srcPort])).toEqual([
      [1, 1_700_000_000, 123_456_000, 1],
      [101, 1005, 123, 2],
      [113, 3, 500_000_000, 3],
      [113, 3, 500_000_000, 4], // a simple packet block has no time: it takes its predecessor's
      [276, -9, 500_000_000, 5],
    ]);
    expect(packets.every((p) => p.ipVersion === 4 && p.proto === 17)).toBe(true);
  });

  it('splits 64-bit nanosecond counts exactly', async () => {
    const file = new PcapngBuilder().section().interface(1, { tsresol: 9 }).enhancedPacket(0, 1_700_000_000_123_456_789n, ethernet(0x0800, ip(1))).bytes();
    const { packets } = await readAll(chunked(file));
    expect([packets[0].tsSec, packets[0].tsNsec]).toEqual([1_700_000_000, 123_456_789]);
  });

  it('bounds a simple packet by the snap length and keeps the original length', async () => {
    const data = ethernet(0x0800, ip(1));
    const file = new PcapngBuilder().section().interface(1, { snapLen: 20 }).simplePacket(data.subarray(0, 20), data.length).bytes();
    const { packets } = await readAll(chunked(file));
    expect([packets[0].capLen, packets[0].origLen]).toEqual([20, data.length]);
  });

  it('skips unknown blocks larger than it holds, without buffering them', async () => {
    const file = new PcapngBuilder().section().interface(1).block(0x0bad, new Uint8Array(MAX_BLOCK_BYTES + 4000)).enhancedPacket(0, 1n, ethernet(0x0800, ip(7))).bytes();
    const { packets, error } = await readAll(chunked(file, [65536]), { chunkBytes: 4096 });
    expect(error).toBeUndefined();
    expect(packets.map((p) => p.srcPort)).toEqual([7]);
  });

  const section = () => new PcapngBuilder().section().interface(1, { snapLen: 100 }).enhancedPacket(0, 1n, ethernet(0x0800, ip(1)));
  const firstBlockAfter = (b: PcapngBuilder) => b.bytes().length;

  const badCases: [string, () => Uint8Array, string, number][] = [
    ['a bad byte-order magic', () => new PcapngBuilder().section({ bom: 0x11223344 }).bytes(), 'PCAP_ERR_BAD_HEADER', 0],
    ['a section version other than 1', () => new PcapngBuilder().section({ major: 2 }).bytes(), 'PCAP_ERR_BAD_HEADER', 0],
    ['an unsupported if_tsresol', () => new PcapngBuilder().section().interface(1, { tsresol: 0x80 | 70 }).bytes(), 'PCAP_ERR_BAD_HEADER', 0],
    ['a packet for an undeclared interface', () => section().enhancedPacket(3, 1n, new Uint8Array(20)).bytes(), 'PCAP_ERR_BAD_BLOCK', 1],
    ['a packet longer than the interface snap length', () => section().enhancedPacket(0, 1n, new Uint8Array(101)).bytes(), 'PCAP_ERR_RECORD_TOO_LONG', 1],
    ['a captured length beyond its block', () => section().enhancedPacket(0, 1n, new Uint8Array(20), 20, 60).bytes(), 'PCAP_ERR_BAD_BLOCK', 1],
  ];
  for (const [what, build, code, record] of badCases) {
    it(`rejects ${what} with ${code}`, async () => {
      const { error } = await readAll(chunked(build()));
      expect(error?.code).toBe(code);
      expect(error?.details.record).toBe(record);
    });
  }

  it('rejects a block length that is not a multiple of 4, at that block', async () => {
    const good = section();
    const at = firstBlockAfter(good);
    const bytes = good.block(0x0bad, new Uint8Array(8)).bytes();
    new DataView(bytes.buffer).setUint32(at + 4, 22, true);
    const { packets, error } = await readAll(chunked(bytes));
    expect(packets).toHaveLength(1);
    expect(error?.code).toBe('PCAP_ERR_BAD_BLOCK');
    expect(error?.details).toEqual({ offset: at, record: 1 });
  });

  it('rejects a trailing length that differs from the leading one', async () => {
    const good = section();
    const at = firstBlockAfter(good);
    const bytes = good.enhancedPacket(0, 2n, new Uint8Array(16)).bytes();
    new DataView(bytes.buffer).setUint32(bytes.length - 4, 999, true);
    const { error } = await readAll(chunked(bytes));
    expect(error?.code).toBe('PCAP_ERR_BAD_BLOCK');
    expect(error?.details).toEqual({ offset: at, record: 1 });
  });

  it('reports a file cut short inside a block, and inside its section header', async () => {
    const good = section();
    const at = firstBlockAfter(good);
    const bytes = good.enhancedPacket(0, 2n, new Uint8Array(16)).bytes();
    const cut = await readAll(chunked(bytes.subarray(0, bytes.length - 3)));
    expect(cut.packets).toHaveLength(1);
    expect(cut.error?.code).toBe('PCAP_ERR_TRUNCATED_RECORD');
    expect(cut.error?.details).toEqual({ offset: at, record: 1 });
    const header = await readAll(chunked(bytes.subarray(0, 20)));
    expect(header.error?.code).toBe('PCAP_ERR_TRUNCATED_HEADER');
  });

  it('reports a file cut short inside a large skipped block', async () => {
    const bytes = new PcapngBuilder().section().interface(1).block(0x0bad, new Uint8Array(MAX_BLOCK_BYTES + 4000)).bytes();
    const { error } = await readAll(chunked(bytes.subarray(0, bytes.length - 100), [65536]), { chunkBytes: 4096 });
    expect(error?.code).toBe('PCAP_ERR_TRUNCATED_RECORD');
    expect(error?.details.offset).toBe(28 + 20);
  });
});
