/**
 * `npm run bench -- generate [--quick] [--runs N]`: regenerating traffic from a flow model
 * with the native synthesis engine (issue 4, "Done when"), side by side with its anchor in
 * the same run. Every Memoco figure is a `memoco generate <model> --port net_null0
 * --topspeed --json` in its own process (one EAL each; peak RSS by GNU time); medians of
 * `runs` runs.
 * - netNull: Mpps against DPDK's testpmd txonly (../shared/anchors/testpmd-txonly.sh, 64 B),
 *   1 and 2 cores, on a model of 64 B UDP traffic (1000 flows, the tx bench's trace) with
 *   10 ms bins (the default) and with 1 s bins (10 x fewer count entries: the TypeScript
 *   side's share shrinks, so the native engine sets the pace). Goal: >= 0.8 x testpmd.
 *   60 s of the model (60M packets, 1-2 s of sending at the 1-core rate): testpmd's figure is
 *   4 s of steady state after its start, and 10M packets (the earlier duration) left ours
 *   partly a start-up figure (~6% lower in paired runs).
 * - realistic: the sample capture's model (334 TLS flows, 51 packets/s): bounded by the
 *   TypeScript PlanBuilder's per-bin cost, not by the engine.
 * - stages: the native planner (counts + rounding, on the JavaScript thread), the feeder and
 *   the frame builder alone (test/synthesis-test.cc, -O3 -march=corei7 as the addon), ns per
 *   packet, on the 10 ms model, and what onnxruntime would cost per packet for the same counts
 *   (a model whose file is not the standard graph is counted that way): where the time goes.
 * - peakRss: two durations 10x apart (the model of 64 B traffic, and the sample's model with
 *   flow classes): memory must not grow with the duration.
 */
import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { chunkPairs, chunkSpans, createPlan, CountSession, parseGenerateOptions, readFlowModelFile, trainModel } from '@memoco/flow-model';
import { makeTempDir, median, peakRssOf, repoRoot, runAnchor } from '@memoco/testbed';
import { SYNTHESIS_TEST_SOURCES } from '../native/txcore/src/test-support/synthesis-test-sources.ts';
import { defaultChunkBins } from '../native/txcore/src/synthesis-options.ts';
import { writeSynthesisDump } from '../native/txcore/src/test-support/synthesis-dump.ts';
import { benchLog, parseRunArgs, round, type BenchArgs } from './bench-args.ts';
import { writeUdpPcap } from './tx-udp-pcap.ts';

interface GenerateJson {
  packets: number;
  seconds: number;
  pps: number;
  gbps: number;
  late: number;
  perCore: { core: number; packets: number; blocks: number; ringStalls: number }[];
  peakRssMb: number;
}

const ROOT = repoRoot();
const CLI = join(ROOT, 'apps', 'cli', 'bin', 'memoco.mjs');
const SAMPLE = join(ROOT, 'samples', 'pcpp__tls2.pcap');
const say = benchLog('generate');

/** One `memoco generate ... --port ... --json` in its own process; its figures and peak RSS. */
async function generate(model: string, extra: string[]): Promise<GenerateJson & { gnuTimeRssMb: number }> {
  const run = await peakRssOf(process.execPath, [CLI, 'generate', model, '--port', 'net_null0', '--json', ...extra]);
  if (run.exitCode !== 0) throw new Error(`memoco generate failed (${run.exitCode}): ${run.stderr.trim()}`);
  return { ...(JSON.parse(run.stdout) as GenerateJson), gnuTimeRssMb: run.peakRssMb };
}

async function trainTo(trace: string, out: string, options: { binMs?: number; maxModelBytes?: number } = {}): Promise<string> {
  writeFileSync(out, (await trainModel(trace, options)).bytes);
  return out;
}

/** Memoco at topspeed on both core counts and testpmd, interleaved run by run. */
async function netNull(models: Record<string, string>, durationS: number, args: BenchArgs) {
  const ours: Record<string, number[]> = {};
  const testpmd: number[] = [];
  for (let r = 0; r < args.runs; r++) {
    for (const [name, model] of Object.entries(models)) {
      for (const cores of [1, 2]) {
        const result = await generate(model, ['--topspeed', '--duration', String(durationS), '--cores', String(cores)]);
        (ours[`${name}/${cores}`] ??= []).push(result.pps / 1e6);
      }
    }
    const anchor = await runAnchor('testpmd-txonly.sh', ['64', args.quick ? '2' : '4']);
    testpmd.push(Number(anchor.mpps));
    say(`run ${r + 1}: ${Object.entries(ours).map(([k, v]) => `${k} ${round(v.at(-1)!)}`).join(', ')} Mpps; testpmd ${anchor.mpps} Mpps`);
  }
  const anchorMpps = median(testpmd);
  const figure = (key: string) => ({ mpps: round(median(ours[key]!)), runs: ours[key]!.map((v) => round(v)), ratio: round(median(ours[key]!) / anchorMpps) });
  const out: Record<string, unknown> = { durationS, frameBytes: 64, testpmdTxonly: { mpps: round(anchorMpps), runs: testpmd } };
  for (const name of Object.keys(models)) out[name] = { cores1: figure(`${name}/1`), cores2: figure(`${name}/2`) };
  const best = Math.max(...Object.keys(ours).map((k) => median(ours[k]!)));
  return { ...out, goal: '>= 0.8', bestRatio: round(best / anchorMpps), met: best / anchorMpps >= 0.8 };
}

