import { describe, expect, it } from 'vitest';
import { nrmse, rateNrmse, rateSeries } from './rate-series.ts';

describe('rate series', () => {
  it('counts packets per bin from the first packet', () => {
    expect(Array.from(rateSeries(Float64Array.from([0, 5, 10, 25]), 10, 3))).toEqual([2, 1, 1]);
  });

  it('normalises the RMSE by the mean of the original and pads the shorter series', () => {
    expect(nrmse(Float64Array.from([2, 2]), Float64Array.from([2, 2]))).toBe(0);
    expect(nrmse(Float64Array.from([2, 2]), Float64Array.from([0, 4]))).toBeCloseTo(1, 12);
    expect(nrmse(Float64Array.from([2]), Float64Array.from([2, 2]))).toBeCloseTo(Math.sqrt(2) / 1, 12);
    expect(rateNrmse(Float64Array.from([0, 1e9]), Float64Array.from([0, 1e9]), 1e9)).toBe(0);
  });
});
