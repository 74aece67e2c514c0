import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { batchOf, syntheticTraffic, type FixturePacket } from '../test-support/packet-fixtures.ts';
import { FlowTrainer } from '../train/flow-trainer.ts';
import { ipv4HeaderChecksumValid, transportChecksumValid } from './checksum.ts';
import { generateTraffic, type PacketSink } from './traffic-generator.ts';

interface Captured {
  tsSec: number;
  tsNsec: number;
  frame: Uint8Array;
}

class MemorySink implements PacketSink {
  packets: Captured[] = [];
  write(tsSec: number, tsNsec: number, frame: Uint8Array): void {
    this.packets.push({ tsSec, tsNsec, frame: frame.slice() });
  }
  digest(): string {
    const h = createHash('sha256');
    for (const p of this.packets) h.update(`${p.tsSec}.${p.tsNsec}:`).update(p.frame);
    return h.digest('hex');
  }
}

function trained(packets: FixturePacket[], options = {}) {
  const trainer = new FlowTrainer(options);
  const ids = new Map<string, number>();
  for (let i = 0; i < packets.length; i += 400) trainer.addBatch(batchOf(packets.slice(i, i + 400), 1_700_000_000, ids));
  return trainer.finish();
}

/** Canonical 5-tuple of an Ethernet + IP + TCP/UDP frame, both directions alike. */
function flowKey(frame: Uint8Array): string {
  const v4 = frame[12] === 0x08;
  const l3 = 14;
  const l4 = v4 ? l3 + (frame[l3]! & 15) * 4 : l3 + 40;
  const proto = v4 ? frame[l3 + 9]! : frame[l3 + 6]!;
  const src = Array.from(v4 ? frame.subarray(l3 + 12, l3 + 16) : frame.subarray(l3 + 8, l3 + 24)).join('.');
  const dst = Array.from(v4 ? frame.subarray(l3 + 16, l3 + 20) : frame.subarray(l3 + 24, l3 + 40)).join('.');
  const sp = (frame[l4]! << 8) | frame[l4 + 1]!;
  const dp = (frame[l4 + 2]! << 8) | frame[l4 + 3]!;
  const a = `${src}:${sp}`;
  const b = `${dst}:${dp}`;
  return `${proto}|${a < b ? a : b}|${a < b ? b : a}`;
}

function checksumsValid(frame: Uint8Array): boolean {
  const v4 = frame[12] === 0x08;
  const l3 = 14;
  const l4 = v4 ? l3 + (frame[l3]! & 15) * 4 : l3 + 40;
  const proto = v4 ? frame[l3 + 9]! : frame[l3 + 6]!;
  return (!v4 || ipv4HeaderChecksumValid(frame, l3)) && transportChecksumValid(frame, l3, l4, frame.length, v4 ? 4 : 6, proto);
}

