/**
 * A 64-bit content hash of a packet's bytes, as two independent 32-bit lanes (murmur3's
 * block mix, and an xxHash32-style accumulator), so a capture of millions of packets is
 * matched by typed-array keys, not strings. Collision odds for n packets are about
 * n^2 / 2^65: 1e-6 at 6M packets. Pure JS over the batch buffer: no copy, no allocation.
 */
const C1 = 0xcc9e2d51;
const C2 = 0x1b873593;
const P1 = 0x9e3779b1;
const P2 = 0x85ebca77;
const P3 = 0xc2b2ae3d;

/** Hashes data[offset .. offset+length) into out[0] (high lane) and out[1] (low lane). */
export function hashPacketBytes(data: Uint8Array, offset: number, length: number, out: Uint32Array): void {
  let h1 = 0x5bd1e995 ^ length;
  let h2 = (P3 + length) | 0;
  const end4 = offset + (length & ~3);
  let i = offset;
  for (; i < end4; i += 4) {
    const word = data[i]! | (data[i + 1]! << 8) | (data[i + 2]! << 16) | (data[i + 3]! << 24);
    let k = Math.imul(word, C1);
    k = Math.imul((k << 15) | (k >>> 17), C2);
    h1 ^= k;
    h1 = (Math.imul((h1 << 13) | (h1 >>> 19), 5) + 0xe6546b64) | 0;
    h2 = (h2 + Math.imul(word, P2)) | 0;
    h2 = Math.imul((h2 << 13) | (h2 >>> 19), P1);
  }
  let tail = 0;
  for (let shift = 0; i < offset + length; i++, shift += 8) tail |= data[i]! << shift;
  let k = Math.imul(tail, C1);
  h1 ^= Math.imul((k << 15) | (k >>> 17), C2);
  k = (h2 + Math.imul(tail, P3)) | 0;
  h2 = Math.imul((k << 17) | (k >>> 15), P2);
  // (a, b) -> (a ^ rotl(b), b) is a bijection: the output collides only when the state does.
  out[0] = finalMix(h1 ^ ((h2 << 7) | (h2 >>> 25)));
  out[1] = finalMix(h2);
}

/** murmur3's fmix32: every input bit affects every output bit. */
function finalMix(value: number): number {
  let h = value;
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}
