/**
 * The native training pass (train-pass.cc, on its thread: train-pass-worker.cc) against the
 * TypeScript FlowAccumulator, its reference (issue 4, train speed): the settled statistics
 * must be the same number for number, and so the models byte for byte.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chooseRows, FlowTrainer, fitRowsToProfile, ROW_KIND, trainModel, typescriptPacketPass, type FitRows, type PacketPassConfig, type RowSet, type SettledPass } from '@memoco/flow-model';
import type { PacketBatch } from '@memoco/pcap';
import { describe, expect, it } from 'vitest';
import { batchOf, nonIpBatch, syntheticTraffic, type FixturePacket } from '../../../libs/flow-model/src/test-support/packet-fixtures.ts';
import { nativePacketPass, nativeProfileFit, trainPassFor } from './native-train-pass.ts';

const PCAPS = join(import.meta.dirname, '..', '..', '..', '..', 'shared', 'data', 'pcaps');
const TXCORE = join(import.meta.dirname, '..');

function lcg(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    return state / 4294967296;
  };
}

/**
 * Bursty TCP and UDP flows in time order, roughened so every rare branch of the pass runs:
 * packets a little out of order (and some before the first packet), UDP sizes drawn at random
 * over more 64-byte buckets than a counter keeps (the size atoms evict), TCP flag bytes beyond
 * the 16 a counter keeps, cut into batches of uneven sizes with non-IP batches between them.
 */
function roughTraffic(seed: number): PacketBatch[] {
  const rand = lcg(seed);
  const packets: FixturePacket[] = syntheticTraffic(300, 40, seed).sort((a, b) => a.timeNs - b.timeNs);
  for (const p of packets) {
    if (p.proto === 17) p.size = 60 + Math.floor(rand() * 3000);
    if (p.proto === 6 && rand() < 0.05) p.flags = Math.floor(rand() * 256);
  }
  for (let i = 1; i < packets.length; i += 7) [packets[i - 1], packets[i]] = [packets[i]!, packets[i - 1]!];
  packets[3]!.timeNs = Math.max(0, packets[0]!.timeNs - 2_000_000);
  const flowIds = new Map<string, number>();
  const batches: PacketBatch[] = [];
  for (let at = 0; at < packets.length; ) {
    const n = 1 + Math.floor(rand() * 700);
    batches.push(batchOf(packets.slice(at, at + n), 1_700_000_000, flowIds));
    if (batches.length % 4 === 3) batches.push(nonIpBatch(1 + (batches.length % 5)));
    at += n;
  }
  return batches;
}

function settle(pass: typeof typescriptPacketPass, config: PacketPassConfig, batches: PacketBatch[]): SettledPass {
  const p = pass(config);
  for (const b of batches) p.addBatch(b);
  return p.settle();
}

/** The settled pass as plain data (typed arrays as arrays, histograms as their fields). */
function plain(s: SettledPass) {
  const st = s.stats;
  const counters = (c: typeof st.atoms) => ({ used: c.used, keys: Array.from(c.keys), counts: Array.from(c.counts), sizes: Array.from(c.sizes) });
  return {
    flows: s.flows,
    totals: s.totals,
    profile: { shift: s.profile.shift, width: s.profile.width, counts: Array.from(s.profile.counts) },
    capacity: st.capacity,
    arrays: [st.flow, st.dir, st.gaps, st.seen, st.ipVersion, st.proto, st.bucketsOf, st.flagsOf, st.sizeMin, st.sizeMax].map((a) => Array.from(a)),
    counters: [counters(st.atoms), counters(st.buckets), counters(st.flags)],
    histograms: st.histograms.map((h) => h && { anchor: h.anchor, shift: h.shift, width: h.width, keys: h.keys, values: h.values }),
    templates: st.templates.map((t) => t && { bytes: Array.from(t.bytes), l3Offset: t.l3Offset, l4Offset: t.l4Offset }),
  };
}

