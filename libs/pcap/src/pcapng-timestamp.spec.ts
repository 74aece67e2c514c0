import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { TimestampResolution } from './pcapng-timestamp.ts';
import { formatTimestampNs, secondsBetween } from './timestamp-format.ts';

/** The exact split, by BigInt: floor(units / perSecond) and the rest in whole nanoseconds (floored). */
function reference(units: bigint, tsresol: number): [number, number] {
  const exponent = BigInt(tsresol & 0x7f);
  const perSecond = tsresol & 0x80 ? 2n ** exponent : 10n ** exponent;
  return [Number(units / perSecond), Number(((units % perSecond) * 1_000_000_000n) / perSecond)];
}

function convert(units: bigint, tsresol: number): [number, number] {
  const sec = new Float64Array(1);
  const nsec = new Uint32Array(1);
  new TimestampResolution(tsresol).convert(Number(units >> 32n), Number(units & 0xffffffffn), 0, sec, nsec, 0);
  return [sec[0], nsec[0]];
}

describe('pcapng timestamp resolution', () => {
  it('splits 64-bit counts exactly for decimal resolutions (10^0 .. 10^-19)', () => {
    fc.assert(fc.property(fc.bigInt({ min: 0n, max: 2n ** 64n - 1n }), fc.integer({ min: 0, max: 19 }), (units, exponent) => {
      const [sec, nsec] = reference(units, exponent);
      const [gotSec, gotNsec] = convert(units, exponent);
      // Seconds beyond 2^53 cannot be exact in a double; such times are far past any capture.
      if (sec <= Number.MAX_SAFE_INTEGER) expect(gotSec).toBe(sec);
      expect(gotNsec).toBe(nsec);
    }), { numRuns: 2000 });
  });

  it('splits binary resolutions (2^0 .. 2^-63) to within a nanosecond', () => {
    fc.assert(fc.property(fc.bigInt({ min: 0n, max: 2n ** 64n - 1n }), fc.integer({ min: 0, max: 63 }), (units, exponent) => {
      const [sec, nsec] = reference(units, 0x80 | exponent);
      const [gotSec, gotNsec] = convert(units, 0x80 | exponent);
      if (sec <= Number.MAX_SAFE_INTEGER) expect(gotSec).toBe(sec);
      expect(Math.abs(gotNsec - nsec)).toBeLessThanOrEqual(1);
      expect(gotNsec).toBeLessThan(1e9);
    }), { numRuns: 2000 });
  });

  it('adds if_tsoffset seconds', () => {
    const sec = new Float64Array(1);
    const nsec = new Uint32Array(1);
    new TimestampResolution(6).convert(0, 2_500_000, -3, sec, nsec, 0);
    expect([sec[0], nsec[0]]).toEqual([-1, 500_000_000]);
  });

  it('knows which resolutions it can represent', () => {
    expect([TimestampResolution.isSupported(19), TimestampResolution.isSupported(20), TimestampResolution.isSupported(0x80 | 63), TimestampResolution.isSupported(0x80 | 64)]).toEqual([true, false, true, false]);
  });
});

describe('formatTimestampNs', () => {
  it('writes ISO 8601 UTC with nine fraction digits', () => {
    expect(formatTimestampNs(1418145369, 924505488)).toBe('2014-12-09T17:16:09.924505488Z');
    expect(formatTimestampNs(0, 5)).toBe('1970-01-01T00:00:00.000000005Z');
    expect(formatTimestampNs(-1, 500_000_000)).toBe('1969-12-31T23:59:59.500000000Z');
  });

  it('measures spans across second boundaries', () => {
    expect(secondsBetween(10, 900_000_000, 12, 100_000_000)).toBeCloseTo(1.2, 9);
  });
});
