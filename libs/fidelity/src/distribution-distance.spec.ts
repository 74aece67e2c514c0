import { describe, expect, it } from 'vitest';
import { autoBinEdges, binCounts, binnedJsd, categoricalJsd, emd1d, jsd, sampleOfCounts, sampleOfValues } from './distribution-distance.ts';

const counts = (values: number[]) => {
  const m = new Map<number, number>();
  for (const v of values) m.set(v, (m.get(v) ?? 0) + 1);
  return m;
};

describe('distribution distances', () => {
  it('computes the EMD scipy.stats.wasserstein_distance gives', () => {
    // scipy: wasserstein_distance([0,1,3],[5,6,8]) = 5.0
    expect(emd1d(sampleOfValues(Float64Array.from([0, 1, 3])), sampleOfValues(Float64Array.from([5, 6, 8])))).toBeCloseTo(5, 12);
    // scipy: wasserstein_distance([1,2,2,9],[1,5],[1,1,2,3],[2,1]) = 2.5238095238095237
    const a = { values: Float64Array.from([1, 2, 9]), weights: Float64Array.from([1, 3, 3]) };
    const b = { values: Float64Array.from([1, 5]), weights: Float64Array.from([2, 1]) };
    expect(emd1d(a, b)).toBeCloseTo(2.5238095238095237, 12);
    expect(emd1d(sampleOfCounts(counts([3, 3, 4])), sampleOfCounts(counts([3, 4, 3])))).toBe(0);
  });

  it('computes Jensen-Shannon divergence in bits', () => {
    // scipy: distance.jensenshannon([1,0],[0.5,0.5], base=2)**2 = 0.3112781244591328
    expect(jsd([1, 0], [0.5, 0.5])).toBeCloseTo(0.3112781244591328, 12);
    expect(jsd([3, 1], [6, 2])).toBe(0);
    expect(jsd([1, 0], [0, 1])).toBe(1);
    expect(categoricalJsd(new Map([[6, 10]]), new Map([[17, 4]]))).toBe(1);
  });

  it("bins like numpy 1.x's histogram_bin_edges(bins='auto'), the rule NetShare ran with", () => {
    // min(Freedman-Diaconis, Sturges) widths; numpy 1.26 gives 35 bins, edges[1] = 44.2285714...
    const values = [1, 2, 2, 3, 3, 3, 4, 4, 4, 4, 10, 54, 60, 60, 66, 1514, 1514];
    const edges = autoBinEdges(sampleOfCounts(counts(values)));
    expect(edges.length - 1).toBe(35);
    expect(edges[1]).toBeCloseTo(44.22857142857143, 9);
    const wide = [...new Array(10).fill(66), ...new Array(5).fill(1514), 74, 74, 74, ...Array.from({ length: 30 }, (_, i) => 100 + i)];
    const wideEdges = autoBinEdges(sampleOfCounts(counts(wide)));
    expect(wideEdges.length - 1).toBe(55);
    expect(wideEdges[1]).toBeCloseTo(92.32727272727273, 9);
  });

  it('counts candidate values outside the original range in their own bins', () => {
    const edges = Float64Array.from([10, 20, 30]);
    expect(Array.from(binCounts(sampleOfCounts(counts([5, 10, 19, 20, 30, 31])), edges))).toEqual([1, 2, 2, 1]);
    expect(binnedJsd(sampleOfCounts(counts([10, 20, 30])), sampleOfCounts(counts([1000])))).toBe(1);
  });
});
