/**
 * Pass 2: every sample of every indexed record, in timestamp order across all channels,
 * so the archive replays time-conforming even when a file holds its channels one after
 * the other, or records overlap. Records are opened in start-time order; a small heap of
 * open records (about one per channel) yields the earliest next sample. Memory: the index
 * plus the decoded samples of the open records.
 *
 * Sample i of a record is at start + round(i * 1e6 / rate) us, with the rate taken from the
 * header's factor and multiplier as an exact fraction (blockette 100 is not used).
 * Equal timestamps keep record start order, then file order.
 */
import { MemocoError } from '@memoco/protocol';
import { tsArchiveError } from '../../tsarchive-error.ts';
import type { FileWindow } from '../common/file-window.ts';
import { parseMseedRecordHeader } from './mseed-record-header.ts';
import type { MseedRecordIndex } from './mseed-record-index.ts';
import { MseedSampleDecoder } from './mseed-sample-decoder.ts';

/** Receives samples; add() returns true when the sink wants `await flush()` before more. */
export interface MseedSampleSink {
  add(source: number, epochUs: number, value: number): boolean;
  flush(): Promise<void>;
}

interface OpenRecord {
  rank: number;
  source: number;
  samples: Float64Array;
  startUs: number;
  usPerSampleNum: number;
  rateNum: number;
  next: number;
  nextUs: number;
}

const before = (a: OpenRecord, b: OpenRecord) => a.nextUs < b.nextUs || (a.nextUs === b.nextUs && a.rank < b.rank);

class OpenRecordHeap {
  readonly items: OpenRecord[] = [];
  push(r: OpenRecord): void {
    const a = this.items;
    a.push(r);
    for (let i = a.length - 1; i > 0; ) {
      const p = (i - 1) >> 1;
      if (!before(a[i]!, a[p]!)) break;
      [a[i], a[p]] = [a[p]!, a[i]!];
      i = p;
    }
  }
  /** Restores order after the top's key grew, or removes it when exhausted. */
  fixTop(remove: boolean): void {
    const a = this.items;
    if (remove) {
      const last = a.pop()!;
      if (a.length === 0) return;
      a[0] = last;
    }
    for (let i = 0; ; ) {
      const l = 2 * i + 1, r = l + 1;
      let m = i;
      if (l < a.length && before(a[l]!, a[m]!)) m = l;
      if (r < a.length && before(a[r]!, a[m]!)) m = r;
      if (m === i) return;
      [a[i], a[m]] = [a[m]!, a[i]!];
      i = m;
    }
  }
}

function startOrder(idx: MseedRecordIndex): Uint32Array {
  const order = Array.from({ length: idx.count }, (_, i) => i);
  order.sort((a, b) => idx.startUs[a]! - idx.startUs[b]! || idx.fileOffset[a]! - idx.fileOffset[b]!);
  return Uint32Array.from(order);
}

async function openRecord(file: FileWindow, idx: MseedRecordIndex, i: number, rank: number, decoder: MseedSampleDecoder): Promise<OpenRecord> {
  const bytes = await file.readAt(idx.fileOffset[i]!, idx.recordLength[i]!);
  try {
    const samples = decoder.decode(bytes, parseMseedRecordHeader(bytes, 0, bytes.length));
    return { rank, source: idx.source[i]!, samples, startUs: idx.startUs[i]!, usPerSampleNum: 1e6 * idx.rateDen[i]!, rateNum: idx.rateNum[i]!, next: 0, nextUs: idx.startUs[i]! };
  } catch (error) {
    if (error instanceof MemocoError) Object.assign(error.details, { offset: idx.fileOffset[i]! + (error.details.offset ?? 0), file: file.path });
    throw error;
  }
}

/** Feeds every sample to `sink` in time order. */
export async function mergeMseedSamples(file: FileWindow, idx: MseedRecordIndex, sink: MseedSampleSink, signal?: AbortSignal): Promise<void> {
  const order = startOrder(idx);
  const heap = new OpenRecordHeap();
  const decoder = new MseedSampleDecoder();
  let rank = 0;
  for (;;) {
    while (rank < order.length && (heap.items.length === 0 || idx.startUs[order[rank]!]! <= heap.items[0]!.nextUs)) {
      heap.push(await openRecord(file, idx, order[rank]!, rank, decoder));
      rank++;
    }
    if (heap.items.length === 0) return;
    if (signal?.aborted) throw tsArchiveError('TSARCHIVE_ERR_ABORTED', 'interrupted; the partial archive was deleted');
    const top = heap.items[0]!;
    if (sink.add(top.source, top.nextUs, top.samples[top.next]!)) await sink.flush();
    top.next++;
    const done = top.next === top.samples.length;
    if (!done) top.nextUs = top.startUs + Math.round((top.next * top.usPerSampleNum) / top.rateNum);
    heap.fixTop(done);
  }
}
