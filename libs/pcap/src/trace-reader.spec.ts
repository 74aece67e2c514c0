import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { LINKTYPE } from './link-types.ts';
import { chunked, pcapFile } from './testing/capture-builder.ts';
import { FIXTURES_DIR } from './testing/corpus-manifest.ts';
import { ethernet, ipv4, tcp, udp } from './testing/packet-builder.ts';
import { readAll } from './testing/read-all.ts';
import { TraceReader } from './trace-reader.ts';

const fixture = (name: string) => join(FIXTURES_DIR, name);
const openFds = () => readdirSync('/proc/self/fd').length;

describe('TraceReader', () => {
  it('reads a file path and a stream of the same bytes alike, whatever the read size', async () => {
    const path = fixture('zeek__wikipedia-CONVERTED.pcapng');
    const whole = await readAll(path);
    expect(whole.packets).toHaveLength(136);
    for (const chunkBytes of [7, 333, 4096]) expect((await readAll(path, { chunkBytes, batchSize: 7 })).packets).toEqual(whole.packets);
    expect((await readAll(chunked(readFileSync(path), [1500]))).packets).toEqual(whole.packets);
    expect(whole.reader.bytesRead).toBe(readFileSync(path).length);
    expect(whole.reader.totalBytes).toBe(readFileSync(path).length);
  });

  it('hands out one reused batch object with dense firstIndex', async () => {
    const reader = new TraceReader(fixture('zeek__wikipedia.pcap'), { batchSize: 50 });
    const seen: [unknown, number, number][] = [];
    for await (const batch of reader.batches()) seen.push([batch, batch.firstIndex, batch.count]);
    expect(seen.map(([, first, count]) => [first, count])).toEqual([[0, 50], [50, 50], [100, 36]]);
    expect(new Set(seen.map(([b]) => b)).size).toBe(1);
    expect(reader.packetsRead).toBe(136);
  });

  it('throws PCAP_ERR_IO for a missing file or a directory', async () => {
    expect((await readAll('/nonexistent/trace.pcap')).error).toMatchObject({ code: 'PCAP_ERR_IO', message: expect.stringMatching(/no such file/) });
    expect((await readAll(mkdtempSync(join(tmpdir(), 'pcap-')))).error).toMatchObject({ code: 'PCAP_ERR_IO' });
  });

  it('turns a failing or non-byte stream into PCAP_ERR_IO', async () => {
    async function* failing() { yield pcapFile({}, []); throw new Error('connection reset'); }
    expect((await readAll(failing())).error).toMatchObject({ code: 'PCAP_ERR_IO', message: expect.stringMatching(/connection reset/) });
    async function* strings() { yield 'abc' as unknown as Uint8Array; }
    expect((await readAll(strings())).error).toMatchObject({ code: 'PCAP_ERR_IO' });
  });

  it('closes the file when the consumer stops early, and reads a source once', async () => {
    const before = openFds();
    const reader = new TraceReader(fixture('zeek__wikipedia.pcap'), { batchSize: 10 });
    for await (const batch of reader.batches()) if (batch.firstIndex >= 10) break;
    expect(openFds()).toBe(before);
    await expect(reader.batches().next()).rejects.toMatchObject({ code: 'PCAP_ERR_BAD_OPTIONS' });
  });

  it('lets go of a stalled stream when the consumer stops', async () => {
    const file = pcapFile({}, Array.from({ length: 2000 }, (_, k) => ({ sec: k, frac: 0, data: new Uint8Array(60) })));
    async function* stalls() {
      yield file;
      await new Promise(() => undefined); // the upload never sends more
    }
    const reader = new TraceReader(stalls(), { batchSize: 5 });
    let seen = 0;
    for await (const batch of reader.batches()) {
      seen += batch.count;
      if (seen >= 10) break;
    }
    expect(seen).toBe(10);
  });

  it('rejects options out of range with exact messages', () => {
    expect(() => new TraceReader('x', { batchSize: 0 })).toThrow('batchSize must be an integer from 1 to 1048576, got 0');
    expect(() => new TraceReader('x', { chunkBytes: 1.5 })).toThrow('chunkBytes must be an integer from 1 to 268435456, got 1.5');
  });

  it('can skip decoding (container fields only)', async () => {
    const { packets } = await readAll(fixture('zeek__wikipedia.pcap'), { decode: false });
    expect(packets).toHaveLength(136);
    expect(packets.every((p) => p.ipVersion === 0 && p.flowId === 0)).toBe(true);
  });

  it('decodes Ethernet/IPv4 on its fast path exactly as on the general path', async () => {
    const header = fc.record({
      proto: fc.constantFrom(6, 17, 1),
      sport: fc.integer({ min: 0, max: 65535 }),
      dport: fc.integer({ min: 0, max: 65535 }),
      host: fc.integer({ min: 1, max: 3 }),
      flags: fc.integer({ min: 0, max: 255 }),
      cut: fc.integer({ min: 0, max: 40 }),
    });
    await fc.assert(fc.asyncProperty(fc.array(header, { minLength: 1, maxLength: 30 }), async (headers) => {
      const ips = headers.map((h) => {
        const payload = h.proto === 6 ? tcp(h.sport, h.dport, h.flags) : udp(h.sport, h.dport);
        const ip = ipv4({ src: `10.0.0.${h.host}`, dst: '10.9.9.9', proto: h.proto, payload });
        return ip.subarray(0, Math.max(1, ip.length - h.cut));
      });
      const viaEthernet = await readAll(chunked(pcapFile({ linkType: LINKTYPE.ETHERNET }, ips.map((ip) => ({ sec: 1, frac: 0, data: ethernet(0x0800, ip) })))));
      const viaRaw = await readAll(chunked(pcapFile({ linkType: LINKTYPE.RAW }, ips.map((ip) => ({ sec: 1, frac: 0, data: ip })))));
      const fields = (p: (typeof viaRaw.packets)[number], shift: number) =>
        [p.ipVersion, p.proto, p.ipVersion ? p.l3Offset - shift : 0, p.l4Offset ? p.l4Offset - shift : 0, p.srcPort, p.dstPort, p.tcpFlags, p.ttl, p.flowId, p.direction];
      expect(viaEthernet.packets.map((p) => fields(p, 14))).toEqual(viaRaw.packets.map((p) => fields(p, 0)));
    }), { numRuns: 60 });
  });
});
