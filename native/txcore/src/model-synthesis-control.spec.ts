/**
 * Model synthesis run control and bad input (issue 4): pacing by original timing (--speed)
 * and --pps delivers every packet in order and no faster than asked, stats while running,
 * stop() while a core waits for a packet due in hours and while the feeder waits for room,
 * a wall-clock start (the fleet's synchronised t = 0), and coded errors for bad models, bad
 * ports, contradictory options and a count producer that fails mid-run; the feeder and core
 * pinned to CPUs of their own while a run lasts, and either descriptor prefetch giving the
 * same frames. No timing upper bounds (performance is measured by `npm run bench -- generate`).
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LoadedModel } from '@memoco/flow-model';
import { inspectTrace } from '@memoco/pcap';
import { repoRoot } from '@memoco/testbed';
import { TxRuntime, type SynthesisOptionsInput } from './index.ts';
import { udpFrame, writePcap } from './test-support/craft-pcap.ts';
import { frameDigests } from './test-support/frame-digests.ts';
import { generatedTrace, SAMPLE_TLS, trainedModel } from './test-support/trained-models.ts';

const WIKIPEDIA = join(repoRoot(), 'libs', 'pcap', 'fixtures', 'zeek__wikipedia.pcap');
let runtime: TxRuntime;
let dir: string;
let runs = 0;
let tls: LoadedModel;
let wiki: LoadedModel;

beforeAll(async () => {
  runtime = TxRuntime.start({ workerLcores: 3 });
  dir = mkdtempSync(join(tmpdir(), 'txcore-synth-run-'));
  tls = await trainedModel(SAMPLE_TLS);
  wiki = await trainedModel(WIKIPEDIA);
}, 60_000);
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function start(model: LoadedModel, options: Omit<SynthesisOptionsInput, 'model' | 'port'>) {
  const out = join(dir, `out-${runs}.pcap`);
  return { out, run: runtime.startSynthesis({ model, port: `net_pcap${runs++},tx_pcap=${out}`, ...options }) };
}

async function failure(fn: () => unknown): Promise<{ code: string; message: string }> {
  try {
    await fn();
  } catch (error) {
    return error as { code: string; message: string };
  }
  throw new Error('expected a failure');
}

describe('pacing', () => {
  for (const [name, rate, cores] of [
    ['original timing x4', { speed: 4 }, 1],
    ['--pps 400', { pps: 400 }, 2],
  ] as const) {
    it(`${name}: every packet, in order, and not faster than asked`, async () => {
      const reference = await generatedTrace(wiki, join(dir, `ref-${runs++}.pcap`), { seed: 3 });
      const { out, run } = start(wiki, { seed: 3, cores, ...rate });
      const result = await (await run).done();
      expect((await frameDigests(out)).digests).toEqual((await frameDigests(reference)).digests);
      const { p50Us, p99Us, maxUs } = result.lateness;
      expect(p50Us).toBeLessThanOrEqual(p99Us);
      expect(p99Us).toBeLessThanOrEqual(maxUs);
      const span = 'speed' in rate ? (await inspectTrace(reference)).durationSeconds / rate.speed : (result.packets - 1) / rate.pps;
      expect(result.seconds).toBeGreaterThan(span * 0.9); // paced, not at topspeed
    });
  }
});

describe('run control', () => {
  it('stats are read while the cores run; stop() ends a paced run with a valid capture of what was sent', async () => {
    const { out, run: started } = start(tls, { pps: 5000, cores: 2, durationS: 100_000 });
    const run = await started;
    let seen = run.stats();
    while (seen.packets < 300) {
      await new Promise((r) => setTimeout(r, 20));
      seen = run.stats();
    }
    expect(seen.running).toBe(true);
    expect(seen.perCore.map((c) => c.core)).toEqual([0, 1]);
    run.stop();
    const result = await run.done();
    expect(result).toMatchObject({ stopped: true, mbufsOutstanding: 0 });
    expect(result.packets).toBeGreaterThanOrEqual(seen.packets);
    const sent = await frameDigests(out);
    expect(sent.fault).toBeUndefined();
    expect(sent.digests).toHaveLength(result.packets);
  });

  it('maxPackets ends the run after exactly the first packets of the global order, across cores and batches', async () => {
    const reference = await generatedTrace(tls, join(dir, `ref-${runs++}.pcap`), { seed: 5, durationS: 200 });
    const all = (await frameDigests(reference)).digests;
    for (const [maxPackets, cores, batchDescs] of [[1, 1, 64], [1000, 2, 64], [all.length - 1, 2, 4096]] as const) {
      const { out, run } = start(tls, { seed: 5, durationS: 200, topspeed: true, cores, batchDescs, maxPackets });
      const result = await (await run).done();
      expect(result, `maxPackets ${maxPackets}`).toMatchObject({ packets: maxPackets, stopped: false, mbufsOutstanding: 0 });
      expect((await frameDigests(out)).digests).toEqual(all.slice(0, maxPackets));
    }
    // A limit past the plan's packets changes nothing.
    const { out, run } = start(tls, { seed: 5, durationS: 200, topspeed: true, maxPackets: all.length + 10 });
    expect((await (await run).done()).packets).toBe(all.length);
    expect((await frameDigests(out)).digests).toEqual(all);
  });

  it('stop() is prompt while a core waits for a packet due in hours', async () => {
    const { run: started } = start(wiki, { speed: 0.0001 });
    const run = await started;
    while (run.stats().packets < 1) await new Promise((r) => setTimeout(r, 10));
    run.stop();
    const result = await run.done();
    expect(result.stopped).toBe(true);
    expect(result.packets).toBeGreaterThanOrEqual(1);
  });

  it('stop() at topspeed over 30 days of traffic: the pump waiting for room ends too, the next run works', async () => {
    // 1 core sends its blocks without the ring (sendAtHead), 2 cores through it
    for (const cores of [2, 1, 2, 1]) {
      const run = await runtime.startSynthesis({ model: tls, port: 'net_null0', topspeed: true, cores, durationS: 30 * 86400 });
      await new Promise((r) => setTimeout(r, 150));
      run.stop();
      const result = await run.done();
      expect(result).toMatchObject({ stopped: true, mbufsOutstanding: 0 });
      expect(result.packets).toBeGreaterThan(0);
    }
  });

  for (const rate of [{ topspeed: true }, { speed: 1 }] as const) {
    it(`a wall-clock start (startAtUnixMs), ${'topspeed' in rate ? 'topspeed' : 'original timing'}: nothing leaves before it; the skew is reported`, async () => {
      const startAtUnixMs = Date.now() + 400;
      const { run: started } = start(wiki, { ...rate, durationS: 0.2, startAtUnixMs });
      const result = await (await started).done();
      expect(Date.now()).toBeGreaterThanOrEqual(startAtUnixMs);
      expect(result.packets).toBeGreaterThan(0);
      expect(result.figures.startEarlyNs).toBeLessThanOrEqual(1000);
      expect(result.figures.startLateNs).toBeGreaterThanOrEqual(0);
    });
  }
});

const cpusAllowed = (status: string) => /Cpus_allowed_list:\s*(\S+)/.exec(readFileSync(status, 'utf8'))?.[1] ?? '';

/** Threads of this process allowed on one CPU that the process itself is not limited to. */
function singleCpuThreads(): string[] {
  const own = cpusAllowed('/proc/self/status');
  return readdirSync('/proc/self/task').filter((tid) => {
    const list = cpusAllowed(`/proc/self/task/${tid}/status`);
    return /^\d+$/.test(list) && list !== own;
  });
}

