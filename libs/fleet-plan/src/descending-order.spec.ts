import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { descendingOrder } from './descending-order.ts';
import { SlotMinHeap } from './min-heap.ts';

describe('descendingOrder', () => {
  it('orders flows by float32-rounded count, largest first, ties by ascending id', () => {
    fc.assert(
      fc.property(fc.array(fc.oneof(fc.integer({ min: 0, max: 50 }), fc.double({ min: 0, max: 1e30, noNaN: true })), { maxLength: 500 }), (packets) => {
        const rounded = packets.map((p) => Math.fround(p));
        const expected = [...rounded.keys()].sort((a, b) => rounded[b]! - rounded[a]! || a - b);
        expect(Array.from(descendingOrder(packets))).toEqual(expected);
      }),
    );
  });
});

describe('SlotMinHeap', () => {
  it('always hands out the least loaded slot, lowest slot on ties', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 9 }), fc.array(fc.integer({ min: 0, max: 5 }), { maxLength: 200 }), (size, deltas) => {
        const heap = new SlotMinHeap(size);
        const naive = new Array<number>(size).fill(0);
        for (const delta of deltas) {
          const expected = naive.indexOf(Math.min(...naive));
          expect(heap.addToMin(delta)).toBe(expected);
          naive[expected]! += delta;
        }
        for (let s = 0; s < size; s++) expect(heap.keyOf(s)).toBe(naive[s]);
      }),
    );
  });
});
