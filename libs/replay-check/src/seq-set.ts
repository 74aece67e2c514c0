import { MemocoError } from '@memoco/protocol';
import { MAX_PACKETS } from './growable-array.ts';

const EMPTY = -1;

/**
 * A set of non-negative integers (sequence numbers up to 2^53) in one Float64Array with open
 * addressing: 16 bytes per member at load <= 1/2, whatever the range of the numbers (a
 * bitmap would grow with the largest number, which a corrupt tag can make huge).
 */
export class SeqSet {
  private slots = new Float64Array(1 << 12).fill(EMPTY);
  private mask = (1 << 12) - 1;
  size = 0;

  /** Adds `value`; false when it was already there. */
  add(value: number): boolean {
    if ((this.size + 1) * 2 > this.slots.length) this.grow();
    const slot = this.find(value);
    if (this.slots[slot] === value) return false;
    this.slots[slot] = value;
    this.size++;
    return true;
  }

  has(value: number): boolean {
    return this.slots[this.find(value)] === value;
  }

  private find(value: number): number {
    // Mix both 32-bit halves: sequence numbers are dense, so their low bits alone would cluster.
    let slot = (Math.imul((value >>> 0) ^ Math.floor(value / 0x1_0000_0000), 0x9e3779b1) >>> 0) & this.mask;
    while (this.slots[slot] !== EMPTY && this.slots[slot] !== value) slot = (slot + 1) & this.mask;
    return slot;
  }

  private grow(): void {
    if (this.slots.length >= MAX_PACKETS) throw new MemocoError('VERIFY_ERR_TOO_LARGE', `more than ${MAX_PACKETS / 2} distinct sequence numbers`);
    const old = this.slots;
    this.slots = new Float64Array(old.length * 2).fill(EMPTY);
    this.mask = this.slots.length - 1;
    for (const value of old) if (value !== EMPTY) this.slots[this.find(value)] = value;
  }
}
