import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { LINKTYPE } from './link-types.ts';
import { PcapWriter } from './pcap-writer.ts';
import { chunked } from './testing/capture-builder.ts';
import { ethernet, ipv4, udp } from './testing/packet-builder.ts';
import { readAll } from './testing/read-all.ts';

const tmp = () => mkdtempSync(join(tmpdir(), 'pcap-writer-'));
const frame = (port: number, size = 0) => ethernet(0x0800, ipv4({ src: '10.0.0.1', dst: '10.0.0.2', proto: 17, payload: udp(port, 53, new Uint8Array(size)) }));

describe('PcapWriter', () => {
  for (const nanosecond of [false, true]) {
    it(`writes ${nanosecond ? 'nanosecond' : 'microsecond'} captures the reader reads back`, async () => {
      const path = join(tmp(), 'out.pcap');
      const writer = new PcapWriter(path, { nanosecond, bufferBytes: 65_536 });
      for (let k = 0; k < 3000; k++) writer.write(1_700_000_000 + k, 123_456_789, frame(k % 1000, k % 50), 1000 + k);
      await writer.close();
      const { packets, error, reader } = await readAll(path);
      expect(error).toBeUndefined();
      expect(packets).toHaveLength(3000);
      expect(reader.linkTypes).toEqual([LINKTYPE.ETHERNET]);
      expect([packets[7].tsSec, packets[7].tsNsec, packets[7].origLen, packets[7].srcPort]).toEqual([1_700_000_007, nanosecond ? 123_456_789 : 123_456_000, 1007, 7]);
      expect(packets[2999].data).toEqual(frame(999, 2999 % 50));
      expect(reader.flows.size).toBe(1000);
      expect(writer.bytesWritten).toBe(readFileSync(path).length);
    });
  }

  it('cuts packets to the snap length and keeps their original length', async () => {
    const path = join(tmp(), 'snap.pcap');
    const writer = new PcapWriter(path, { snapLen: 40, linkType: LINKTYPE.ETHERNET });
    writer.write(1, 0, frame(1, 100));
    await writer.close();
    const { packets } = await readAll(path);
    expect([packets[0].capLen, packets[0].origLen]).toEqual([40, frame(1, 100).length]);
  });

  it('writes to a stream, waiting for it to drain', async () => {
    const stream = new PassThrough({ highWaterMark: 1024 });
    const parts: Buffer[] = [];
    stream.on('data', (part: Buffer) => parts.push(part));
    const writer = new PcapWriter(stream, { linkType: LINKTYPE.RAW, bufferBytes: 65_536 });
    const ip = ipv4({ src: '1.1.1.1', dst: '2.2.2.2', proto: 17, payload: udp(1, 2, new Uint8Array(500)) });
    for (let k = 0; k < 500; k++) {
      writer.write(k, 0, ip);
      if (k % 100 === 0) await writer.drained();
    }
    await writer.close();
    const { packets, reader } = await readAll(chunked(new Uint8Array(Buffer.concat(parts))));
    expect([packets.length, reader.linkTypes, packets[499].tsSec, packets[0].ipVersion]).toEqual([500, [LINKTYPE.RAW], 499, 4]);
  });

  it.skipIf(!existsSync('/usr/bin/capinfos'))('writes files Wireshark reads (capinfos)', async () => {
    const path = join(tmp(), 'ns.pcap');
    const writer = new PcapWriter(path, { nanosecond: true });
    writer.write(1_418_145_369, 924_505_488, frame(1));
    writer.write(1_418_145_370, 5, frame(2));
    await writer.close();
    const info = execFileSync('capinfos', ['-M', '-c', '-a', '-e', '-t', path], { encoding: 'utf8' });
    expect(info).toMatch(/Number of packets:\s+2/);
    expect(info).toMatch(/nanosecond|nsecpcap/);
  });

  it('rejects records pcap cannot hold, and bad options', async () => {
    const writer = new PcapWriter(join(tmp(), 'bad.pcap'));
    expect(() => writer.write(-1, 0, frame(1))).toThrow(expect.objectContaining({ code: 'PCAP_ERR_WRITE_RANGE' }));
    expect(() => writer.write(1, 1e9, frame(1))).toThrow(expect.objectContaining({ code: 'PCAP_ERR_WRITE_RANGE' }));
    await writer.close();
    expect(() => writer.write(1, 0, frame(1))).toThrow(expect.objectContaining({ code: 'PCAP_ERR_IO' }));
    expect(() => new PcapWriter(join(tmp(), 'x.pcap'), { snapLen: 0 })).toThrow('snapLen must be an integer from 1 to 262144, got 0');
    expect(() => new PcapWriter('/nonexistent/dir/x.pcap')).toThrow(expect.objectContaining({ code: 'PCAP_ERR_IO' }));
  });
});
