/**
 * Interns 16-byte Device IDs into dense indices 0, 1, 2, ... in first-seen order without
 * allocating per lookup: an open-addressing hash table over the raw bytes. The reader
 * looks up every record's device here; most archives repeat the previous record's device,
 * which is checked first.
 */
import { decodeDeviceId, DEVICE_ID_BYTES } from '../format/device-id.ts';

const EMPTY = -1;

export class DeviceIdTable {
  private ids = new Uint8Array(64 * DEVICE_ID_BYTES);
  private slots = new Int32Array(128).fill(EMPTY);
  private size = 0;
  private last = EMPTY;

  /** Number of distinct devices seen. */
  get count(): number {
    return this.size;
  }

  /** Index of the Device ID at src[at .. at+16), adding it when new. */
  intern(src: Uint8Array, at: number): number {
    if (this.last !== EMPTY && this.equals(this.last, src, at)) return this.last;
    const mask = this.slots.length - 1;
    let slot = hashId(src, at) & mask;
    for (;;) {
      const index = this.slots[slot]!;
      if (index === EMPTY) break;
      if (this.equals(index, src, at)) return (this.last = index);
      slot = (slot + 1) & mask;
    }
    return (this.last = this.add(src, at, slot));
  }

  /** The 16 stored bytes of device `index` (a view; do not modify). */
  idBytes(index: number): Uint8Array {
    return this.ids.subarray(index * DEVICE_ID_BYTES, (index + 1) * DEVICE_ID_BYTES);
  }

  /** The device's name (padding removed). */
  name(index: number): string {
    return decodeDeviceId(this.ids, index * DEVICE_ID_BYTES);
  }

  /** All names in index order. */
  names(): string[] {
    return Array.from({ length: this.size }, (_, i) => this.name(i));
  }

  private equals(index: number, src: Uint8Array, at: number): boolean {
    const base = index * DEVICE_ID_BYTES;
    for (let i = 0; i < DEVICE_ID_BYTES; i++) if (this.ids[base + i] !== src[at + i]) return false;
    return true;
  }

  private add(src: Uint8Array, at: number, slot: number): number {
    const index = this.size++;
    if (this.size * DEVICE_ID_BYTES > this.ids.length) {
      const grown = new Uint8Array(this.ids.length * 2);
      grown.set(this.ids);
      this.ids = grown;
    }
    this.ids.set(src.subarray(at, at + DEVICE_ID_BYTES), index * DEVICE_ID_BYTES);
    this.slots[slot] = index;
    if (this.size * 2 > this.slots.length) this.rehash();
    return index;
  }

  private rehash(): void {
    this.slots = new Int32Array(this.slots.length * 2).fill(EMPTY);
    const mask = this.slots.length - 1;
    for (let index = 0; index < this.size; index++) {
      let slot = hashId(this.ids, index * DEVICE_ID_BYTES) & mask;
      while (this.slots[slot] !== EMPTY) slot = (slot + 1) & mask;
      this.slots[slot] = index;
    }
  }
}

function hashId(src: Uint8Array, at: number): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < DEVICE_ID_BYTES; i++) h = Math.imul(h ^ src[at + i]!, 0x01000193);
  return (h ^ (h >>> 15)) >>> 0;
}
