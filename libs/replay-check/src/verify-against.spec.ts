import { describe, expect, it } from 'vitest';
import { fixtureBatches, frame, type FixturePacket } from './batch-fixtures.ts';
import { compareWithTrace } from './verify-against.ts';

const options = { exampleLimit: 5 };
/** Ten packets in two flows (even ids flow 0, odd ids flow 1). */
const trace: FixturePacket[] = Array.from({ length: 10 }, (_, id) => ({ bytes: frame(id), flow: id % 2 }));
const pick = (...ids: number[]) => ids.map((id) => trace[id]!);
const check = (capture: FixturePacket[]) => compareWithTrace(fixtureBatches(capture), fixtureBatches(trace), options);

describe('compareWithTrace', () => {
  it('finds nothing wrong in an exact copy', async () => {
    const result = await check(trace);
    expect(result).toMatchObject({ mode: 'against', ok: true, expected: 10, received: 10, matched: 10, missing: 0, duplicates: 0, unexpected: 0, outOfOrder: 0, flowOutOfOrder: 0, flows: 2 });
  });

  it('counts missing packets and names the first ones', async () => {
    const result = await check(pick(0, 1, 3, 4, 5, 6, 9));
    expect(result).toMatchObject({ ok: false, received: 7, missing: 3, duplicates: 0, outOfOrder: 0 });
    expect(result.examples.missing).toEqual([2, 7, 8]);
  });

  it('counts a copy received too often as a duplicate of the packet it repeats', async () => {
    const result = await check(pick(0, 1, 2, 2, 3, 4, 5, 6, 7, 8, 9, 9, 9));
    expect(result).toMatchObject({ ok: false, received: 13, matched: 10, missing: 0, duplicates: 3, outOfOrder: 0 });
    expect(result.examples.duplicates).toEqual([{ received: 3, expected: 2 }, { received: 11, expected: 9 }, { received: 12, expected: 9 }]);
  });

  it('counts one late packet as one, and within its flow', async () => {
    // Packet 2 (flow 0) arrives after 3..6: one removal restores the order, globally and in flow 0.
    const result = await check(pick(0, 1, 3, 4, 5, 6, 2, 7, 8, 9));
    expect(result).toMatchObject({ ok: false, missing: 0, duplicates: 0, outOfOrder: 1, flowOutOfOrder: 1 });
    expect(result.examples.outOfOrder[0]).toEqual({ received: 6, expected: 2, after: 6 });
    expect(result.examples.flowOutOfOrder[0]).toEqual({ received: 6, expected: 2, after: 6, flow: 0 });
  });

  it('tells flows swapped with each other (per-flow order kept) from reordering inside a flow', async () => {
    // Swapping neighbours of different flows breaks the global order only.
    const swapped = await check(pick(1, 0, 3, 2, 5, 4, 7, 6, 9, 8));
    expect(swapped).toMatchObject({ outOfOrder: 5, flowOutOfOrder: 0 });
    // Swapping 0 and 2 (both flow 0) breaks both.
    const inFlow = await check(pick(2, 1, 0, 3, 4, 5, 6, 7, 8, 9));
    expect(inFlow).toMatchObject({ outOfOrder: 2, flowOutOfOrder: 1 });
  });

  it('counts packets that were never in the trace as unexpected without failing the check', async () => {
    const capture = [{ bytes: new Uint8Array([0x33, 0x33, 0, 0, 0, 2]) }, ...trace.slice(0, 5), { bytes: frame(999) }, ...trace.slice(5)];
    const result = await check(capture);
    expect(result).toMatchObject({ ok: true, received: 12, matched: 10, unexpected: 2 });
    expect(result.examples.unexpected).toEqual([0, 6]);
  });

  it('matches identical packets of the trace one for one, in order', async () => {
    const repeated: FixturePacket[] = [0, 1, 0, 1, 0].map((id) => ({ bytes: frame(id), flow: 0 }));
    const result = await compareWithTrace(fixtureBatches(repeated), fixtureBatches(repeated), options);
    expect(result).toMatchObject({ ok: true, matched: 5, duplicates: 0, outOfOrder: 0 });
    const short = await compareWithTrace(fixtureBatches(repeated.slice(0, 3)), fixtureBatches(repeated), options);
    expect(short).toMatchObject({ missing: 2, duplicates: 0, outOfOrder: 0 });
    expect(short.examples.missing).toEqual([3, 4]);
  });

  it('handles an empty capture and an empty trace', async () => {
    expect(await compareWithTrace(fixtureBatches([]), fixtureBatches(trace), options)).toMatchObject({ ok: false, missing: 10, received: 0 });
    expect(await compareWithTrace(fixtureBatches([]), fixtureBatches([]), options)).toMatchObject({ ok: true, expected: 0 });
  });
});
