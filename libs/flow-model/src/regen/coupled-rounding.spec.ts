import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { CoupledRounder, type RowPlacement } from './coupled-rounding.ts';

/** Runs the rounder over bins 0..bins-1 with per-row expectations spread as given; returns packets per row per bin. */
function place(rows: RowPlacement[], expected: (row: number, bin: number) => number, bins: number) {
  const rounder = new CoupledRounder(rows);
  const sent = rows.map(() => new Array<number>(bins).fill(0));
  const next = rows.map(() => 0);
  for (let b = 0; b < bins; b++) {
    const ids = rows.map((_, r) => r).filter((r) => b >= rows[r]!.startBin && b <= rows[r]!.lastBin);
    rounder.placeBin(b, ids, ids.map((r) => expected(r, b)), (r, first, count) => {
      expect(first).toBe(next[r]);
      next[r] = first + count;
      sent[r]![b] = count;
    });
  }
  return sent;
}

const rowsArbitrary = fc.array(
  fc.record({ start: fc.integer({ min: 0, max: 30 }), length: fc.integer({ min: 0, max: 30 }), packets: fc.integer({ min: 1, max: 60 }), seed: fc.nat() }),
  { minLength: 1, maxLength: 12 },
);

describe('CoupledRounder', () => {
  it('sends exactly each row\'s packets, the first in its first bin and the last in its last bin', () => {
    fc.assert(
      fc.property(rowsArbitrary, (specs) => {
        const rows = specs.map((s) => ({ packets: s.packets, startBin: s.start, lastBin: s.start + s.length }));
        const expected = (r: number, b: number) => ((specs[r]!.seed + b * 7) % 5) * (rows[r]!.packets / (rows[r]!.lastBin - rows[r]!.startBin + 1)) / 2;
        const sent = place(rows, expected, 70);
        rows.forEach((row, r) => {
          expect(sent[r]!.reduce((s, n) => s + n, 0)).toBe(row.packets);
          expect(sent[r]![row.startBin]).toBeGreaterThanOrEqual(1);
          if (row.packets >= 2) expect(sent[r]![row.lastBin]).toBeGreaterThanOrEqual(1);
          sent[r]!.forEach((n, b) => {
            if (n > 0) expect(b >= row.startBin && b <= row.lastBin).toBe(true);
          });
        });
      }),
    );
  });

  it('keeps the aggregate on the summed expectation when rows share their bins', () => {
    // 20 rows with 0.3 expected packets each in every bin: rounding each row alone would send
    // bursts of 20 every few bins; coupled rounding sends 6 a bin once the 20 first packets
    // (forced into bin 0, where the rows start) are paid back, and the running total stays
    // within a packet of the expectation (until the end, where every row keeps its last
    // packet for its last bin).
    const rows = Array.from({ length: 20 }, () => ({ packets: 30, startBin: 0, lastBin: 99 }));
    const sent = place(rows, () => 0.3, 100);
    const perBin = Array.from({ length: 100 }, (_, b) => sent.reduce((s, row) => s + row[b]!, 0));
    expect(perBin[0]).toBe(20);
    let running = 0;
    for (let b = 0; b < 99; b++) {
      running += perBin[b]!;
      if (b >= 4 && b <= 95) {
        expect(perBin[b]).toBe(6);
        expect(Math.abs(running - 6 * (b + 1))).toBeLessThanOrEqual(1);
      }
    }
  });
});
