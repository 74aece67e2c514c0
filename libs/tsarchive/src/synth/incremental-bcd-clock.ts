/**
 * Keeps the 12-byte BCD Timestamp of a clock that only moves forward, so `ts synth` writes
 * a timestamp per record with three table lookups instead of formatting a date: the date
 * and time-of-second bytes are re-encoded only when the second changes.
 */
import { BCD_BYTE, writeBcdTimestamp } from '../format/bcd-timestamp-codec.ts';
import { US_PER_DAY, US_PER_MINUTE, US_PER_SECOND } from '../format/civil-calendar.ts';

export class IncrementalBcdClock {
  /** The current Timestamp field. */
  readonly bytes = new Uint8Array(12);
  private localUs: number;
  private usInSecond = 0;

  /** `epochUs` must be a safe integer (the synth options check the range). */
  constructor(epochUs: number, private readonly offsetMinutes: number) {
    this.localUs = epochUs + offsetMinutes * US_PER_MINUTE;
    this.encodeAll();
  }

  /** Moves the clock forward by `deltaUs` (>= 0) and updates `bytes`. */
  advance(deltaUs: number): void {
    if (deltaUs === 0) return;
    this.localUs += deltaUs;
    const usInSecond = this.usInSecond + deltaUs;
    if (usInSecond >= US_PER_SECOND) {
      this.encodeAll();
      return;
    }
    this.usInSecond = usInSecond;
    this.bytes[7] = BCD_BYTE[Math.floor(usInSecond / 10_000)]!;
    this.bytes[8] = BCD_BYTE[Math.floor(usInSecond / 100) % 100]!;
    this.bytes[9] = BCD_BYTE[usInSecond % 100]!;
  }

  private encodeAll(): void {
    const days = Math.floor(this.localUs / US_PER_DAY);
    const usOfDay = this.localUs - days * US_PER_DAY;
    this.usInSecond = usOfDay % US_PER_SECOND;
    writeBcdTimestamp(this.bytes, 0, days, usOfDay, this.offsetMinutes);
  }
}
