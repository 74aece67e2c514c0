import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { lengthAfterHalving } from './model-budget.ts';
import { RowSet } from './row-set.ts';
import { TimeHistogram } from './time-histogram.ts';

describe('RowSet.fitRows', () => {
  // finish() no longer halves the flows' histograms in place: it sums their bins straight to
  // the coefficient grid. Both must give the fit the same counts and bin widths, attempt
  // after attempt (a retry coarsens further from where the previous attempt left off).
  it('coarsens histograms exactly as TimeHistogram.coarsenTo then dense() does, across attempts', () => {
    const bins = fc.array(fc.tuple(fc.integer({ min: 0, max: 5000 }), fc.integer({ min: 1, max: 40 })), { minLength: 1, maxLength: 60 });
    const row = fc.record({ maxBins: fc.constantFrom(4, 16, 64, 1024), bins, targets: fc.array(fc.integer({ min: 1, max: 1100 }), { minLength: 1, maxLength: 3 }) });
    fc.assert(fc.property(fc.array(row, { minLength: 1, maxLength: 8 }), (specs) => {
      const histograms = specs.map((spec) => {
        const h = new TimeHistogram(3, spec.maxBins);
        for (const [bin, packets] of spec.bins) h.add(3 + bin, packets);
        return h;
      });
      const set = new RowSet(specs.length);
      histograms.forEach((h) => set.setHistogram(set.count++, h.shift, h.keys, h.values));
      const lengths = set.histLength.slice();
      const shifts = set.histShift.slice();
      const attempts = Math.max(...specs.map((s) => s.targets.length));
      for (let attempt = 0; attempt < attempts; attempt++) {
        const counts = Int32Array.from(specs, (s, i) => lengthAfterHalving(lengths[i]!, s.targets[Math.min(attempt, s.targets.length - 1)]!));
        const rows = set.fitRows(lengths, shifts, counts);
        histograms.forEach((h, i) => {
          h.coarsenTo(counts[i]!);
          expect(rows.binsPerCoef[i]).toBe(h.width);
          expect(Array.from(rows.counts.subarray(rows.coefBase[i]!, rows.coefBase[i + 1]!))).toEqual(Array.from(h.dense()));
        });
      }
    }), { numRuns: 300 });
  });
});
