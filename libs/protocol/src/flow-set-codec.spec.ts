import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { decodeFlowSet, encodeFlowSet } from './flow-set-codec.ts';
import { MemocoError } from './memoco-error.ts';

const ascending = (ids: number[]) => Uint32Array.from([...new Set(ids)].sort((a, b) => a - b));

describe('flow set codec', () => {
  it('round-trips any ascending set of flow ids', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 0, max: 5000 }), { maxLength: 400 }), (raw) => {
        const ids = ascending(raw);
        expect(Array.from(decodeFlowSet(encodeFlowSet(ids)))).toEqual(Array.from(ids));
      }),
    );
  });

  it('round-trips ids near 2^32', () => {
    const ids = Uint32Array.from([0, 2 ** 32 - 3, 2 ** 32 - 2, 2 ** 32 - 1]);
    const set = encodeFlowSet(ids);
    expect(set.encoding).toBe('ranges');
    expect(Array.from(decodeFlowSet(set))).toEqual(Array.from(ids));
  });

  it('encodes every flow of a 1M-flow table as one tiny range', () => {
    const all = new Uint32Array(1_000_000).map((_, i) => i);
    const set = encodeFlowSet(all);
    expect(set).toMatchObject({ encoding: 'ranges', count: 1_000_000 });
    expect(set.data.length).toBeLessThan(16);
  });

  it('picks the bitmap for a dense scattered half of 1M flows and stays under 200 kB', () => {
    const half = new Uint32Array(500_000).map((_, i) => i * 2 + (i % 3 === 0 ? 1 : 0));
    const set = encodeFlowSet(half.sort());
    expect(set.encoding).toBe('bitmap');
    expect(set.data.length).toBeLessThan(200_000);
    expect(Buffer.from(decodeFlowSet(set).buffer).equals(Buffer.from(half.buffer))).toBe(true);
  });

  it('rejects ids that are not strictly ascending', () => {
    expect(() => encodeFlowSet(Uint32Array.from([3, 3]))).toThrowError(MemocoError);
    expect(() => encodeFlowSet(Uint32Array.from([5, 1]))).toThrowError(/strictly ascending/);
  });

  it('rejects a set whose count disagrees with its data', () => {
    const set = encodeFlowSet(Uint32Array.from([1, 2, 3, 10]));
    expect(() => decodeFlowSet({ ...set, count: 5 })).toThrowError(/decoded 4 flows, the set says 5/);
    const bitmap = encodeFlowSet(Uint32Array.from([0, 2, 4, 6, 8, 10, 12, 14, 16, 18]));
    expect(bitmap.encoding).toBe('bitmap');
    expect(() => decodeFlowSet({ ...bitmap, count: 3 })).toThrowError(expect.objectContaining({ code: 'PROTOCOL_ERR_BAD_FLOW_SET' }));
  });

  it('rejects truncated ranges', () => {
    const set = encodeFlowSet(Uint32Array.from([300, 301]));
    const bytes = Buffer.from(set.data, 'base64');
    expect(() => decodeFlowSet({ ...set, data: bytes.subarray(0, 1).toString('base64') })).toThrowError(/truncated varint/);
  });
});
