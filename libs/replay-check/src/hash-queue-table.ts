import { MemocoError } from '@memoco/protocol';
import { MAX_PACKETS } from './growable-array.ts';

const EMPTY = -1;
/** Longest walk along one key's list in take(): bounds the cost of floods of identical packets. */
const MAX_SCAN = 64;
/** Int32 fields per slot, interleaved so one probe touches one cache line: hi, lo, head, tail. */
const STRIDE = 4;
const HI = 0;
const LO = 1;
const HEAD = 2;
const TAIL = 3;

/** What take() found for a key. */
export const TAKE = { MATCHED: 0, EXHAUSTED: 1, UNKNOWN: 2 } as const;

/**
 * Maps a 64-bit content hash to the list of expected packet indices with that content, in
 * typed arrays (open addressing, linear probing, load <= 1/2): identical packets sent
 * several times are each matched once, and a copy received more often than sent is told
 * apart from a packet that was never in the trace.
 *
 * Per key: hi, lo, head (first untaken index), tail (last appended; after seal(), the last
 * index taken). Per packet: one int32 link. About 36 bytes per distinct packet in all.
 */
export class HashQueueTable {
  private slots = new Int32Array(0);
  private next = new Int32Array(1024);
  private count = 0;
  private mask = 0;
  private keys = 0;
  /** The key slot of the last take() (for lastTaken()). */
  private lastSlot = EMPTY;
  private sealed = false;

  constructor(initialSlots = 1 << 12) {
    this.resize(initialSlots);
  }

  /** Number of indices appended (the expected packet count). */
  get size(): number {
    return this.count;
  }

  /** Appends the next index (= size) to the list of key (hi, lo). */
  append(hi: number, lo: number): number {
    if (this.sealed) throw new Error('HashQueueTable: append after seal');
    const index = this.count;
    if (index >= MAX_PACKETS) throw new MemocoError('VERIFY_ERR_TOO_LARGE', `more than ${MAX_PACKETS} packets in the trace`);
    if ((this.keys + 1) * 2 > this.mask + 1) this.resize((this.mask + 1) * 2);
    if (index === this.next.length) this.growLinks();
    this.next[index] = EMPTY;
    this.count++;
    const base = this.findSlot(hi | 0, lo | 0) * STRIDE;
    const slots = this.slots;
    if (slots[base + TAIL] === EMPTY) {
      slots[base + HI] = hi;
      slots[base + LO] = lo;
      slots[base + HEAD] = index;
      this.keys++;
    } else {
      this.next[slots[base + TAIL]!] = index;
    }
    slots[base + TAIL] = index;
    return index;
  }

  /** Switches from building to matching: `tail` now records the last index taken per key. */
  seal(): void {
    for (let base = TAIL; base < this.slots.length; base += STRIDE) this.slots[base] = EMPTY;
    this.sealed = true;
  }

  /**
   * Takes an untaken index of key (hi, lo) into out[0]: of the untaken copies, the one
   * nearest `cursor` (the highest place matched so far; the lower one on a tie). For unique
   * packets that is simply the one; for identical copies it keeps a lost copy from making
   * every later copy look late (FIFO would hand the lost one's place to the next copy).
   * Scans at most MAX_SCAN entries. Returns MATCHED, EXHAUSTED (every copy already taken:
   * a duplicate) or UNKNOWN (never appended).
   */
  take(hi: number, lo: number, cursor: number, out: Int32Array): (typeof TAKE)[keyof typeof TAKE] {
    const slot = this.findSlot(hi | 0, lo | 0);
    const base = slot * STRIDE;
    const slots = this.slots;
    this.lastSlot = slot;
    if (slots[base + HEAD] === EMPTY) return slots[base + TAIL] === EMPTY ? TAKE.UNKNOWN : TAKE.EXHAUSTED;
    const next = this.next;
    // Walk the ascending list to the first entry >= cursor, remembering the one before it.
    let below = EMPTY;
    let belowPrev = EMPTY;
    let prev = EMPTY;
    let at = slots[base + HEAD]!;
    for (let steps = 0; at !== EMPTY && at < cursor && steps < MAX_SCAN; steps++) {
      belowPrev = prev;
      below = at;
      prev = at;
      at = next[at]!;
    }
    const takeAbove = at !== EMPTY && (below === EMPTY || (at >= cursor && at - cursor < cursor - below));
    const chosen = takeAbove ? at : below;
    const chosenPrev = takeAbove ? prev : belowPrev;
    if (chosenPrev === EMPTY) slots[base + HEAD] = next[chosen]!;
    else next[chosenPrev] = next[chosen]!;
    slots[base + TAIL] = chosen;
    out[0] = chosen;
    return TAKE.MATCHED;
  }

  /** After take() returned EXHAUSTED: the index last matched with that content. */
  lastTaken(): number {
    return this.lastSlot === EMPTY ? EMPTY : this.slots[this.lastSlot * STRIDE + TAIL]!;
  }

  /**
   * The slot of key (hi, lo), or the empty slot where it would go. A used slot has a tail
   * before seal(); after it, a head until its last take, which also sets the tail.
   */
  private findSlot(hi: number, lo: number): number {
    const slots = this.slots;
    let slot = (lo ^ Math.imul(hi, 0x9e3779b1)) & this.mask;
    for (;;) {
      const base = slot * STRIDE;
      if (slots[base + HEAD] === EMPTY && slots[base + TAIL] === EMPTY) return slot;
      if (slots[base + HI] === hi && slots[base + LO] === lo) return slot;
      slot = (slot + 1) & this.mask;
    }
  }

  private growLinks(): void {
    const bigger = new Int32Array(Math.min(MAX_PACKETS, this.next.length * 2));
    bigger.set(this.next);
    this.next = bigger;
  }

  private resize(slotCount: number): void {
    const old = this.slots;
    this.slots = new Int32Array(slotCount * STRIDE);
    for (let base = 0; base < this.slots.length; base += STRIDE) {
      this.slots[base + HEAD] = EMPTY;
      this.slots[base + TAIL] = EMPTY;
    }
    this.mask = slotCount - 1;
    for (let base = 0; base < old.length; base += STRIDE) {
      if (old[base + TAIL] === EMPTY) continue;
      const to = this.findSlot(old[base + HI]!, old[base + LO]!) * STRIDE;
      this.slots.set(old.subarray(base, base + STRIDE), to);
    }
  }
}
