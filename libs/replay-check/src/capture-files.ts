import { PcapWriter, TraceReader } from '@memoco/pcap';

/**
 * Test support: writes traces and captures with the real PcapWriter, and reads a trace's
 * frames back, so hand-built captures (with known missing, duplicated and reordered
 * packets) go through the same reader `memoco verify-order` uses. Not exported.
 */
export async function writePcap(path: string, frames: readonly Uint8Array[], linkType = 1): Promise<string> {
  const writer = new PcapWriter(path, { linkType });
  frames.forEach((frame, i) => writer.write(1_700_000_000 + Math.floor(i / 1000), (i % 1000) * 1000, frame));
  await writer.close();
  return path;
}

/** Every frame of a capture, copied out of the reader's reused batches. */
export async function readFrames(path: string): Promise<Uint8Array[]> {
  const frames: Uint8Array[] = [];
  for await (const batch of new TraceReader(path, { decode: false }).batches()) {
    for (let i = 0; i < batch.count; i++) frames.push(batch.data.slice(batch.dataOffset[i]!, batch.dataOffset[i]! + batch.capLen[i]!));
  }
  return frames;
}

/**
 * An Ethernet/IPv4/UDP frame of `flow` (its source port) carrying `seq` in the payload:
 * distinct bytes per (flow, seq), and a 5-tuple the reader turns into a flow id.
 */
export function udpFrame(flow: number, seq: number, payloadBytes = 18): Uint8Array {
  const frame = new Uint8Array(14 + 20 + 8 + payloadBytes);
  const view = new DataView(frame.buffer);
  frame.set([2, 0, 0, 0, 0, 2, 2, 0, 0, 0, 0, 1], 0);
  view.setUint16(12, 0x0800);
  view.setUint8(14, 0x45);
  view.setUint16(16, 20 + 8 + payloadBytes);
  view.setUint8(22, 64);
  view.setUint8(23, 17);
  frame.set([169, 254, 1, 1, 169, 254, 1, 2], 26);
  view.setUint16(34, 10_000 + flow);
  view.setUint16(36, 9);
  view.setUint16(38, 8 + payloadBytes);
  view.setUint32(42, seq);
  return frame;
}

/** The frames of `ids` picked from `frames`, in that order (repeats allowed). */
export const pick = (frames: readonly Uint8Array[], ids: readonly number[]): Uint8Array[] => ids.map((id) => frames[id]!);

/** A Fisher-Yates shuffle with a fixed seed (the same permutation every run). */
export function shuffled<T>(items: readonly T[], seed = 1): T[] {
  const out = [...items];
  let state = seed >>> 0 || 1;
  for (let i = out.length - 1; i > 0; i--) {
    state ^= state << 13;
    state ^= state >>> 17;
    state ^= state << 5;
    const j = (state >>> 0) % (i + 1);
    [out[i], out[j]] = [out[j]!, out[i]!];
  }
  return out;
}
