/**
 * Writes what startSynthesis hands the native engine (the plan) and, for every chunk in
 * order, onnxruntime's expected counts for its pairs and the chunk TypeScript's PlanBuilder
 * makes of them, into one file, so test/synthesis-test.cc can run the DPDK-free half of the
 * engine (planner, feeder, expander, frame builder) under sanitizers and valgrind on a real
 * model, and compare the native planner's chunks and counts with TypeScript's.
 * Records: u8 kind ('n' number, 'a' typed array, 'c' next chunk, 'e' end) | u16 name
 * length | name | u32 byte length | bytes (little-endian, as in memory).
 */
import { closeSync, openSync, writeSync } from 'node:fs';
import { chunkPairs, CountSession, PlanBuilder } from '@memoco/flow-model';
import { parseSynthesisOptions, type SynthesisOptionsInput } from '../synthesis-options.ts';
import { nativeSynthesisPlan, regenerationPlan } from '../synthesis-plan.ts';

type Field = number | boolean | ArrayBufferView;

class DumpWriter {
  private readonly fd: number;
  constructor(path: string) {
    this.fd = openSync(path, 'w');
  }
  record(kind: string, name = '', bytes: Uint8Array = new Uint8Array(0)): void {
    const nameBytes = Buffer.from(name);
    const head = Buffer.alloc(1 + 2 + nameBytes.length + 4);
    head.writeUInt8(kind.charCodeAt(0), 0);
    head.writeUInt16LE(nameBytes.length, 1);
    nameBytes.copy(head, 3);
    head.writeUInt32LE(bytes.length, 3 + nameBytes.length);
    writeSync(this.fd, head);
    if (bytes.length > 0) writeSync(this.fd, bytes);
  }
  fields(prefix: string, object: Record<string, Field | object>): void {
    for (const [key, value] of Object.entries(object)) {
      if (typeof value === 'number' || typeof value === 'boolean') {
        const b = Buffer.alloc(8);
        b.writeDoubleLE(Number(value));
        this.record('n', prefix + key, b);
      } else if (ArrayBuffer.isView(value)) {
        this.record('a', prefix + key, new Uint8Array(value.buffer, value.byteOffset, value.byteLength));
      } else if (typeof value === 'object' && value !== null) {
        this.fields(`${prefix}${key}.`, value as Record<string, Field>);
      }
    }
  }
  close(): void {
    closeSync(this.fd);
  }
}

/** Dumps the run `input` would start (its model, seed, duration, tag, cores, coreRows). */
export async function writeSynthesisDump(path: string, input: Omit<SynthesisOptionsInput, 'port'>): Promise<{ chunks: number }> {
  const options = parseSynthesisOptions({ ...input, port: 'net_null0' });
  const plan = regenerationPlan(options);
  const session = await CountSession.create(options.model.bytes);
  const writer = new DumpWriter(path);
  let chunks = 0;
  try {
    writer.fields('', nativeSynthesisPlan(plan, options, true) as unknown as Record<string, Field>);
    for await (const chunk of new PlanBuilder(options.model.model, session, plan, options.chunkBins).chunks()) {
      writer.record('c');
      const { newInstances, ...rest } = chunk;
      const n = newInstances.count;
      const pairs = chunkPairs(options.model.model, chunk.firstBin, chunk.firstBin + chunk.binCount);
      writer.fields('', { ...rest, counts: await session.counts(pairs.flow, pairs.bin) } as unknown as Record<string, Field>);
      writer.fields('new.', {
        template: newInstances.template.subarray(0, n),
        variant: newInstances.variant.subarray(0, n),
        packets: newInstances.packets.subarray(0, n),
        reverse: newInstances.reverse.subarray(0, n),
        startNs: newInstances.startNs.subarray(0, n),
        endNs: newInstances.endNs.subarray(0, n),
      });
      chunks++;
    }
    writer.record('e');
  } finally {
    writer.close();
    await session.release();
  }
  return { chunks };
}
