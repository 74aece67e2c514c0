/**
 * Merges the captures of a fleet's agents into one trace ordered by time, with the time
 * axis rescaled (`memoco demo` sends a model's window faster than real time, then scores
 * the fleet's output against the original at the original's pace). A streaming k-way merge:
 * one batch per input in memory, no object per packet.
 */
import { PcapWriter, TraceReader, type PacketBatch } from '@memoco/pcap';

export interface MergeOptions {
  /** Multiply every gap from the first packet by this (a run at speed x: x). */
  timeScale: number;
}

interface Cursor {
  batches: AsyncIterator<PacketBatch>;
  batch: PacketBatch | undefined;
  at: number;
}

async function advance(c: Cursor): Promise<void> {
  c.at++;
  while (c.batch && c.at >= c.batch.count) {
    const next = await c.batches.next();
    c.batch = next.done ? undefined : next.value;
    c.at = 0;
  }
}

async function open(file: string): Promise<Cursor> {
  const cursor: Cursor = { batches: new TraceReader(file, { decode: false }).batches()[Symbol.asyncIterator](), batch: undefined, at: -1 };
  const first = await cursor.batches.next();
  cursor.batch = first.done ? undefined : first.value;
  await advance(cursor);
  return cursor;
}

const earlier = (a: Cursor, b: Cursor) => {
  const x = a.batch!, y = b.batch!;
  return x.tsSec[a.at]! - y.tsSec[b.at]! || x.tsNsec[a.at]! - y.tsNsec[b.at]!;
};

/** Writes the merged trace to `out`; returns the packets written. */
export async function mergeCaptures(files: readonly string[], out: string, options: MergeOptions): Promise<number> {
  const cursors = (await Promise.all(files.map(open))).filter((c) => c.batch);
  const writer = new PcapWriter(out, { nanosecond: true });
  let origin: { sec: number; nsec: number } | undefined;
  let packets = 0;
  try {
    while (cursors.length > 0) {
      let best = 0;
      for (let i = 1; i < cursors.length; i++) if (earlier(cursors[i]!, cursors[best]!) < 0) best = i;
      const c = cursors[best]!;
      const b = c.batch!;
      origin ??= { sec: b.tsSec[c.at]!, nsec: b.tsNsec[c.at]! };
      const relNs = ((b.tsSec[c.at]! - origin.sec) * 1e9 + (b.tsNsec[c.at]! - origin.nsec)) * options.timeScale;
      const total = origin.nsec + Math.round(relNs);
      const carry = Math.floor(total / 1e9);
      const start = b.dataOffset[c.at]!;
      writer.write(origin.sec + carry, total - carry * 1e9, b.data.subarray(start, start + b.capLen[c.at]!), b.origLen[c.at]!);
      packets++;
      await advance(c);
      if (!c.batch) cursors.splice(best, 1);
    }
  } finally {
    await writer.close();
  }
  return packets;
}