function processCpuCount(): number {
  return cpusAllowed('/proc/self/status').split(',').reduce((n, part) => {
    const [a, b] = part.split('-').map(Number);
    return n + (b === undefined ? 1 : b - a! + 1);
  }, 0);
}

describe('thread placement and descriptor prefetch', () => {
  it('a dense model: the feeder and each core on a CPU of its own while the run lasts, when there is one for each; a sparse one: none; every CPU set restored after', async () => {
    // 4 UDP flows, 2000 packets 0.5 ms apart: ~5 packets per flow and 10 ms bin (0.2 pairs per packet).
    const trace = join(dir, 'dense.pcap');
    await writePcap(trace, Array.from({ length: 2000 }, (_, i) => udpFrame(1000 + (i % 4), 53, 22)), 0.5);
    const dense = await trainedModel(trace);
    const cpus = processCpuCount();
    expect(singleCpuThreads()).toEqual([]);
    for (const [model, cores, denseModel] of [[dense, 1, true], [dense, 2, true], [tls, 1, false]] as const) {
      const run = await runtime.startSynthesis({ model, port: 'net_null0', topspeed: true, cores, durationS: 30 * 86400 });
      while (run.stats().packets === 0) await new Promise((r) => setTimeout(r, 10));
      const during = singleCpuThreads();
      run.stop();
      const result = await run.done();
      const pinned = denseModel && cpus >= cores + 1;
      expect(result.figures.pinned, `${cores} core(s) on ${cpus} CPUs, dense ${denseModel}`).toBe(pinned ? 1 : 0);
      expect(during).toHaveLength(pinned ? cores + 1 : 0);
      expect(singleCpuThreads()).toEqual([]);
    }
  });

  it('MEMOCO_DESC_PREFETCH=nta and =t0 are both honoured and send the same frames as generate -o', async () => {
    const reference = (await frameDigests(await generatedTrace(tls, join(dir, `ref-${runs++}.pcap`), { seed: 9 }))).digests;
    const saved = process.env.MEMOCO_DESC_PREFETCH;
    try {
      for (const [choice, nta] of [['nta', 1], ['t0', 0]] as const) {
        process.env.MEMOCO_DESC_PREFETCH = choice;
        const { out, run } = start(tls, { seed: 9, topspeed: true });
        const result = await (await run).done();
        expect(result.figures.descPrefetchNta, choice).toBe(nta);
        expect((await frameDigests(out)).digests, choice).toEqual(reference);
      }
    } finally {
      if (saved === undefined) delete process.env.MEMOCO_DESC_PREFETCH;
      else process.env.MEMOCO_DESC_PREFETCH = saved;
    }
  });
});

