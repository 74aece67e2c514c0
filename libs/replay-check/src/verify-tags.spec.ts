import { describe, expect, it } from 'vitest';
import { fixtureBatches, type FixturePacket } from './batch-fixtures.ts';
import { TAG_MAGIC, TAG_NON_IP_FLOW_ID, TAG_TRAILER_BYTES } from './tag-trailer.ts';
import { checkTags } from './verify-tags.ts';

/** A 60-byte frame whose last 24 bytes are the trailer (globalSeq, flowId; flowSeq unused here). */
function tagged(globalSeq: number, flowId: number): FixturePacket {
  const bytes = new Uint8Array(60 + TAG_TRAILER_BYTES);
  const view = new DataView(bytes.buffer, 60);
  view.setUint32(0, TAG_MAGIC);
  view.setUint32(4, flowId);
  view.setBigUint64(8, BigInt(globalSeq));
  view.setBigUint64(16, 0n);
  return { bytes };
}

/** Eight packets in round-robin over flows 7 and 9 (the tag's own flow numbers). */
const sent = (order: number[]) => order.map((seq) => tagged(seq, seq % 2 ? 9 : 7));
const check = (capture: FixturePacket[], expectedCount?: number) => checkTags(fixtureBatches(capture), { exampleLimit: 5, expectedCount });

describe('checkTags', () => {
  it('passes a capture whose tags run 0..n-1 in order', async () => {
    expect(await check(sent([0, 1, 2, 3, 4, 5, 6, 7]))).toMatchObject({ mode: 'tags', ok: true, expected: 8, received: 8, matched: 8, flows: 2, outOfOrder: 0 });
  });

  it('counts gaps, repeats and late packets from the tags alone', async () => {
    const result = await check(sent([0, 1, 3, 2, 2, 5, 7]));
    expect(result).toMatchObject({ ok: false, expected: 8, matched: 6, missing: 2, duplicates: 1, outOfOrder: 1, flowOutOfOrder: 0 });
    expect(result.examples.missing).toEqual([4, 6]);
    expect(result.examples.duplicates).toEqual([{ received: 4, expected: 2 }]);
    expect(result.examples.outOfOrder).toEqual([{ received: 3, expected: 2, after: 3 }]);
  });

  it('sees loss at the end only when told how many were sent', async () => {
    expect(await check(sent([0, 1, 2]))).toMatchObject({ ok: true, expected: 3 });
    expect(await check(sent([0, 1, 2]), 5)).toMatchObject({ ok: false, expected: 5, missing: 2 });
  });

  it('counts untagged frames and tags beyond the expected count as unexpected', async () => {
    const noise: FixturePacket = { bytes: new Uint8Array(90).fill(0x33) };
    const result = await check([noise, ...sent([0, 1, 2, 3]), tagged(40, 7)], 4);
    expect(result).toMatchObject({ ok: true, received: 6, unexpected: 2 });
    expect(result.examples.unexpected).toEqual([0, 5]);
  });

  it('reorders within a flow count per flow; non-IP tags are left out of flows', async () => {
    const capture = [tagged(0, 7), tagged(2, 7), tagged(1, 7), tagged(3, TAG_NON_IP_FLOW_ID)];
    expect(await check(capture)).toMatchObject({ outOfOrder: 1, flowOutOfOrder: 1, flows: 1 });
  });

  it('reads sequence numbers above 2^32 exactly', async () => {
    const base = 2 ** 33;
    const result = await check([tagged(base + 1, 1), tagged(base, 1)], base + 2);
    expect(result).toMatchObject({ missing: base, outOfOrder: 1 });
    expect(result.examples.missing[0]).toBe(0);
  });
});
