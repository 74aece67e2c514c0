/**
 * `npm run bench -- fidelity [--quick] [--seeds N] [--data DIR] [--min-flows N]` (issue 4):
 * trains and regenerates every capture of the shared corpus with more than 100 flows, and
 * scores the regenerated trace and a naive baseline computed in the same run (the same
 * packets spread evenly over the trace at the trace's mean size) with `memoco fidelity`'s
 * metrics. Goals on each capture: packetsRatio and flowsRatio within 0.98-1.02, rateNrmse
 * at 1 s at most 0.15, pktSizeJsd at most 0.05, and no metric worse than the baseline's.
 * Metrics are medians over seeds. A table goes to stderr, the figures to stdout as JSON.
 */
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { compareTraces, writeEvenSpreadBaseline, type FidelityMetrics } from '@memoco/fidelity';
import { generateTraceFile, loadFlowModel, trainModel } from '@memoco/flow-model';
import { inspectTrace } from '@memoco/pcap';

const METRICS = ['packetsRatio', 'flowsRatio', 'flowCountError', 'rate10ms', 'rate100ms', 'rate1s', 'pktSizeEmd', 'pktSizeJsd', 'flowSizeEmd', 'iatEmd', 'protoJsd', 'dstPortJsd'] as const;
type Metric = (typeof METRICS)[number];
type Scores = Record<Metric, number>;

function scores(m: FidelityMetrics): Scores {
  return {
    packetsRatio: m.packetsRatio,
    flowsRatio: m.flowsRatio,
    flowCountError: m.flowCountError,
    rate10ms: m.rateNrmse['10ms'],
    rate100ms: m.rateNrmse['100ms'],
    rate1s: m.rateNrmse['1s'],
    pktSizeEmd: m.pktSizeEmd,
    pktSizeJsd: m.pktSizeJsd,
    flowSizeEmd: m.flowSizeEmd,
    iatEmd: m.iatEmd,
    protoJsd: m.protoJsd,
    dstPortJsd: m.dstPortJsd,
  };
}

/** Distance from the ideal: |ratio - 1| for the ratios, the value itself for errors and distances. */
function distance(metric: Metric, value: number): number {
  return metric === 'packetsRatio' || metric === 'flowsRatio' ? Math.abs(value - 1) : value;
}

function median(values: number[]): number {
  const s = [...values].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
}

function goals(s: Scores): Record<string, boolean> {
  return {
    packetsRatio: s.packetsRatio >= 0.98 && s.packetsRatio <= 1.02,
    flowsRatio: s.flowsRatio >= 0.98 && s.flowsRatio <= 1.02,
    rateNrmse1s: s.rate1s <= 0.15,
    pktSizeJsd: s.pktSizeJsd <= 0.05,
  };
}

/** 'better', 'tie' (both at the ideal or equal) or 'worse' per metric. */
function versusBaseline(model: Scores, baseline: Scores): Record<Metric, 'better' | 'tie' | 'worse'> {
  const out = {} as Record<Metric, 'better' | 'tie' | 'worse'>;
  for (const m of METRICS) {
    const a = distance(m, model[m]);
    const b = distance(m, baseline[m]);
    out[m] = Math.abs(a - b) <= 1e-12 ? 'tie' : a < b ? 'better' : 'worse';
  }
  return out;
}

function parseArgs(args: string[]): { seeds: number; dataDir: string; minFlows: number } {
  const here = dirname(fileURLToPath(import.meta.url));
  const value = (name: string) => {
    const i = args.indexOf(name);
    return i >= 0 ? args[i + 1] : undefined;
  };
  return {
    seeds: args.includes('--quick') ? 1 : Number(value('--seeds') ?? 3),
    dataDir: value('--data') ?? join(here, '..', '..', 'shared', 'data', 'pcaps'),
    minFlows: Number(value('--min-flows') ?? 100),
  };
}

async function selectCaptures(dataDir: string, minFlows: number): Promise<{ file: string; flows: number; packets: number }[]> {
  const chosen = [];
  for (const file of readdirSync(dataDir).filter((f) => /\.(pcap|pcapng)$/.test(f)).sort()) {
    const summary = await inspectTrace(join(dataDir, file));
    if (summary.flows > minFlows) chosen.push({ file, flows: summary.flows, packets: summary.packets });
  }
  return chosen;
}

async function benchCapture(path: string, work: string, seeds: number) {
  const { bytes, result } = await trainModel(path);
  const modelPath = join(work, 'model.onnx');
  writeFileSync(modelPath, bytes);
  const loaded = loadFlowModel(bytes);
  const runs: Scores[] = [];
  for (let seed = 1; seed <= seeds; seed++) {
    const out = join(work, `regen-${seed}.pcap`);
    await generateTraceFile(loaded, out, { seed });
    runs.push(scores(await compareTraces(path, out)));
  }
  const model = Object.fromEntries(METRICS.map((m) => [m, median(runs.map((r) => r[m]))])) as Scores;
  const basePath = join(work, 'baseline.pcap');
  await writeEvenSpreadBaseline(path, basePath);
  const baseline = scores(await compareTraces(path, basePath));
  return { modelBytes: result.bytes, modelledFlows: result.modelledFlows, classes: result.classes, trainSeconds: result.trainSeconds, model, baseline };
}

function printTable(rows: { file: string; model: Scores; baseline: Scores }[]): void {
  const head = ['capture'.padEnd(36), 'run  ', ...METRICS.map((m) => m.padStart(13))].join(' ');
  const line = (file: string, run: string, s: Scores) => [file.padEnd(36), run.padEnd(5), ...METRICS.map((m) => s[m].toFixed(6).padStart(13))].join(' ');
  process.stderr.write(`${head}\n`);
  for (const r of rows) process.stderr.write(`${line(r.file, 'model', r.model)}\n${line('', 'base', r.baseline)}\n`);
}

export async function runBench(args: string[]): Promise<object> {
  const { seeds, dataDir, minFlows } = parseArgs(args);
  const captures = await selectCaptures(dataDir, minFlows);
  const work = mkdtempSync(join(tmpdir(), 'memoco-fidelity-bench-'));
  const results = [];
  try {
    for (const c of captures) {
      process.stderr.write(`fidelity: ${c.file} (${c.flows} flows)\n`);
      const r = await benchCapture(join(dataDir, c.file), work, seeds);
      const vs = versusBaseline(r.model, r.baseline);
      results.push({ ...c, ...r, goals: goals(r.model), versusBaseline: vs });
    }
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
  printTable(results);
  const allGoalsMet = results.every((r) => Object.values(r.goals).every(Boolean));
  const noMetricWorseThanBaseline = results.every((r) => Object.values(r.versusBaseline).every((v) => v !== 'worse'));
  return {
    dataDir,
    seeds,
    minFlows,
    anchor: 'naive baseline: the same IP packets evenly spread over the original span at its mean wire size',
    captures: results,
    allGoalsMet,
    noMetricWorseThanBaseline,
    note: "'tie' marks metrics where model and baseline are both exact (the baseline keeps every packet's headers, so counts, flows, protocols and ports match by construction)",
  };
}
