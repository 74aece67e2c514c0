/**
 * pcapng timestamps are 64-bit counts of units of 10^-n or 2^-n seconds (`if_tsresol`,
 * default 10^-6). A 64-bit nanosecond count does not fit a double, so the split into whole
 * seconds and nanoseconds is done exactly from the two 32-bit halves.
 */
const TWO_32 = 4294967296;
const KIND = { DECIMAL: 0, BINARY: 1, DECIMAL_FINE: 2 } as const;

export class TimestampResolution {
  private readonly kind: number;
  /** Units per second (10^n or 2^n). */
  private readonly unitsPerSecond: number;
  /** Decimal n <= 9: nanoseconds per unit. */
  private readonly nsPerUnit: number;
  private readonly exponent: number;

  /** `tsresol` is the if_tsresol option byte: high bit clear 10^-n, set 2^-n. */
  constructor(readonly tsresol = 6) {
    this.exponent = tsresol & 0x7f;
    const binary = (tsresol & 0x80) !== 0;
    this.kind = binary ? KIND.BINARY : this.exponent <= 9 ? KIND.DECIMAL : KIND.DECIMAL_FINE;
    this.unitsPerSecond = binary ? 2 ** this.exponent : 10 ** this.exponent;
    this.nsPerUnit = this.kind === KIND.DECIMAL ? 10 ** (9 - this.exponent) : 0;
  }

  /** Can this resolution be represented (2^-63 .. 2^0, 10^-19 .. 10^0)? */
  static isSupported(tsresol: number): boolean {
    const exponent = tsresol & 0x7f;
    return (tsresol & 0x80) !== 0 ? exponent <= 63 : exponent <= 19;
  }

  /** Writes the timestamp (hi:lo units, plus offsetSec) as seconds and nanoseconds into slot i. */
  convert(hi: number, lo: number, offsetSec: number, outSec: Float64Array, outNsec: Uint32Array, i: number): void {
    if (this.kind === KIND.DECIMAL) this.decimal(hi, lo, outSec, outNsec, i);
    else if (this.kind === KIND.BINARY) this.binary(hi, lo, outSec, outNsec, i);
    else this.decimalFine(hi, lo, outSec, outNsec, i);
    if (offsetSec !== 0) outSec[i] += offsetSec;
  }

  private decimal(hi: number, lo: number, outSec: Float64Array, outNsec: Uint32Array, i: number): void {
    const d = this.unitsPerSecond;
    if (hi < 0x200000) {
      // Below 2^53 the count is exact as a double (microseconds until year 2255).
      const value = hi * TWO_32 + lo;
      let sec = Math.floor(value / d);
      let rem = value - sec * d;
      if (rem < 0) { sec--; rem += d; } else if (rem >= d) { sec++; rem -= d; }
      outSec[i] = sec;
      outNsec[i] = rem * this.nsPerUnit;
      return;
    }
    // Long division in base 2^16: every partial value stays below 2^46, so exact.
    let rem = 0;
    let sec = 0;
    for (let k = 0; k < 4; k++) {
      const digit = k === 0 ? hi >>> 16 : k === 1 ? hi & 0xffff : k === 2 ? lo >>> 16 : lo & 0xffff;
      const cur = rem * 65536 + digit;
      let q = Math.floor(cur / d);
      rem = cur - q * d;
      if (rem < 0) { q--; rem += d; } else if (rem >= d) { q++; rem -= d; }
      sec = sec * 65536 + q;
    }
    outSec[i] = sec;
    outNsec[i] = rem * this.nsPerUnit;
  }

  private binary(hi: number, lo: number, outSec: Float64Array, outNsec: Uint32Array, i: number): void {
    const n = this.exponent;
    let sec: number;
    let frac: number;
    if (n >= 32) {
      const hiUnits = 2 ** (n - 32);
      sec = Math.floor(hi / hiUnits);
      frac = (hi - sec * hiUnits) * TWO_32 + lo;
    } else {
      const loUnits = 2 ** n;
      const loSec = Math.floor(lo / loUnits);
      sec = hi * (TWO_32 / loUnits) + loSec;
      frac = lo - loSec * loUnits;
    }
    outSec[i] = sec;
    outNsec[i] = Math.min(999_999_999, Math.floor((frac / this.unitsPerSecond) * 1e9));
  }

  /** Finer than nanoseconds (10^-10 .. 10^-19): rare, so BigInt is fine. */
  private decimalFine(hi: number, lo: number, outSec: Float64Array, outNsec: Uint32Array, i: number): void {
    const value = (BigInt(hi) << 32n) | BigInt(lo);
    const d = 10n ** BigInt(this.exponent);
    outSec[i] = Number(value / d);
    outNsec[i] = Number((value % d) / 10n ** BigInt(this.exponent - 9));
  }
}

export const MICROSECOND_RESOLUTION = new TimestampResolution(6);
