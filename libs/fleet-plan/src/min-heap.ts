/**
 * A fixed-size binary min-heap of slots 0..size-1 keyed by a number, ties broken by the
 * lower slot (so plans are deterministic). LPT only ever takes the least loaded slot and puts
 * it back heavier, so the one operation is `addToMin`: one sift-down, no allocation.
 */
export class SlotMinHeap {
  private readonly keys: Float64Array;
  /** heap position -> slot */
  private readonly slots: Uint32Array;

  constructor(size: number) {
    this.keys = new Float64Array(size);
    this.slots = new Uint32Array(size);
    // All keys start at 0: slots in ascending order already form a valid heap.
    for (let i = 0; i < size; i++) this.slots[i] = i;
  }

  get size(): number {
    return this.slots.length;
  }

  /** The slot with the smallest key. */
  peekMin(): number {
    return this.slots[0]!;
  }

  /** Adds `delta` (>= 0) to the minimum's key and restores the heap; returns that slot. */
  addToMin(delta: number): number {
    const slot = this.slots[0]!;
    const key = this.keys[slot]! + delta;
    this.keys[slot] = key;
    this.siftDown(slot, key);
    return slot;
  }

  keyOf(slot: number): number {
    return this.keys[slot]!;
  }

  private siftDown(slot: number, key: number): void {
    const { slots, keys } = this;
    const n = slots.length;
    let at = 0;
    for (;;) {
      const left = 2 * at + 1;
      if (left >= n) break;
      let child = left;
      let childSlot = slots[left]!;
      let childKey = keys[childSlot]!;
      const right = left + 1;
      if (right < n) {
        const rightSlot = slots[right]!;
        const rightKey = keys[rightSlot]!;
        if (rightKey < childKey || (rightKey === childKey && rightSlot < childSlot)) {
          child = right;
          childSlot = rightSlot;
          childKey = rightKey;
        }
      }
      if (childKey > key || (childKey === key && childSlot > slot)) break;
      slots[at] = childSlot;
      at = child;
    }
    slots[at] = slot;
  }
}
