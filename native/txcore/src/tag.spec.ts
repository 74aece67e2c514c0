/**
 * --tag (issue 3): every packet carries the sequence trailer (tag-format.ts), so the order
 * is checkable from the capture alone; and the trailer placement rules hold frame by frame.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TraceReader } from '@memoco/pcap';
import { verifyOrder } from '@memoco/replay-check';
import { decodeTagTrailer, TAG_MIN_FRAME_BYTES, TAG_NON_IP_FLOW_ID, TAG_TRAILER_BYTES, TxRuntime } from './index.ts';
import { udpFrame, writePcap } from './test-support/craft-pcap.ts';
import { CORPUS, CORPUS_SKIP } from './test-support/shared-corpus.ts';

let runtime: TxRuntime;
let dir: string;
let runs = 0;

beforeAll(() => {
  runtime = TxRuntime.start({ workerLcores: 3 });
  dir = mkdtempSync(join(tmpdir(), 'txcore-tag-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function frames(file: string): Promise<Uint8Array[]> {
  const out: Uint8Array[] = [];
  for await (const b of new TraceReader(file, { decode: false }).batches()) {
    for (let i = 0; i < b.count; i++) out.push(b.data.slice(b.dataOffset[i]!, b.dataOffset[i]! + b.capLen[i]!));
  }
  return out;
}

async function replayTagged(trace: string, cores: number, loops = 1) {
  const out = join(dir, `tagged-${runs}.pcap`);
  const result = await runtime.startReplay({ trace, port: `net_pcap${runs++},tx_pcap=${out}`, cores, loops, tag: true, topspeed: true, bufferMb: 4 }).done();
  return { out, result };
}

describe('trailer placement', () => {
  it('overwrites a payload of 24+ bytes, appends otherwise, grows frames to 60 bytes', async () => {
    const trace = join(dir, 'crafted.pcap');
    const nonIp = new Uint8Array(20).fill(0xee);
    nonIp.set([0x88, 0xb5], 12); // a local experimental EtherType: not IP
    const source = [udpFrame(1000, 53, 100), udpFrame(53, 1000, 10, [10, 0, 0, 2], [10, 0, 0, 1]), udpFrame(2000, 80, 0), udpFrame(1000, 53, 24), nonIp];
    await writePcap(trace, source);
    const { out } = await replayTagged(trace, 1);
    const sent = await frames(out);
    expect(sent.map((f) => f.length)).toEqual([142, 14 + 28 + 10 + 24, 42 + 24, 66, TAG_MIN_FRAME_BYTES]);
    // headers and untouched payload are the original bytes; the trailer is last
    expect(sent[0]!.subarray(0, 142 - TAG_TRAILER_BYTES)).toEqual(source[0]!.subarray(0, 142 - TAG_TRAILER_BYTES));
    expect(sent[1]!.subarray(0, 52)).toEqual(source[1]);
    expect(sent[2]!.subarray(0, 42)).toEqual(source[2]);
    expect(sent[4]!.subarray(0, 20)).toEqual(nonIp);
    expect(sent[4]!.subarray(20, TAG_MIN_FRAME_BYTES - TAG_TRAILER_BYTES).every((b) => b === 0)).toBe(true);
    const tags = sent.map((f) => decodeTagTrailer(f));
    expect(tags).toEqual([
      { flowId: 0, globalSeq: 0n, flowSeq: 0n },
      { flowId: 0, globalSeq: 1n, flowSeq: 1n }, // the reverse direction is the same flow
      { flowId: 1, globalSeq: 2n, flowSeq: 0n },
      { flowId: 0, globalSeq: 3n, flowSeq: 2n },
      { flowId: TAG_NON_IP_FLOW_ID, globalSeq: 4n, flowSeq: 0n },
    ]);
  });
});

describe.skipIf(CORPUS.length === 0)(`tagged replays of the corpus ${CORPUS.length ? '' : CORPUS_SKIP}`, () => {
  const trace = CORPUS.find((f) => f.endsWith('pcpp__tls2.pcap')) ?? CORPUS[0]!;

  it('with 2 cores, verify-order --tags finds every packet once and in order, per flow too', async () => {
    const { out, result } = await replayTagged(trace, 2);
    const check = await verifyOrder(out, { tags: true, expectedCount: result.packets });
    expect(check).toMatchObject({ ok: true, missing: 0, duplicates: 0, outOfOrder: 0, flowOutOfOrder: 0, unexpected: 0 });
    expect(check.flows).toBe(result.figures.flows);
  });

  it('--loop 3 continues the global and per-flow sequences across loops', async () => {
    const { out, result } = await replayTagged(trace, 2, 3);
    const sent = await frames(out);
    expect(sent.length).toBe(result.packets);
    const n = sent.length / 3;
    const first = decodeTagTrailer(sent[0]!)!;
    const again = decodeTagTrailer(sent[n]!)!;
    expect(again.globalSeq).toBe(BigInt(n));
    expect(again.flowId).toBe(first.flowId);
    expect(again.flowSeq).toBeGreaterThan(0n);
    const check = await verifyOrder(out, { tags: true, expectedCount: result.packets });
    expect(check).toMatchObject({ ok: true, missing: 0, outOfOrder: 0, flowOutOfOrder: 0 });
  });
});
