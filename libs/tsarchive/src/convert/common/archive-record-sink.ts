/**
 * Where every converter puts its records: the archive writer plus the running figures a
 * conversion reports (count, first/last timestamp, records out of time order).
 */
import { formatIsoTimestamp } from '../../format/ts-time.ts';
import type { TsArchiveWriter, TsRecordInput } from '../../write/archive-writer.ts';

export interface ConvertFigures {
  records: number;
  firstTimestamp: string | null;
  lastTimestamp: string | null;
  /** Records earlier than the record written before them (0: the archive is time-ordered). */
  outOfOrder: number;
}

export class ArchiveRecordSink {
  private records = 0;
  private outOfOrder = 0;
  private firstUs: bigint | number = 0;
  private lastUs: bigint | number = 0;
  private readonly record: TsRecordInput = { epochUs: 0, offsetMinutes: 0, device: new Uint8Array(16), data: new Uint8Array(0) };

  constructor(private readonly writer: TsArchiveWriter) {}

  /** Adds a record; returns true when the caller should `await flush()`. */
  add(device: Uint8Array, epochUs: bigint | number, offsetMinutes: number, data: Uint8Array): boolean {
    if (this.records === 0) this.firstUs = epochUs;
    else if (epochUs < this.lastUs) this.outOfOrder++;
    this.lastUs = epochUs;
    this.records++;
    const r = this.record;
    r.epochUs = epochUs;
    r.offsetMinutes = offsetMinutes;
    r.device = device;
    r.data = data;
    return this.writer.append(r);
  }

  flush(): Promise<void> {
    return this.writer.flush();
  }

  figures(): ConvertFigures {
    return {
      records: this.records,
      firstTimestamp: this.records ? formatIsoTimestamp(this.firstUs) : null,
      lastTimestamp: this.records ? formatIsoTimestamp(this.lastUs) : null,
      outOfOrder: this.outOfOrder,
    };
  }
}
