import { describe, expect, it } from 'vitest';
import { LINKTYPE } from './link-types.ts';
import { chunked, concat, pcapFile, type PcapRecordSpec } from './testing/capture-builder.ts';
import { ethernet, ipv4, udp } from './testing/packet-builder.ts';
import { readAll } from './testing/read-all.ts';

const packet = (port: number) => ethernet(0x0800, ipv4({ src: '10.0.0.1', dst: '10.0.0.2', proto: 17, payload: udp(port, 53) }));
const records = (count: number): PcapRecordSpec[] =>
  Array.from({ length: count }, (_, k) => ({ sec: 1_700_000_000 + k, frac: 123_456 + k, data: packet(1000 + k), origLen: 100 + k }));

describe('pcap reader', () => {
  for (const bigEndian of [false, true]) {
    for (const nanosecond of [false, true]) {
      it(`reads ${nanosecond ? 'nanosecond' : 'microsecond'} ${bigEndian ? 'big' : 'little'}-endian files`, async () => {
        const file = pcapFile({ bigEndian, nanosecond }, records(3));
        const { packets, error, reader } = await readAll(chunked(file));
        expect(error).toBeUndefined();
        expect(reader.format).toBe('pcap');
        expect(reader.linkTypes).toEqual([LINKTYPE.ETHERNET]);
        expect(packets.map((p) => [p.tsSec, p.tsNsec, p.origLen, p.srcPort])).toEqual([0, 1, 2].map((k) => [1_700_000_000 + k, nanosecond ? 123_456 + k : (123_456 + k) * 1000, 100 + k, 1000 + k]));
        expect(packets[1].data).toEqual(packet(1001));
        expect(packets[1].fileOffset).toBe(24 + 16 + packet(1000).length);
      });
    }
  }

  it('reads Kuznetzov-patched files (24-byte record headers)', async () => {
    const { packets, error } = await readAll(chunked(pcapFile({ kuznetzov: true }, records(2))));
    expect(error).toBeUndefined();
    expect(packets.map((p) => p.srcPort)).toEqual([1000, 1001]);
  });

  it('folds a fraction of a second or more into the seconds', async () => {
    const file = pcapFile({}, [{ sec: 10, frac: 2_500_000, data: packet(1) }]);
    const { packets } = await readAll(chunked(file));
    expect([packets[0].tsSec, packets[0].tsNsec]).toEqual([12, 500_000_000]);
  });

  it('reads every record whatever the chunking (records spanning reads and stream pieces)', async () => {
    const file = pcapFile({}, records(40));
    const whole = (await readAll(chunked(file, [file.length]))).packets;
    for (const chunkBytes of [1, 7, 64, 1000]) {
      const { packets, error } = await readAll(chunked(file, [3, 1, 17, 250]), { chunkBytes, batchSize: 5 });
      expect(error).toBeUndefined();
      expect(packets).toEqual(whole);
    }
  });

  it('rejects a record longer than the snap length, after the packets before it', async () => {
    const file = pcapFile({ snapLen: 64 }, [{ sec: 1, frac: 0, data: new Uint8Array(60) }, { sec: 2, frac: 0, data: new Uint8Array(65) }]);
    const { packets, error } = await readAll(chunked(file));
    expect(packets).toHaveLength(1);
    expect(error?.code).toBe('PCAP_ERR_RECORD_TOO_LONG');
    expect(error?.details).toEqual({ offset: 24 + 16 + 60, record: 1 });
  });

  it('rejects a record longer than 256 KiB when the snap length says 0', async () => {
    const file = pcapFile({ snapLen: 0 }, [{ sec: 1, frac: 0, data: new Uint8Array(10), capLen: 262_145 }]);
    const { packets, error } = await readAll(chunked(file));
    expect(packets).toHaveLength(0);
    expect(error?.code).toBe('PCAP_ERR_RECORD_TOO_LONG');
    expect(error?.details).toEqual({ offset: 24, record: 0 });
  });

  it('reports a file cut short inside a record with its offset and record number', async () => {
    const file = pcapFile({}, records(3));
    const lastStart = 24 + 2 * (16 + packet(0).length);
    for (const cut of [lastStart + 5, lastStart + 16 + 3]) {
      const { packets, error } = await readAll(chunked(file.subarray(0, cut)));
      expect(packets).toHaveLength(2);
      expect(error?.code).toBe('PCAP_ERR_TRUNCATED_RECORD');
      expect(error?.details).toEqual({ offset: lastStart, record: 2 });
      expect(error?.message).toMatch(/cut short inside record 2/);
    }
  });

  it('reports a file cut short inside its file header', async () => {
    const { error } = await readAll(chunked(pcapFile({}, []).subarray(0, 10)));
    expect(error?.code).toBe('PCAP_ERR_TRUNCATED_HEADER');
    expect(error?.details).toEqual({ offset: 0, record: 0 });
  });

  it('reads a file with a header and no packets as complete', async () => {
    const { packets, error, reader } = await readAll(chunked(pcapFile({ linkType: 113 }, [])));
    expect([packets.length, error, reader.linkTypes]).toEqual([0, undefined, [113]]);
  });

  it('rejects versions other than 2.x', async () => {
    const { error } = await readAll(chunked(pcapFile({ versionMajor: 3 }, records(1))));
    expect(error?.code).toBe('PCAP_ERR_BAD_HEADER');
  });

  it('rejects input that is not a capture, naming what it looks like', async () => {
    const cases: [Uint8Array, RegExp][] = [
      [new Uint8Array(0), /empty/],
      [Uint8Array.of(0xd4, 0xc3), /only 2 bytes/],
      [new TextEncoder().encode('hello world'), /0x68656c6c/],
      [concat([Uint8Array.of(0x1f, 0x8b, 8, 0), new Uint8Array(40)]), /gzip/],
    ];
    for (const [bytes, message] of cases) {
      const { error } = await readAll(chunked(bytes));
      expect(error?.code).toBe('PCAP_ERR_BAD_MAGIC');
      expect(error?.message).toMatch(message);
      expect(error?.details).toEqual({ offset: 0, record: 0 });
    }
  });
});
