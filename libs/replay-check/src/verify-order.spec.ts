import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { makeTempDir, sharedPcap } from '@memoco/testbed';
import { pick, readFrames, shuffled, udpFrame, writePcap } from './capture-files.ts';
import { verifyOrder } from './verify-order.ts';
import { parseVerifyOrderOptions } from './verify-order-options.ts';

const temp = makeTempDir('verify-order-spec');
afterAll(() => temp.remove());
const file = (name: string) => join(temp.path, name);

/** Twelve packets, round-robin over three flows: packet i is flow i % 3. */
const frames = Array.from({ length: 12 }, (_, i) => udpFrame(i % 3, i));
const tracePath = await writePcap(file('trace.pcap'), frames);
const captureOf = (name: string, ids: number[]) => writePcap(file(name), pick(frames, ids));

describe('verifyOrder --against (pcap files)', () => {
  it('reports all zeros for a capture identical to the trace', async () => {
    const result = await verifyOrder(await captureOf('same.pcap', [...frames.keys()]), { against: tracePath });
    expect(result).toMatchObject({ ok: true, expected: 12, received: 12, matched: 12, missing: 0, duplicates: 0, unexpected: 0, outOfOrder: 0, flowOutOfOrder: 0, flows: 3 });
  });

  it('counts exactly the packets a hand-built capture lost, repeated and moved', async () => {
    // 2 and 9 lost; 5 sent twice; 7 (flow 1) ahead of 6 (flow 0): late globally only;
    // 11 ahead of 8 (both flow 2): 8 is late in its flow as well.
    const ids = [0, 1, 3, 4, 5, 5, 7, 6, 11, 8, 10];
    const result = await verifyOrder(await captureOf('faulty.pcap', ids), { against: tracePath });
    expect(result).toMatchObject({ ok: false, expected: 12, received: 11, matched: 10, missing: 2, duplicates: 1, unexpected: 0, outOfOrder: 2, flowOutOfOrder: 1 });
    expect(result.examples.missing).toEqual([2, 9]);
    expect(result.examples.duplicates).toEqual([{ received: 5, expected: 5 }]);
    expect(result.examples.outOfOrder).toEqual([
      { received: 7, expected: 6, after: 7 },
      { received: 9, expected: 8, after: 11 },
      { received: 10, expected: 10, after: 11 },
    ]);
    expect(result.examples.flowOutOfOrder).toEqual([{ received: 9, expected: 8, after: 11, flow: 2 }]);
  });

  it('ignores the link type: an SLL-typed trace matches an Ethernet capture of the same bytes', async () => {
    const sllTrace = await writePcap(file('trace-sll.pcap'), frames, 113);
    const result = await verifyOrder(await captureOf('ether.pcap', [...frames.keys()]), { against: sllTrace });
    expect(result).toMatchObject({ ok: true, matched: 12 });
  });

  it('counts frames the kernel sent on its own as unexpected and still passes', async () => {
    const routerSolicitation = Uint8Array.from([0x33, 0x33, 0, 0, 0, 2, 2, 0, 0, 0, 0, 2, 0x86, 0xdd, 0x60, 0, 0, 0, 0, 8, 58, 255]);
    const capture = await writePcap(file('noisy.pcap'), [routerSolicitation, ...frames.slice(0, 6), routerSolicitation, ...frames.slice(6)]);
    const result = await verifyOrder(capture, { against: tracePath });
    expect(result).toMatchObject({ ok: true, received: 14, matched: 12, unexpected: 2, outOfOrder: 0 });
    expect(result.examples.unexpected).toEqual([0, 7]);
  });
});

