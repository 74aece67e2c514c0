import { GrowableArray, MAX_PACKETS } from './growable-array.ts';
import { MemocoError } from '@memoco/protocol';

const EMPTY = -1;
/** Longest walk along one key's list in take(): bounds the cost of floods of identical packets. */
const MAX_SCAN = 64;

/** What take() found for a key. */
export const TAKE = { MATCHED: 0, EXHAUSTED: 1, UNKNOWN: 2 } as const;

/**
 * Maps a 64-bit content hash to the FIFO queue of expected packet indices with that content,
 * in typed arrays (open addressing, linear probing, load <= 1/2): identical packets sent
 * several times are each matched once, in their expected order, and a copy received more
 * often than sent is told apart from a packet that was never in the trace.
 *
 * Per key: hi, lo, head (next unmatched index), tail (last appended; after build, reused as
 * the last index taken). Per packet: one int32 link. About 36 bytes per packet in all.
 */
export class HashQueueTable {
  private keyHi = new Uint32Array(0);
  private keyLo = new Uint32Array(0);
  private head = new Int32Array(0);
  private tail = new Int32Array(0);
  private readonly next = new GrowableArray(Int32Array, 1024);
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
    return this.next.length;
  }

  /** Appends the next index (= size) to the queue of key (hi, lo). */
  append(hi: number, lo: number): number {
    const index = this.next.length;
    if (index >= MAX_PACKETS) throw new MemocoError('VERIFY_ERR_TOO_LARGE', `more than ${MAX_PACKETS} packets in the trace`);
    if ((this.keys + 1) * 2 > this.head.length) this.resize(this.head.length * 2);
    this.next.push(EMPTY);
    const slot = this.findSlot(hi, lo);
    if (this.head[slot] === EMPTY && this.tail[slot] === EMPTY) {
      this.keyHi[slot] = hi;
      this.keyLo[slot] = lo;
      this.head[slot] = index;
      this.keys++;
    } else {
      this.next.view()[this.tail[slot]!] = index;
    }
    this.tail[slot] = index;
    return index;
  }

  /** Switches from building to matching: `tail` now records the last index taken per key. */
  seal(): void {
    this.tail.fill(EMPTY);
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
    const slot = this.findSlot(hi, lo);
    this.lastSlot = slot;
    if (!this.isUsed(slot)) return TAKE.UNKNOWN;
    if (this.head[slot] === EMPTY) return TAKE.EXHAUSTED;
    const next = this.next.view();
    // Walk the ascending list to the first entry >= cursor, remembering the one before it.
    let below = EMPTY;
    let belowPrev = EMPTY;
    let prev = EMPTY;
    let at = this.head[slot]!;
    for (let steps = 0; at !== EMPTY && at < cursor && steps < MAX_SCAN; steps++) {
      belowPrev = prev;
      below = at;
      prev = at;
      at = next[at]!;
    }
    const takeAbove = at !== EMPTY && (below === EMPTY || (at >= cursor && at - cursor < cursor - below));
    const chosen = takeAbove ? at : below;
    const chosenPrev = takeAbove ? prev : belowPrev;
    if (chosenPrev === EMPTY) this.head[slot] = next[chosen]!;
    else next[chosenPrev] = next[chosen]!;
    this.tail[slot] = chosen;
    out[0] = chosen;
    return TAKE.MATCHED;
  }

  /** After take() returned EXHAUSTED: the index last matched with that content. */
  lastTaken(): number {
    return this.lastSlot === EMPTY ? EMPTY : this.tail[this.lastSlot]!;
  }

  private isUsed(slot: number): boolean {
    // Before seal a used slot has a tail; after seal a used slot had a head at build time,
    // and head becomes EMPTY only after its last take, which also set tail.
    return this.head[slot] !== EMPTY || this.tail[slot] !== EMPTY;
  }

  private findSlot(hi: number, lo: number): number {
    let slot = (lo ^ Math.imul(hi, 0x9e3779b1)) & this.mask;
    while (this.isUsed(slot) && (this.keyHi[slot] !== hi || this.keyLo[slot] !== lo)) slot = (slot + 1) & this.mask;
    return slot;
  }

  private resize(slots: number): void {
    if (this.sealed) throw new Error('HashQueueTable: append after seal');
    const old = { hi: this.keyHi, lo: this.keyLo, head: this.head, tail: this.tail };
    this.keyHi = new Uint32Array(slots);
    this.keyLo = new Uint32Array(slots);
    this.head = new Int32Array(slots).fill(EMPTY);
    this.tail = new Int32Array(slots).fill(EMPTY);
    this.mask = slots - 1;
    for (let s = 0; s < old.head.length; s++) {
      if (old.head[s] === EMPTY) continue;
      const slot = this.findSlot(old.hi[s]!, old.lo[s]!);
      this.keyHi[slot] = old.hi[s]!;
      this.keyLo[slot] = old.lo[s]!;
      this.head[slot] = old.head[s]!;
      this.tail[slot] = old.tail[s]!;
    }
  }
}
