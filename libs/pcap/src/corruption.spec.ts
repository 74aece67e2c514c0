/**
 * Random corruption of real captures only ever yields a typed error (issue 2, "Done when"):
 * flipped, overwritten, inserted and cut bytes, aimed at random places and at record and
 * block headers, read through random chunkings. Each read must end (no hang), and end
 * either complete or with a MemocoError whose PCAP_ERR_* code names a capture fault, whose
 * record number counts the packets handed out before it, and whose offset lies in the input.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { MemocoError } from '@memoco/protocol';
import { chunked, concat } from './testing/capture-builder.ts';
import { CORPUS_DIR, CORPUS_PRESENT, FIXTURES_DIR } from './testing/corpus-manifest.ts';
import { readAll } from './testing/read-all.ts';
import { MAX_PACKET_BYTES } from './trace-reader-options.ts';

const CAPTURE_FAULTS = new Set([
  'PCAP_ERR_BAD_MAGIC', 'PCAP_ERR_BAD_HEADER', 'PCAP_ERR_BAD_BLOCK', 'PCAP_ERR_RECORD_TOO_LONG',
  'PCAP_ERR_TRUNCATED_HEADER', 'PCAP_ERR_TRUNCATED_RECORD',
]);
const HANG_MS = 10_000;
/** PCAP_FUZZ_SCALE=20 PCAP_FUZZ_SEED=n for a deeper local run; CI uses the fixed seed. */
const FUZZ_SCALE = Number(process.env.PCAP_FUZZ_SCALE ?? 1);
const FUZZ_SEED = Number(process.env.PCAP_FUZZ_SEED ?? 20261123);

type Mutation =
  | { kind: 'flip'; at: number; mask: number }
  | { kind: 'overwrite32'; at: number; value: number }
  | { kind: 'insert'; at: number; bytes: Uint8Array }
  | { kind: 'cut'; at: number };

function mutate(original: Uint8Array, mutations: Mutation[]): Uint8Array {
  let bytes: Uint8Array = original.slice();
  for (const m of mutations) {
    const at = Math.min(m.at, bytes.length);
    if (m.kind === 'flip' && at < bytes.length) bytes[at] ^= m.mask;
    else if (m.kind === 'overwrite32') for (let k = 0; k < 4 && at + k < bytes.length; k++) bytes[at + k] = (m.value >>> (8 * k)) & 255;
    else if (m.kind === 'insert') bytes = concat([bytes.subarray(0, at), m.bytes, bytes.subarray(at)]);
    else if (m.kind === 'cut') bytes = bytes.slice(0, at);
  }
  return bytes;
}

/** Positions worth hitting: the file header and every record/block header. */
async function headerOffsets(bytes: Uint8Array): Promise<number[]> {
  const { packets } = await readAll(chunked(bytes, [bytes.length]));
  return [0, 4, 8, 16, 20, ...packets.flatMap((p) => [p.fileOffset, p.fileOffset + 4, p.fileOffset + 8, p.fileOffset + 12, p.fileOffset + 20])];
}

async function withinTime<T>(work: Promise<T>): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const hang = new Promise<never>((_, reject) => { timer = setTimeout(() => reject(new Error(`reader did not finish within ${HANG_MS} ms`)), HANG_MS); });
  try {
    return await Promise.race([work, hang]);
  } finally {
    clearTimeout(timer);
  }
}

async function checkCorruptions(original: Uint8Array, numRuns: number): Promise<void> {
  const offsets = await headerOffsets(original);
  const position = fc.oneof(fc.nat({ max: original.length + 8 }), fc.constantFrom(...offsets));
  const extreme = fc.oneof(fc.constantFrom(0, 0xffffffff, 0x7fffffff, 0x80000000, 12, 0x0a0d0d0a, MAX_PACKET_BYTES + 1), fc.nat());
  const mutation: fc.Arbitrary<Mutation> = fc.oneof(
    fc.record({ kind: fc.constant('flip' as const), at: position, mask: fc.integer({ min: 1, max: 255 }) }),
    fc.record({ kind: fc.constant('overwrite32' as const), at: position, value: extreme }),
    fc.record({ kind: fc.constant('insert' as const), at: position, bytes: fc.uint8Array({ minLength: 1, maxLength: 24 }) }),
    fc.record({ kind: fc.constant('cut' as const), at: position }),
  );
  await fc.assert(fc.asyncProperty(
    fc.array(mutation, { minLength: 1, maxLength: 4 }),
    fc.array(fc.integer({ min: 1, max: 70_000 }), { minLength: 1, maxLength: 4 }),
    // Tiny reads on big files only make the run slow; the small fixtures get them.
    fc.integer({ min: Math.max(1, original.length >> 10), max: 100_000 }),
    async (mutations, pieces, chunkBytes) => {
      const bytes = mutate(original, mutations);
      const { packets, error } = await withinTime(readAll(chunked(bytes, pieces), { chunkBytes, batchSize: 64 }));
      if (error !== undefined) {
        expect(error).toBeInstanceOf(MemocoError);
        expect(CAPTURE_FAULTS.has(error.code), error.code).toBe(true);
        expect(error.details.record).toBe(packets.length);
        expect(error.details.offset).toBeGreaterThanOrEqual(0);
        expect(error.details.offset).toBeLessThanOrEqual(bytes.length);
        expect(error.message).not.toMatch(/\n/);
      }
      let previous = -1;
      for (const p of packets) {
        expect(p.fileOffset).toBeGreaterThan(previous);
        expect(p.capLen).toBeLessThanOrEqual(MAX_PACKET_BYTES);
        expect(p.tsNsec).toBeLessThan(1e9);
        if (p.ipVersion !== 0) expect(p.l3Offset).toBeLessThan(p.capLen);
        previous = p.fileOffset;
      }
    },
  ), { numRuns: numRuns * FUZZ_SCALE, seed: FUZZ_SEED });
}

describe('corrupt captures yield typed errors only', () => {
  for (const file of ['tcpdump__tcp-handshake-nano.pcap', 'suricata__nfsv2-bigendian.pcap', 'zeek__wikipedia.pcap', 'zeek__wikipedia-CONVERTED.pcapng']) {
    it(`fixtures/${file}`, async () => {
      await checkCorruptions(new Uint8Array(readFileSync(join(FIXTURES_DIR, file))), 150);
    });
  }

  for (const file of ['ndpi__alexa-app.pcapng', 'pcpp__sll.pcap']) {
    it.skipIf(!CORPUS_PRESENT)(`shared/data/pcaps/${file}${CORPUS_PRESENT ? '' : ' (skipped: ../shared/data/pcaps is not beside this checkout)'}`, async () => {
      await checkCorruptions(new Uint8Array(readFileSync(join(CORPUS_DIR, file))), 25);
    });
  }
});
