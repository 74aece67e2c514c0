import { isMemocoError } from '@memoco/protocol';
import { captureFault } from './capture-fault.ts';
import type { PacketBatch } from './packet-batch.ts';
import { formatTimestampNs, secondsBetween } from './timestamp-format.ts';
import { TraceReader, type TraceSource } from './trace-reader.ts';
import type { TraceReaderOptions } from './trace-reader-options.ts';

/** `memoco inspect --json` (issue 2). */
export interface InspectResult {
  format: 'pcap' | 'pcapng' | null;
  linkTypes: number[];
  /** Complete packet records read (before the error, when there is one). */
  packets: number;
  /** Captured bytes of those packets (record headers excluded). */
  bytes: number;
  /** Their original lengths on the wire. */
  wireBytes: number;
  /** Packets with an IP header (the innermost one keys flows). */
  ipPackets: number;
  flows: number;
  tcpFlows: number;
  udpFlows: number;
  /** Earliest and latest packet time, ISO 8601 UTC with nanoseconds; null with no packets. */
  firstTimestamp: string | null;
  lastTimestamp: string | null;
  durationSeconds: number;
  /** True when the whole input was read without fault. */
  complete: boolean;
  error?: { code: string; message: string; offset: number; record: number };
}

export interface InspectProgress {
  bytesRead: number;
  totalBytes: number | undefined;
  packets: number;
}

export interface InspectOptions {
  reader?: TraceReaderOptions;
  /** Called between batches, at most every `progressIntervalMs`. */
  onProgress?: (progress: InspectProgress) => void;
  progressIntervalMs?: number;
  /** Stops reading; the result then says complete: false with PCAP_ERR_ABORTED. */
  signal?: AbortSignal;
}

/**
 * Reads a whole capture and summarises it. Bad capture content never throws: the result
 * then has complete: false and the error. Only an input that cannot be opened or read
 * (PCAP_ERR_IO) throws.
 */
export async function inspectTrace(source: TraceSource, options: InspectOptions = {}): Promise<InspectResult> {
  const reader = new TraceReader(source, options.reader);
  const totals = new InspectTotals();
  let error: InspectResult['error'];
  let lastProgress = 0;
  try {
    for await (const batch of reader.batches()) {
      totals.add(batch);
      if (options.signal?.aborted) {
        const fault = captureFault('PCAP_ERR_ABORTED', 'stopped on request before the end of the capture', reader.bytesRead, totals.packets);
        error = { code: fault.code, message: fault.message, offset: reader.bytesRead, record: totals.packets };
        break;
      }
      if (options.onProgress && Date.now() - lastProgress >= (options.progressIntervalMs ?? 200)) {
        lastProgress = Date.now();
        options.onProgress({ bytesRead: reader.bytesRead, totalBytes: reader.totalBytes, packets: totals.packets });
      }
    }
  } catch (caught) {
    if (!isMemocoError(caught) || caught.code === 'PCAP_ERR_IO' || !caught.code.startsWith('PCAP_ERR_')) throw caught;
    error = { code: caught.code, message: caught.message, offset: Number(caught.details.offset ?? 0), record: Number(caught.details.record ?? totals.packets) };
  }
  return {
    format: reader.format ?? null,
    linkTypes: [...reader.linkTypes],
    packets: totals.packets,
    bytes: totals.bytes,
    wireBytes: totals.wireBytes,
    ipPackets: totals.ipPackets,
    flows: reader.flows.size,
    tcpFlows: reader.flows.tcpFlows,
    udpFlows: reader.flows.udpFlows,
    firstTimestamp: totals.packets > 0 ? formatTimestampNs(totals.minSec, totals.minNsec) : null,
    lastTimestamp: totals.packets > 0 ? formatTimestampNs(totals.maxSec, totals.maxNsec) : null,
    durationSeconds: totals.packets > 0 ? secondsBetween(totals.minSec, totals.minNsec, totals.maxSec, totals.maxNsec) : 0,
    complete: error === undefined,
    ...(error ? { error } : {}),
  };
}

/** Running sums over batches. Earliest/latest, not first/last: captures can be out of order. */
class InspectTotals {
  packets = 0;
  bytes = 0;
  wireBytes = 0;
  ipPackets = 0;
  minSec = Infinity;
  minNsec = 0;
  maxSec = -Infinity;
  maxNsec = 0;

  add(batch: PacketBatch): void {
    const { tsSec, tsNsec, capLen, origLen, ipVersion } = batch;
    // Locals, not fields, inside the loop: this runs once per packet.
    let bytes = 0;
    let wireBytes = 0;
    let ip = 0;
    let minSec = this.minSec;
    let minNsec = this.minNsec;
    let maxSec = this.maxSec;
    let maxNsec = this.maxNsec;
    for (let i = 0; i < batch.count; i++) {
      bytes += capLen[i];
      wireBytes += origLen[i];
      if (ipVersion[i] !== 0) ip++;
      const sec = tsSec[i];
      if (sec <= minSec && (sec < minSec || tsNsec[i] < minNsec)) { minSec = sec; minNsec = tsNsec[i]; }
      if (sec >= maxSec && (sec > maxSec || tsNsec[i] > maxNsec)) { maxSec = sec; maxNsec = tsNsec[i]; }
    }
    this.bytes += bytes;
    this.wireBytes += wireBytes;
    this.ipPackets += ip;
    this.minSec = minSec;
    this.minNsec = minNsec;
    this.maxSec = maxSec;
    this.maxNsec = maxNsec;
    this.packets += batch.count;
  }
}