async function realistic(args: BenchArgs, temp: string) {
  const model = await trainTo(SAMPLE, join(temp, 'tls2.onnx'));
  const durationS = args.quick ? 1460 : 2920;
  const runs: (GenerateJson & { gnuTimeRssMb: number })[] = [];
  for (let r = 0; r < args.runs; r++) runs.push(await generate(model, ['--topspeed', '--duration', String(durationS)]));
  return {
    model: 'samples/pcpp__tls2.pcap (334 flows, 51 packets/s, 10 ms bins)',
    durationS,
    packets: runs[0]!.packets,
    mpps: round(median(runs.map((j) => j.pps / 1e6))),
    gbps: round(median(runs.map((j) => j.gbps))),
    note: 'about 0.5 packets per 10 ms bin: the planner (per-bin rounding of every active row, ~20 (row, bin) pairs per packet) sets this rate, not the expansion or the cores',
  };
}

/** The planner, the feeder and the frame builder alone, ns per packet (the DPDK-free test binary at -O3). */
async function stages(model: string, temp: string) {
  const binary = join(temp, 'synthesis-test');
  const native = join(ROOT, 'native', 'txcore');
  execFileSync('g++', ['-std=c++20', '-O3', '-march=corei7', '-ffp-contract=off', ...SYNTHESIS_TEST_SOURCES, '-o', binary, '-pthread'], { cwd: native });
  const dump = join(temp, 'udp64.dump');
  await writeSynthesisDump(dump, { model: readFlowModelFile(model), cores: 1, durationS: 3 });
  const run = (mode: string, reps: string) => (JSON.parse(execFileSync(binary, [mode, dump, reps], { encoding: 'utf8' }).trim()) as { nsPerPacket: number }).nsPerPacket;
  const three = (mode: string, reps: string) => round(median([run(mode, reps), run(mode, reps), run(mode, reps)]), 1);
  return {
    planNsPerPacket: three('bench-plan', '3'),
    feedNsPerPacket: three('bench-feed', '2'),
    buildNsPerPacket: three('bench-build', '200'),
    onnxNsPerPacket: round(median([await onnxCost(model), await onnxCost(model), await onnxCost(model)]), 1),
    note: 'planner: count graph + coupled rounding + chunk assembly (native, JavaScript thread); feeder: expansion (xoshiro draws), the bin sort, flow state, descriptors; builder: one 64 B frame from its template with checksums; onnx: onnxruntime-node on the same (row, bin) pairs, per packet (the path of a model file that is not the standard graph)',
  };
}

/** onnxruntime-node's time per packet (of the expected total) for 3 s of the model's counts, chunk by chunk as the pump asks. */
async function onnxCost(file: string): Promise<number> {
  const loaded = readFlowModelFile(file);
  const plan = createPlan(loaded.model, parseGenerateOptions({ durationS: 3 }));
  const session = await CountSession.create(loaded.bytes);
  try {
    let packets = 0;
    const started = process.hrtime.bigint();
    for (const { first, last } of chunkSpans(plan, defaultChunkBins(loaded))) {
      const { flow, bin } = chunkPairs(loaded.model, first, last);
      const counts = await session.counts(flow, bin);
      for (const c of counts) packets += c;
    }
    return Number(process.hrtime.bigint() - started) / packets;
  } finally {
    await session.release();
  }
}

async function peakRss(models: { udp: string; classes: string }, args: BenchArgs) {
  const measure = async (model: string, durations: number[], rate: string[]) => {
    const rss: number[] = [];
    for (const durationS of durations) {
      const runs: number[] = [];
      for (let r = 0; r < args.runs; r++) runs.push((await generate(model, [...rate, '--duration', String(durationS)])).gnuTimeRssMb);
      rss.push(median(runs));
    }
    return { durationsS: durations, peakRssMb: rss, ratio: round(rss[1]! / rss[0]!), met: rss[1]! / rss[0]! <= 1.1 };
  };
  const small = args.quick ? 2 : 5;
  return {
    goal: '<= 1.1 for a duration 10x longer',
    udp64: await measure(models.udp, [small, small * 10], ['--topspeed']),
    sampleWithClasses: await measure(models.classes, [146 * 5, 146 * 50], ['--topspeed']),
    note: 'whole memoco process: Node + tsx, EAL and mbuf pools, 4 x 16384 descriptors of feeder batches (no onnxruntime session: these models are counted natively)',
  };
}

export async function runBench(args: string[]): Promise<object> {
  const parsed = parseRunArgs(args);
  const temp = makeTempDir('generate-bench');
  try {
    const trace = join(temp.path, 'udp64.pcap');
    say('writing 1M packets of 64 B UDP (1000 flows, 1 s) and training models of it');
    writeUdpPcap(trace, 1_000_000);
    const bins10ms = await trainTo(trace, join(temp.path, 'udp64-10ms.onnx'));
    const bins1s = await trainTo(trace, join(temp.path, 'udp64-1s.onnx'), { binMs: 1000 });
    const classes = await trainTo(SAMPLE, join(temp.path, 'tls2-classes.onnx'), { maxModelBytes: 16384 });
    return {
      runs: parsed.runs,
      netNull: await netNull({ bins10ms, bins1s }, parsed.quick ? 10 : 60, parsed),
      realistic: await realistic(parsed, temp.path),
      stages: await stages(bins10ms, temp.path),
      peakRss: await peakRss({ udp: bins10ms, classes }, parsed),
    };
  } finally {
    temp.remove();
  }
}
