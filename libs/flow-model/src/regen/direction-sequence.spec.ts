import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { directionBefore, directionOf, reverseBefore } from './direction-sequence.ts';

describe('direction sequence', () => {
  it('sends exactly n1 of n packets in reverse, packet 0 forward, packet 1 a reply when there are replies', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 400 }), fc.nat(), (n, r) => {
        const n1 = n === 1 ? 0 : r % n;
        let reverse = 0;
        for (let j = 0; j < n; j++) {
          expect(reverseBefore(j, n, n1)).toBe(reverse);
          reverse += directionOf(j, n, n1);
        }
        expect(reverse).toBe(n1);
        expect(directionOf(0, n, n1)).toBe(0);
        if (n >= 2 && n1 >= 1) expect(directionOf(1, n, n1)).toBe(1);
        expect(directionBefore(0, n, n, n1)).toBe(n - n1);
      }),
    );
  });

  it('stays exact for flows of billions of packets', () => {
    const n = 3e9;
    const n1 = 1e9 + 7;
    expect(reverseBefore(n, n, n1)).toBe(n1);
  });
});