describe('verifyOrder against the shared corpus', () => {
  const real = sharedPcap('pcpp__tls2.pcap');
  const why = real ? '' : ' (skipped: ../shared/data/pcaps/pcpp__tls2.pcap not found beside the repository)';

  it.skipIf(!real)(`verifies a real trace against itself with all zeros${why}`, async () => {
    const result = await verifyOrder(real!, { against: real! });
    expect(result).toMatchObject({ ok: true, expected: 7451, received: 7451, matched: 7451, missing: 0, duplicates: 0, unexpected: 0, outOfOrder: 0, flowOutOfOrder: 0, flows: 334 });
  });

  it.skipIf(!real)(`finds a shuffled copy complete but out of order, globally and within flows${why}`, async () => {
    const copy = await writePcap(file('shuffled.pcap'), shuffled(await readFrames(real!)));
    const result = await verifyOrder(copy, { against: real! });
    expect(result).toMatchObject({ ok: false, received: 7451, matched: 7451, missing: 0, duplicates: 0, unexpected: 0 });
    expect(result.outOfOrder).toBeGreaterThan(7000);
    expect(result.flowOutOfOrder).toBeGreaterThan(0);
    expect(result.flowOutOfOrder).toBeLessThanOrEqual(result.outOfOrder);
  });

  it.skipIf(!real)(`counts one packet moved to the end as exactly one out of order${why}`, async () => {
    const trace = await readFrames(real!);
    const moved = [...trace.slice(0, 100), ...trace.slice(101), trace[100]!];
    const result = await verifyOrder(await writePcap(file('moved.pcap'), moved), { against: real! });
    expect(result).toMatchObject({ missing: 0, duplicates: 0, outOfOrder: 1, flowOutOfOrder: 1 });
    expect(result.examples.outOfOrder[0]).toMatchObject({ received: 7450, expected: 100 });
  });

  for (const name of ['pcpp__sll.pcap', 'ndpi__alexa-app.pcapng', 'suricata__nfsv2-bigendian.pcap', 'zeek__modbusBig.pcap']) {
    const path = sharedPcap(name);
    it.skipIf(!path)(`verifies ${name} against itself${path ? '' : ' (skipped: not in ../shared/data/pcaps)'}`, async () => {
      expect(await verifyOrder(path!, { against: path! })).toMatchObject({ ok: true, missing: 0, duplicates: 0, outOfOrder: 0, unexpected: 0 });
    });
  }
});

describe('verifyOrder --tags (pcap files)', () => {
  it('reads the trailers of a tagged capture written to a file', async () => {
    const tagged = [0, 1, 3, 2].map((seq) => {
      const f = new Uint8Array(60 + 24);
      f.set(udpFrame(seq % 2, seq), 0);
      const view = new DataView(f.buffer, 60);
      view.setUint32(0, 0x4d435351);
      view.setUint32(4, seq % 2);
      view.setBigUint64(8, BigInt(seq));
      return f;
    });
    const result = await verifyOrder(await writePcap(file('tagged.pcap'), tagged), { tags: true, expectedCount: 5 });
    expect(result).toMatchObject({ mode: 'tags', ok: false, expected: 5, matched: 4, missing: 1, outOfOrder: 1, flowOutOfOrder: 0, flows: 2 });
  });
});

describe('parseVerifyOrderOptions', () => {
  it('rejects contradictions with exact messages', () => {
    expect(() => parseVerifyOrderOptions({})).toThrow('give exactly one of --against <trace> and --tags');
    expect(() => parseVerifyOrderOptions({ against: 'a', tags: true })).toThrow('give exactly one of --against <trace> and --tags');
    expect(() => parseVerifyOrderOptions({ against: 'a', expectedCount: 3 })).toThrow('--expected applies to --tags only (with --against the trace gives the count)');
    expect(() => parseVerifyOrderOptions({ tags: true, expectedCount: -1 })).toThrow('--expected must be a whole number of packets >= 0, got -1');
    expect(() => parseVerifyOrderOptions({ tags: true, exampleLimit: 5000 })).toThrow('examples must be an integer from 0 to 1000, got 5000');
    expect(parseVerifyOrderOptions({ tags: true })).toMatchObject({ mode: 'tags', exampleLimit: 5 });
  });
});
