/**
 * What goes in a converted record's Data field (the paper leaves Data opaque):
 *   f64  (default) the value as an IEEE-754 float64, little-endian, 8 bytes: fixed size,
 *        exact for every miniSEED integer and float sample and every CSV number.
 *   text the value's text as UTF-8, as written in the CSV (for miniSEED: the decimal
 *        shortest form of the float64 sample, e.g. `-1234`, `0.5`).
 */
export const PAYLOAD_KINDS = ['f64', 'text'] as const;
export type PayloadKind = (typeof PAYLOAD_KINDS)[number];

const encoder = new TextEncoder();

export class PayloadEncoder {
  private readonly f64 = new Float64Array(1);
  private readonly f64Bytes = new Uint8Array(this.f64.buffer);
  private readonly littleEndianHost = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

  constructor(readonly kind: PayloadKind) {}

  /** Bytes for a number (valid until the next call). */
  number(value: number): Uint8Array {
    if (this.kind === 'text') return encoder.encode(String(value));
    this.f64[0] = value;
    return this.littleEndianHost ? this.f64Bytes : this.f64Bytes.slice().reverse();
  }

  /** Bytes for a cell's text; `value` is its number (NaN when not numeric, checked by the caller). */
  cell(text: string, value: number): Uint8Array {
    return this.kind === 'text' ? encoder.encode(text) : this.number(value);
  }
}
