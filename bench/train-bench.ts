/**
 * `npm run bench -- train [--quick] [--small-mb N] [--runs N] [--flows N] [--keep]` (issue 4):
 * - training speed in MB/s next to reading the same file with libs/pcap's `inspectTrace` (what
 *   `memoco inspect` runs), both in-process in their own child process, timed around the
 *   work only (no Node start-up); goal: training at most 1.5x the reading time. `train` is
 *   what `memoco train` runs by default (the native per-packet pass, on a thread of its own
 *   beside the reader); `trainTypescript` the same training with the TypeScript pass (the
 *   reference; byte-identical models), for comparison;
 * - peak RSS (VmHWM of the training child) on a generated trace at two sizes 10x apart;
 *   goal: ratio at most 1.2;
 * - model bytes against trace bytes for the trace over 100 MB; goal: at most 1%.
 * Traces come from writeSyntheticTrace (a fixed flow population sending bursts; the larger
 * trace is longer, not wider) in the temp directory and are deleted at the end.
 */
import { readFileSync, rmSync, statSync } from 'node:fs';
import { mkdtempSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { trainModel, writeSyntheticTrace } from '@memoco/flow-model';
import { inspectTrace } from '@memoco/pcap';
import { trainPassFor } from '@memoco/txcore';

const here = fileURLToPath(import.meta.url);

export interface ChildResult {
  seconds: number;
  cpuSeconds: number;
  vmHwmMb: number;
  modelBytes?: number;
  modelId?: string;
  packets: number;
}

function vmHwmMb(): number {
  const match = /VmHWM:\s+(\d+) kB/.exec(readFileSync('/proc/self/status', 'utf8'));
  return match ? Number(match[1]) / 1024 : Number.NaN;
}

/** Child process body: one measured run of `mode` on `file`, JSON on stdout. */
async function child(mode: string, file: string): Promise<void> {
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  let packets = 0;
  let modelBytes: number | undefined;
  let modelId: string | undefined;
  if (mode === 'inspect') {
    packets = (await inspectTrace(file)).packets;
  } else {
    const { pass, fit } = trainPassFor(mode === 'train-typescript' ? 'typescript' : 'native');
    const { result } = await trainModel(file, {}, { pass, fit });
    packets = result.packets + result.nonIpPackets;
    modelBytes = result.bytes;
    modelId = result.modelId;
  }
  const seconds = (performance.now() - t0) / 1000;
  const cpu = process.cpuUsage(cpu0);
  const out: ChildResult = { seconds, cpuSeconds: (cpu.user + cpu.system) / 1e6, vmHwmMb: vmHwmMb(), packets, ...(modelBytes !== undefined ? { modelBytes, modelId } : {}) };
  process.stdout.write(`${JSON.stringify(out)}\n`);
}

/** One measured run of `inspectTrace` or `trainModel` on `file` in a child process of its own (also used by the trainer bench). */
export function runChild(mode: 'inspect' | 'train' | 'train-typescript', file: string): ChildResult {
  const out = execFileSync(process.execPath, ['--import', 'tsx', here, '--child', mode, file], { encoding: 'utf8', maxBuffer: 1 << 20 });
  return JSON.parse(out.trim().split('\n').pop()!) as ChildResult;
}

function median(values: number[]): number {
  const s = [...values].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
}

function option(args: string[], name: string, fallback: number): number {
  const i = args.indexOf(name);
  return i >= 0 ? Number(args[i + 1]) : fallback;
}

async function measureSize(file: string, runs: number) {
  const bytes = statSync(file).size;
  const inspect: ChildResult[] = [];
  const train: ChildResult[] = [];
  const trainTs: ChildResult[] = [];
  for (let r = 0; r < runs; r++) {
    // Interleaved so all see the same machine load (the box is shared).
    inspect.push(runChild('inspect', file));
    train.push(runChild('train', file));
    trainTs.push(runChild('train-typescript', file));
  }
  const inspectSeconds = median(inspect.map((x) => x.seconds));
  const trainSeconds = median(train.map((x) => x.seconds));
  const trainTsSeconds = median(trainTs.map((x) => x.seconds));
  return {
    traceBytes: bytes,
    packets: train[0]!.packets,
    inspect: { seconds: inspectSeconds, cpuSeconds: median(inspect.map((x) => x.cpuSeconds)), mbPerSecond: bytes / 1e6 / inspectSeconds, peakRssMb: median(inspect.map((x) => x.vmHwmMb)) },
    train: { seconds: trainSeconds, cpuSeconds: median(train.map((x) => x.cpuSeconds)), mbPerSecond: bytes / 1e6 / trainSeconds, peakRssMb: median(train.map((x) => x.vmHwmMb)) },
    trainOverRead: trainSeconds / inspectSeconds,
    trainOverReadCpu: median(train.map((x) => x.cpuSeconds)) / median(inspect.map((x) => x.cpuSeconds)),
    trainTypescript: { seconds: trainTsSeconds, cpuSeconds: median(trainTs.map((x) => x.cpuSeconds)), overRead: trainTsSeconds / inspectSeconds, sameModel: trainTs.every((x) => x.modelId === train[0]!.modelId) },
    modelBytes: train[0]!.modelBytes!,
    modelOverTrace: train[0]!.modelBytes! / bytes,
  };
}

export async function runBench(args: string[]): Promise<object> {
  const quick = args.includes('--quick');
  const smallMb = option(args, '--small-mb', quick ? 24 : 120);
  const runs = option(args, '--runs', quick ? 1 : 3);
  const flows = option(args, '--flows', 5000);
  const dir = mkdtempSync(join(tmpdir(), 'memoco-train-bench-'));
  const sizes = { small: smallMb * 1e6, large: smallMb * 10e6 };
  try {
    const results: Record<string, Awaited<ReturnType<typeof measureSize>> & { synthetic: object }> = {};
    for (const [name, targetBytes] of Object.entries(sizes)) {
      const file = join(dir, `${name}.pcap`);
      process.stderr.write(`train bench: writing ${name} trace (${(targetBytes / 1e6).toFixed(0)} MB, ${flows} flows)\n`);
      const synthetic = await writeSyntheticTrace(file, { targetBytes, flows, seed: 1 });
      process.stderr.write(`train bench: measuring ${name} (${runs} run(s) each of inspect and train)\n`);
      results[name] = { ...(await measureSize(file, runs)), synthetic };
      if (!args.includes('--keep')) rmSync(file, { force: true });
    }
    const small = results.small!;
    const large = results.large!;
    const rssRatio = large.train.peakRssMb / small.train.peakRssMb;
    return {
      anchor: "libs/pcap inspectTrace (the body of 'memoco inspect'), in-process in its own child, same file, same run",
      runs,
      flows,
      small,
      large,
      goals: {
        trainOverReadAtMost1_5: large.trainOverRead <= 1.5,
        peakRssRatioAtMost1_2: rssRatio <= 1.2,
        modelAtMost1PercentOfTraceOver100MB: large.traceBytes <= 100e6 || large.modelOverTrace <= 0.01,
      },
      peakRssRatio: rssRatio,
    };
  } finally {
    if (!args.includes('--keep')) rmSync(dir, { recursive: true, force: true });
  }
}

if (process.argv.includes('--child') && resolve(process.argv[1] ?? '') === here) {
  const i = process.argv.indexOf('--child');
  await child(process.argv[i + 1]!, process.argv[i + 2]!);
}