describe('generateTraffic', () => {
  const packets = syntheticTraffic(50, 10, 11);
  const { model, bytes } = trained(packets);

  it('regenerates every flow with its exact packet count, in time order, with valid checksums', async () => {
    const sink = new MemorySink();
    const summary = await generateTraffic(model, bytes, sink, { seed: 5 });
    expect(summary.packets).toBe(packets.length);
    const original = new Map<string, number>();
    const ids = new Map<string, number>();
    for (const p of packets) {
      const batch = batchOf([p], 0, ids);
      const key = flowKey(batch.data.subarray(0, batch.capLen[0]));
      original.set(key, (original.get(key) ?? 0) + 1);
    }
    const regenerated = new Map<string, number>();
    let previous = -1;
    for (const p of sink.packets) {
      const key = flowKey(p.frame);
      regenerated.set(key, (regenerated.get(key) ?? 0) + 1);
      const t = p.tsSec * 1e9 + p.tsNsec;
      expect(t).toBeGreaterThanOrEqual(previous);
      previous = t;
      expect(checksumsValid(p.frame)).toBe(true);
    }
    expect(regenerated).toEqual(original);
    const first = sink.packets[0]!;
    expect(first.tsSec * 1e9 + first.tsNsec).toBe(1_700_000_000 * 1e9 + packets[0]!.timeNs);
  });

  it('is deterministic for a seed and differs between seeds', async () => {
    const a = new MemorySink();
    const b = new MemorySink();
    const c = new MemorySink();
    await generateTraffic(model, bytes, a, { seed: 9 });
    await generateTraffic(model, bytes, b, { seed: 9, chunkBins: 37 });
    await generateTraffic(model, bytes, c, { seed: 10 });
    expect(a.digest()).toBe(b.digest());
    expect(a.digest()).not.toBe(c.digest());
  });

  it('continues past the trace by repeating the fitted window', async () => {
    const windowNs = model.info.windowBins * model.info.binNs;
    const windowS = windowNs / 1e9;
    const once = new MemorySink();
    const thrice = new MemorySink();
    await generateTraffic(model, bytes, once, { seed: 3 });
    const summary = await generateTraffic(model, bytes, thrice, { seed: 3, durationS: windowS * 3 });
    expect(summary.packets).toBe(3 * packets.length);
    const startSec = 1_700_000_000;
    const rel = (p: Captured) => (p.tsSec - startSec) * 1e9 + p.tsNsec - packets[0]!.timeNs;
    const inCycle = (c: number) => thrice.packets.filter((p) => Math.floor(rel(p) / windowNs) === c).length;
    expect([inCycle(0), inCycle(1), inCycle(2)]).toEqual([packets.length, packets.length, packets.length]);
    expect(thrice.packets.slice(0, once.packets.length).map((p) => p.frame.length)).toEqual(once.packets.map((p) => p.frame.length));
  });

  it('stops at a duration shorter than the trace', async () => {
    const sink = new MemorySink();
    await generateTraffic(model, bytes, sink, { seed: 3, durationS: 2 });
    const last = sink.packets.at(-1)!;
    expect(last.tsSec * 1e9 + last.tsNsec - (1_700_000_000 * 1e9 + packets[0]!.timeNs)).toBeLessThan(2e9);
    expect(sink.packets.length).toBeGreaterThan(0);
    expect(sink.packets.length).toBeLessThan(packets.length);
  });

  it('tags every frame with the replay-check trailer when asked', async () => {
    const sink = new MemorySink();
    await generateTraffic(model, bytes, sink, { seed: 3, tag: true });
    sink.packets.forEach((p, i) => {
      const f = p.frame;
      const at = f.length - 24;
      expect(Array.from(f.subarray(at, at + 4))).toEqual([0x4d, 0x43, 0x53, 0x51]);
      expect(((f[at + 12]! << 24) | (f[at + 13]! << 16) | (f[at + 14]! << 8) | f[at + 15]!) >>> 0).toBe(i);
      expect(checksumsValid(f)).toBe(true);
    });
  });

  it('regenerates class members as distinct flows', async () => {
    const many = syntheticTraffic(400, 10, 4);
    const small = trained(many, { maxModelBytes: 40 * 1024 });
    expect(small.model.info.classes).toBeGreaterThan(0);
    const sink = new MemorySink();
    const summary = await generateTraffic(small.model, small.bytes, sink, { seed: 1 });
    expect(summary.packets).toBe(many.length);
    const flows = new Set(sink.packets.map((p) => flowKey(p.frame)));
    expect(flows.size).toBeGreaterThan(400 * 0.7);
    expect(flows.size).toBeLessThan(400 * 1.3);
    for (const p of sink.packets) expect(checksumsValid(p.frame)).toBe(true);
  });

  it('keeps bucketed sizes inside the sizes each direction really had (no frame above the trace\'s largest)', async () => {
    // One UDP flow with 40 distinct sizes per direction: more than a direction's exact atoms,
    // so most land in 64-byte buckets. Forward 1475..1514 sits in the bucket [1472, 1536);
    // reverse 70..109 spans [64, 128). A bucket sampled whole made frames of up to 1535 bytes,
    // which a 1500-MTU link drops.
    const flow: FixturePacket[] = [];
    for (let k = 0; k < 400; k++) {
      const reply = k % 2 === 1;
      const size = reply ? 70 + ((k * 7) % 40) : 1475 + ((k * 13) % 40);
      flow.push({ timeNs: k * 1_000_000, src: reply ? '10.9.0.2' : '10.9.0.1', dst: reply ? '10.9.0.1' : '10.9.0.2', srcPort: reply ? 53 : 40000, dstPort: reply ? 40000 : 53, proto: 17, size });
    }
    const one = trained(flow);
    const sink = new MemorySink();
    await generateTraffic(one.model, one.bytes, sink, { seed: 3 });
    expect(sink.packets.length).toBe(400);
    const forward = sink.packets.filter((p) => p.frame[14 + 12 + 3] === 1).map((p) => p.frame.length);
    const reverse = sink.packets.filter((p) => p.frame[14 + 12 + 3] === 2).map((p) => p.frame.length);
    expect(forward.length + reverse.length).toBe(400);
    expect(Math.max(...forward)).toBeLessThanOrEqual(1514);
    expect(Math.min(...forward)).toBeGreaterThanOrEqual(1475);
    expect(Math.max(...reverse)).toBeLessThanOrEqual(109);
    expect(Math.min(...reverse)).toBeGreaterThanOrEqual(70);
    // Still a spread inside the bounds, not one size.
    expect(new Set(forward).size).toBeGreaterThan(10);
  });
});