describe('bad input gets a coded error', () => {
  it('a model that is not one, and a damaged plan', async () => {
    expect((await failure(() => runtime.startSynthesis({ model: new TextEncoder().encode('not onnx'), port: 'net_null0' }))).code).toBe('FLOWMODEL_ERR_BAD_MODEL');
    const t = tls.model.tables;
    const damaged = { ...tls, model: { ...tls.model, tables: { ...t, packets: t.packets.map((v, i) => (i === 0 ? v + 0.5 : v)) } } };
    const e = await failure(() => runtime.startSynthesis({ model: damaged, port: 'net_null0' }));
    expect(e.code).toBe('TXCORE_ERR_SYNTH_PLAN');
    expect(e.message).toContain('row 0');
  });

  it('ports: a malformed spec, and a vdev DPDK cannot attach (the next run still works)', async () => {
    expect((await failure(() => runtime.startSynthesis({ model: wiki, port: 'net_nope0' }))).code).toBe('TXCORE_ERR_PORT_SPEC');
    const e = await failure(() => runtime.startSynthesis({ model: wiki, port: 'net_pcap9,tx_pcap=/nonexistent/dir/out.pcap' }));
    expect(e.code).toBe('TXCORE_ERR_PORT_PROBE');
    const ok = await (await runtime.startSynthesis({ model: wiki, port: 'net_null0', topspeed: true })).done();
    expect(ok.packets).toBe(wiki.model.info.tracePackets);
  });

  it('contradictory or impossible options', async () => {
    const rows = wiki.model.tables.kind.length;
    const cases: [Omit<SynthesisOptionsInput, 'model' | 'port'> & { mbps?: number }, string][] = [
      [{ speed: 2, topspeed: true }, 'TXCORE_ERR_RATE_CONFLICT'],
      [{ mbps: 100 }, 'TXCORE_ERR_BAD_OPTION'],
      [{ durationS: -1 }, 'TXCORE_ERR_BAD_OPTION'],
      [{ seed: 2 ** 32 }, 'TXCORE_ERR_BAD_OPTION'],
      [{ cores: 2, coreRows: [Uint32Array.of(0)] }, 'TXCORE_ERR_BAD_OPTION'],
      [{ coreRows: [Uint32Array.of(rows)] }, 'TXCORE_ERR_BAD_OPTION'],
      [{ cores: 2, coreRows: [Uint32Array.of(1), Uint32Array.of(1)] }, 'TXCORE_ERR_BAD_OPTION'],
      [{ startAtUnixMs: Number.NaN }, 'TXCORE_ERR_BAD_OPTION'],
      [{ maxPackets: 0 }, 'TXCORE_ERR_BAD_OPTION'],
      [{ cores: 3, drain: 'lcore' }, 'TXCORE_ERR_LCORES'],
    ];
    for (const [options, code] of cases) expect((await failure(() => runtime.startSynthesis({ model: wiki, port: 'net_null0', ...options }))).code).toBe(code);
  });

  it('count production failing mid-run (onnxruntime) ends the run with TXCORE_ERR_SYNTH_INPUT naming the cause', async () => {
    const mismatched = { ...tls, bytes: wiki.bytes }; // tls's tables, wiki's 34-row graph
    const result = await (await runtime.startSynthesis({ model: mismatched, port: 'net_null0', topspeed: true })).done();
    expect(result.failure?.code).toBe('TXCORE_ERR_SYNTH_INPUT');
    expect(result.failure?.message).toContain('FLOWMODEL_ERR_INFERENCE');
    expect(result.mbufsOutstanding).toBe(0);
  });
});
