/** Small pcaps for fidelity tests: Ethernet/IPv4/UDP or TCP frames at given times. */
import { PcapWriter } from '@memoco/pcap';

export interface FixtureFrame {
  timeNs: number;
  /** Last byte of the client address 10.0.0.x and its port; the server is 10.0.1.1. */
  client: number;
  clientPort: number;
  serverPort: number;
  proto: 6 | 17;
  size: number;
  reply?: boolean;
}

function frameBytes(f: FixtureFrame): Uint8Array {
  const l4Length = f.proto === 6 ? 20 : 8;
  const size = Math.max(f.size, 14 + 20 + l4Length);
  const b = new Uint8Array(size);
  b.set([0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 0x08, 0x00], 0);
  const ipLength = size - 14;
  const client = [10, 0, 0, f.client];
  const server = [10, 0, 1, 1];
  b.set([0x45, 0, ipLength >> 8, ipLength & 255, 0, 0, 0, 0, 64, f.proto, 0, 0, ...(f.reply ? server : client), ...(f.reply ? client : server)], 14);
  const sp = f.reply ? f.serverPort : f.clientPort;
  const dp = f.reply ? f.clientPort : f.serverPort;
  b.set([sp >> 8, sp & 255, dp >> 8, dp & 255], 34);
  if (f.proto === 6) b[46] = 0x50;
  return b;
}

export async function writeFixtureTrace(path: string, frames: readonly FixtureFrame[], startSec = 1_600_000_000): Promise<void> {
  const writer = new PcapWriter(path, { nanosecond: true });
  for (const f of frames) {
    const sec = Math.floor(f.timeNs / 1e9);
    writer.write(startSec + sec, f.timeNs - sec * 1e9, frameBytes(f));
  }
  await writer.close();
}

/** A bursty mix: `flows` flows with a few packets each over `seconds`. */
export function burstyFrames(flows: number, seconds: number): FixtureFrame[] {
  const frames: FixtureFrame[] = [];
  for (let f = 0; f < flows; f++) {
    const start = ((f * 7919) % 1000) / 1000 * seconds * 0.9e9;
    for (let k = 0; k < 3 + (f % 5); k++) {
      frames.push({ timeNs: Math.round(start + k * 1e6), client: 1 + (f % 200), clientPort: 10000 + f, serverPort: f % 2 ? 443 : 53, proto: f % 2 ? 6 : 17, size: k % 2 ? 1200 : 80, reply: k % 2 === 1 });
    }
  }
  return frames.sort((a, b) => a.timeNs - b.timeNs);
}
