import { describe, expect, it } from 'vitest';
import { HashQueueTable, TAKE } from './hash-queue-table.ts';
import { hashPacketBytes } from './packet-hash.ts';
import { frame } from './batch-fixtures.ts';

describe('hashPacketBytes', () => {
  const hashOf = (bytes: Uint8Array, offset = 0, length = bytes.length) => {
    const out = new Uint32Array(2);
    hashPacketBytes(bytes, offset, length, out);
    return `${out[0]}:${out[1]}`;
  };

  it('depends on the bytes only, not on where they sit in the buffer', () => {
    const packet = frame(7, 61);
    const padded = new Uint8Array(100);
    padded.set(packet, 13);
    expect(hashOf(padded, 13, 61)).toBe(hashOf(packet));
  });

  it('gives distinct hashes to 200k frames differing in one counter, in length, or in a trailing zero', () => {
    const seen = new Set<string>();
    for (let id = 0; id < 200_000; id++) seen.add(hashOf(frame(id)));
    expect(seen.size).toBe(200_000);
    const a = new Uint8Array([1, 2, 3, 4, 5]);
    expect(hashOf(a)).not.toBe(hashOf(a, 0, 4));
    expect(hashOf(new Uint8Array([1, 2, 3]))).not.toBe(hashOf(new Uint8Array([1, 2, 3, 0])));
  });
});

describe('HashQueueTable', () => {
  it('hands out identical packets in their expected order, then reports the excess copy as a duplicate', () => {
    const table = new HashQueueTable(4);
    table.append(1, 1); // 0
    table.append(2, 2); // 1
    table.append(1, 1); // 2
    table.seal();
    const out = new Int32Array(1);
    expect(table.take(1, 1, -1, out)).toBe(TAKE.MATCHED);
    expect(out[0]).toBe(0);
    expect(table.take(1, 1, -1, out)).toBe(TAKE.MATCHED);
    expect(out[0]).toBe(2);
    expect(table.take(1, 1, -1, out)).toBe(TAKE.EXHAUSTED);
    expect(table.lastTaken()).toBe(2);
    expect(table.take(9, 9, -1, out)).toBe(TAKE.UNKNOWN);
    expect(table.take(2, 2, -1, out)).toBe(TAKE.MATCHED);
    expect(out[0]).toBe(1);
  });

  it('gives a copy the untaken place nearest the cursor, so one lost copy does not shift the rest', () => {
    // Content A at places 0, 2, 6; content B at 1, 3, 4, 5.
    const table = new HashQueueTable(4);
    for (const key of [1, 2, 1, 2, 2, 2, 1]) table.append(key, key);
    table.seal();
    const out = new Int32Array(1);
    const take = (key: number, cursor: number) => (table.take(key, key, cursor, out) === TAKE.MATCHED ? out[0] : -1);
    expect(take(1, -1)).toBe(0);
    expect(take(2, 0)).toBe(1);
    // A at place 2 is lost; B 3, 4, 5 arrive; then an A: it is place 6 (distance 1), not 2 (distance 3).
    expect([take(2, 1), take(2, 3), take(2, 4)]).toEqual([3, 4, 5]);
    expect(take(1, 5)).toBe(6);
    // The lost place is still there for a late copy.
    expect(take(1, 6)).toBe(2);
    expect(table.take(1, 1, 6, out)).toBe(TAKE.EXHAUSTED);
  });

  it('breaks a tie between the copies below and above the cursor toward the lower one', () => {
    // A at places 0, 1, 3; B at 2. With A 0 and B 2 matched, places 1 and 3 are both 1 away.
    const table = new HashQueueTable(4);
    for (const key of [1, 1, 2, 1]) table.append(key, key);
    table.seal();
    const out = new Int32Array(1);
    table.take(1, 1, -1, out);
    table.take(2, 2, 0, out);
    expect(table.take(1, 1, 2, out)).toBe(TAKE.MATCHED);
    expect(out[0]).toBe(1);
  });

  it('keeps every queue intact while it grows past its first size', () => {
    const table = new HashQueueTable(4);
    for (let i = 0; i < 10_000; i++) table.append(i % 1000, 7);
    table.seal();
    const out = new Int32Array(1);
    for (let i = 0; i < 10_000; i++) {
      expect(table.take(i % 1000, 7, -1, out)).toBe(TAKE.MATCHED);
      expect(out[0]).toBe(i);
    }
    expect(table.size).toBe(10_000);
  });
});