/** A RowSet's filled tables, histograms and header lengths. */
function rowTables(set: RowSet) {
  const n = set.count;
  return {
    count: n,
    headerTotal: set.headerTotal,
    headerLength: set.headerLength.subarray(0, 2 * n),
    tables: set.tables(),
    keyAt: set.keyAt.subarray(0, n + 1),
    histShift: set.histShift.subarray(0, n),
    histLength: set.histLength.subarray(0, n),
    histKeys: set.histKeys.subarray(0, set.keys),
    histValues: set.histValues.subarray(0, set.keys),
  };
}

describe('native training pass', () => {
  const configs: [string, PacketPassConfig][] = [
    ['default limits', { binNs: 10e6, maxBins: 1024, sizeAtoms: 12, maxProfileEntries: 65536 }],
    // 4 histogram bins and 64 profile entries: both halve again and again; 2 atoms evict all the time.
    ['tight limits', { binNs: 10e6, maxBins: 4, sizeAtoms: 2, maxProfileEntries: 64 }],
    ['no size atoms, 1 s bins', { binNs: 1e9, maxBins: 16, sizeAtoms: 0, maxProfileEntries: 8 }],
  ];
  for (const [name, config] of configs) {
    it(`settles to the TypeScript pass's statistics, number for number (${name})`, () => {
      for (const seed of [1, 2]) {
        const batches = roughTraffic(seed);
        const ts = settle(typescriptPacketPass, config, batches);
        const native = settle(nativePacketPass, config, batches);
        expect(native.flows.length).toBeGreaterThan(250);
        expect(native.totals.nonIpPackets).toBeGreaterThan(0);
        expect(plain(native)).toEqual(plain(ts));
      }
    });
  }

  for (const [name, config] of configs) {
    it(`drafts the model's rows as chooseRows does, table for table: flows alone, with classes, all in one class (${name})`, () => {
      const kinds = new Set<string>();
      for (const seed of [1, 2]) {
        const batches = roughTraffic(seed);
        for (const avail of [1e9, 120_000, 40_000, 9_000, 500]) {
          const native = settle(nativePacketPass, config, batches);
          const ts = chooseRows(native, config, avail);  // from the same statistics, as FlowStatsTable
          const drafted = native.draftRows!(avail);
          expect({ seed, avail, rows: rowTables(drafted) }).toEqual({ seed, avail, rows: rowTables(ts) });
          expect(drafted.templates.map((t) => t && [t.l3Offset, t.l4Offset, ...t.bytes])).toEqual(ts.templates.slice(0, 2 * ts.count).map((t) => t && [t.l3Offset, t.l4Offset, ...t.bytes]));
          const classes = Array.from(drafted.kind).filter((k) => k === ROW_KIND.class).length;
          kinds.add(classes === 0 ? 'flows alone' : classes === drafted.count ? 'all in classes' : 'flows and classes');
          if (classes > 0) expect(Math.max(...Array.from(drafted.members))).toBeGreaterThan(1);
        }
      }
      expect([...kinds].sort()).toEqual(['all in classes', 'flows alone', 'flows and classes']);
    });
  }

  it('drafts its rows once, and keeps its statistics until closed', () => {
    const config: PacketPassConfig = { binNs: 10e6, maxBins: 16, sizeAtoms: 4, maxProfileEntries: 64 };
    const settled = settle(nativePacketPass, config, roughTraffic(3));
    expect(settled.draftRows!(1e9).count).toBe(settled.flows.length);
    expect(() => settled.draftRows!(1e9)).toThrow(/draftRows\(\) before settle\(\), twice/);
    expect(settled.stats.capacity).toBeGreaterThanOrEqual(settled.flows.length);  // the statistics stay readable until close
    const pass = nativePacketPass(config);
    pass.addBatch(roughTraffic(3)[0]!);
    const closed = pass.settle();
    pass.close!();
    expect(() => closed.stats).toThrow(/state\(\) before settle\(\) or after close\(\)/);
    expect(() => closed.draftRows!(1e9)).toThrow(/after close\(\)/);
  });

  it('captures header templates byte for byte as captureTemplate does, odd captures too', () => {
    const config: PacketPassConfig = { binNs: 10e6, maxBins: 64, sizeAtoms: 4, maxProfileEntries: 1024 };
    for (const seed of [1, 2, 3]) {
      const rand = lcg(seed);
      const batch = batchOf(syntheticTraffic(60, 5, seed).sort((x, y) => x.timeNs - y.timeNs));
      for (let i = 0; i < batch.count; i++) {
        const start = batch.dataOffset[i]!;
        const r = rand();
        if (r < 0.15) batch.capLen[i] = Math.max(1, batch.capLen[i]! - Math.floor(rand() * 60));  // cut short, even inside the IP header
        else if (r < 0.3) batch.linkType[i] = [0, 101, 113, 228][Math.floor(rand() * 4)]!;  // not Ethernet: MACs from the addresses
        else if (r < 0.4) {
          batch.data.set([0x81, 0x00], start + 12);  // a VLAN tag: the IP header 4 bytes on
          batch.l3Offset[i] = 18;
        }
        else if (r < 0.5) batch.data[start + batch.l3Offset[i]! + 6] = 0xff;  // fragment bits set
        else if (r < 0.6) batch.l4Offset[i] = 0;  // no transport header (a later fragment)
        else if (r < 0.7) batch.data[start + batch.l4Offset[i]! + 12] = Math.floor(rand() * 256);  // any TCP data offset
      }
      const last = batch.count - 1;  // its header runs past the end of the batch's bytes
      batch.capLen[last] = 200;
      batch.data = batch.data.subarray(0, batch.dataOffset[last]! + 30);
      const ts = settle(typescriptPacketPass, config, [batch]);
      const native = settle(nativePacketPass, config, [batch]);
      expect(native.stats.templates.filter(Boolean).length).toBeGreaterThan(50);
      expect(plain(native).templates).toEqual(plain(ts).templates);
    }
  });

  it('trains byte-identical models on every corpus capture (one by one, with classes, 1 s bins)', async () => {
    const files = readdirSync(PCAPS).filter((f) => /\.pcap(ng)?$/.test(f) && !f.includes('CUTSHORT'));
    expect(files.length).toBeGreaterThan(15);
    for (const file of files) {
      for (const options of [{}, { maxModelBytes: 16384 }, { binMs: 1000 }]) {
        const ts = await trainModel(join(PCAPS, file), options, { pass: typescriptPacketPass });
        const native = await trainModel(join(PCAPS, file), options, { pass: nativePacketPass, fit: nativeProfileFit });
        expect({ file, options, id: native.result.modelId }).toEqual({ file, options, id: ts.result.modelId });
      }
    }
  }, 120_000);

  it('fits rows to the profile bit for bit as fitRowsToProfile does (train-fit.cc)', () => {
    for (const [seed, shift, ridge, rounds] of [[1, 0, 0.05, 3], [2, 3, 0, 2], [3, 1, 0.5, 0], [4, 0, 0.05, 6]] as const) {
      const rand = lcg(seed);
      const bins = 400;
      const width = 2 ** shift;
      const aggregate = Float64Array.from({ length: Math.ceil(bins / width) }, () => (rand() < 0.2 ? 0 : Math.floor(rand() * 500)));
      const rowCount = 60;
      const startBin = new Float64Array(rowCount);
      const lastBin = new Float64Array(rowCount);
      const binsPerCoef = new Int32Array(rowCount);
      const coefBase = new Int32Array(rowCount + 1);
      const counts: number[] = [];
      for (let i = 0; i < rowCount; i++) {
        startBin[i] = Math.floor(rand() * (bins - 10));
        lastBin[i] = startBin[i]! + Math.floor(rand() * (bins - startBin[i]!));
        binsPerCoef[i] = 2 ** Math.floor(rand() * 5);
        const n = Math.ceil((lastBin[i]! - startBin[i]! + 1) / binsPerCoef[i]!);
        for (let k = 0; k < n; k++) counts.push(rand() < 0.3 ? 0 : Math.floor(rand() * 40));
        coefBase[i + 1] = counts.length;
      }
      const rows: FitRows = { startBin, lastBin, binsPerCoef, coefBase, counts: Float64Array.from(counts) };
      const ts = fitRowsToProfile(rows, aggregate, shift, ridge, rounds);
      const native = nativeProfileFit(rows, aggregate, shift, ridge, rounds);
      expect(Buffer.from(native.coefs.buffer).equals(Buffer.from(ts.coefs.buffer))).toBe(true);
      expect(Buffer.from(native.profile.buffer).equals(Buffer.from(ts.profile.buffer))).toBe(true);
      expect(ts.coefs.some((c) => c > 0)).toBe(true);
    }
  });

  it('refuses a trace of non-IP packets only, as the TypeScript pass does', () => {
    const trainer = new FlowTrainer({}, nativePacketPass);
    trainer.addBatch(nonIpBatch(3));
    expect(() => trainer.finish()).toThrow(expect.objectContaining({ code: 'FLOWMODEL_ERR_NO_IP_PACKETS' }));
  });

  it('settles once, and takes no batch after that', () => {
    const pass = nativePacketPass({ binNs: 10e6, maxBins: 16, sizeAtoms: 4, maxProfileEntries: 64 });
    pass.addBatch(roughTraffic(3)[0]!);
    expect(pass.settle().totals.ipPackets).toBeGreaterThan(0);
    expect(() => pass.settle()).toThrow(/settle\(\) twice/);
    expect(() => pass.addBatch(roughTraffic(3)[0]!)).toThrow(/after settle/);
    const closed = nativePacketPass({ binNs: 10e6, maxBins: 16, sizeAtoms: 4, maxProfileEntries: 64 });
    closed.addBatch(roughTraffic(3)[0]!);
    closed.close!();
    expect(() => closed.settle()).toThrow(/after close\(\)/);
  });

  it('closes its pass when training stops on request', async () => {
    let closed = 0;
    const counting = (config: PacketPassConfig) => {
      const pass = nativePacketPass(config);
      return { ...pass, close: () => (closed++, pass.close!()) };
    };
    const controller = new AbortController();
    controller.abort();
    await expect(trainModel(join(PCAPS, 'zeek__wikipedia.pcap'), {}, { pass: counting, signal: controller.signal })).rejects.toMatchObject({ code: 'FLOWMODEL_ERR_ABORTED' });
    expect(closed).toBe(1);
  });

  it('chooses native when asked and when the addon loads, TypeScript when asked, and refuses other names', () => {
    expect(trainPassFor('native').used).toBe('native');
    expect(trainPassFor('auto').used).toBe('native');
    expect(trainPassFor('typescript')).toEqual({ pass: typescriptPacketPass, fit: fitRowsToProfile, used: 'typescript' });
    expect(trainPassFor('native').fit).toBe(nativeProfileFit);
    expect(() => trainPassFor('gpu' as never)).toThrow(expect.objectContaining({ code: 'TXCORE_ERR_BAD_OPTION' }));
  });

  it('counts on its own thread exactly as on the caller\'s, with no data race (ThreadSanitizer, test/train-pass-test.cc)', () => {
    const dir = mkdtempSync(join(tmpdir(), 'txcore-trainpass-'));
    try {
      const binary = join(dir, 'train-pass-test');
      const sources = ['test/train-pass-test.cc', 'src/train-pass.cc', 'src/train-pass-worker.cc', 'src/train-template.cc'].map((f) => join(TXCORE, f));
      execFileSync('g++', ['-std=c++20', '-O1', '-g', '-fsanitize=thread', '-Wall', '-Wextra', '-Werror', ...sources, '-o', binary, '-pthread']);
      // The caller overwrites each batch as soon as addBatch returns; TSan exits 66 on a race.
      const out = execFileSync(binary, ['300', '2000', '500', '7'], { env: { ...process.env, TSAN_OPTIONS: 'halt_on_error=1 exitcode=66' }, encoding: 'utf8' });
      const report = JSON.parse(out.trim());
      expect(report).toMatchObject({ batches: 300, flows: 500, failures: 0 });
      expect(report.nonIpPackets).toBeGreaterThan(0);
      expect(report.histogramHalvings).toBeGreaterThan(0);
      expect(report.profileShift).toBeGreaterThan(0);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 120_000);
});
