/**
 * The naive baseline of the fidelity benchmark (issue 4): the original's IP packets, same
 * headers and order, spread evenly over the original's span (first to last IP packet) and all
 * cut or padded to the trace's mean wire size. Any model worth its bytes must beat it.
 */
import { MemocoError } from '@memoco/protocol';
import { PcapWriter, TraceReader } from '@memoco/pcap';

const NO_FLOW = 0xffffffff;

interface Span {
  packets: number;
  wireBytes: number;
  firstNs: number;
  lastNs: number;
  baseSec: number;
}

async function measure(path: string): Promise<Span> {
  const span: Span = { packets: 0, wireBytes: 0, firstNs: Infinity, lastNs: -Infinity, baseSec: Number.NaN };
  for await (const batch of new TraceReader(path).batches()) {
    for (let i = 0; i < batch.count; i++) {
      if (batch.flowId[i] === NO_FLOW || batch.ipVersion[i] === 0) continue;
      if (Number.isNaN(span.baseSec)) span.baseSec = batch.tsSec[i]!;
      const t = (batch.tsSec[i]! - span.baseSec) * 1e9 + batch.tsNsec[i]!;
      span.firstNs = Math.min(span.firstNs, t);
      span.lastNs = Math.max(span.lastNs, t);
      span.packets++;
      span.wireBytes += batch.origLen[i]!;
    }
  }
  return span;
}

export async function writeEvenSpreadBaseline(originalPath: string, outPath: string): Promise<{ packets: number; meanSize: number }> {
  const span = await measure(originalPath);
  if (span.packets === 0) throw new MemocoError('FIDELITY_ERR_NO_IP_PACKETS', `${originalPath} holds no IP packets: no baseline`, { file: originalPath });
  const meanSize = Math.round(span.wireBytes / span.packets);
  const step = span.packets > 1 ? (span.lastNs - span.firstNs) / (span.packets - 1) : 0;
  const writer = new PcapWriter(outPath, { nanosecond: true });
  let index = 0;
  try {
    for await (const batch of new TraceReader(originalPath).batches()) {
      for (let i = 0; i < batch.count; i++) {
        if (batch.flowId[i] === NO_FLOW || batch.ipVersion[i] === 0) continue;
        const rel = Math.round(span.firstNs + index * step);
        const sec = span.baseSec + Math.floor(rel / 1e9);
        const at = batch.dataOffset[i]!;
        const bytes = batch.data.subarray(at, at + Math.min(batch.capLen[i]!, meanSize));
        writer.write(sec, rel - Math.floor(rel / 1e9) * 1e9, bytes, meanSize);
        index++;
      }
    }
  } finally {
    await writer.close();
  }
  return { packets: index, meanSize };
}
