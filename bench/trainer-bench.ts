/**
 * `npm run bench -- trainer [--quick] [--mb N] [--runs N] [--flows N] [--keep]` (issue 6;
 * --mb is the base size, default 100, 20 with --quick; the second size is 10x):
 * - upload-to-model latency of a 100 MB trace: from the client's last byte to the model's
 *   announcement on NATS (goal: within 1 s), medians of 3 uploads (measureUploadToModel);
 * - throughput of that upload (MB/s, first byte to the trainer's answer) next to
 *   `memoco train` on the same file in the same run (its own in-process trainSeconds, and
 *   its wall time with process start-up), interleaved so both see the same load;
 * - the trainer process's peak RSS (VmHWM) after 3 uploads at two trace sizes 10x apart,
 *   100 MB and 1 GB (a fresh trainer for each size); goal: ratio at most 1.2 (memory does
 *   not grow with the trace). 100 MB and not 10 MB as the smaller: below ~100 MB of upload
 *   the heap has not reached its steady size yet (socket buffers awaiting a GC), so a
 *   10 MB run measures start-up, not growth.
 * - where the upload's time goes (CPU seconds, medians): the trainer process from the first
 *   byte to the answer (/proc/<pid>/stat), the client (this process, running `memoco
 *   upload`'s client), and trainModel on the same file in a child of its own (the train
 *   bench's child); on a 2-CPU machine the client competes with the trainer for the CPUs.
 * Traces come from writeSyntheticTrace (5000 flows; the larger is longer, not wider) in a
 * temp directory, deleted at the end.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { writeSyntheticTrace } from '@memoco/flow-model';
import { median, repoRoot } from '@memoco/testbed';
import { runChild } from './train-bench.ts';
import { measureUploadToModel, startBenchTrainer, type UploadRun } from './trainer-upload-measure.ts';

function option(args: string[], name: string, fallback: number): number {
  const i = args.indexOf(name);
  return i >= 0 ? Number(args[i + 1]) : fallback;
}

const log = (line: string) => process.stderr.write(`trainer bench: ${line}\n`);

/** `memoco train` on the file: its own trainSeconds and the wall time of the whole command. */
function memocoTrain(file: string, out: string): { trainSeconds: number; wallSeconds: number; modelId: string } {
  const t0 = performance.now();
  const stdout = execFileSync(process.execPath, [join(repoRoot(), 'apps', 'cli', 'bin', 'memoco.mjs'), 'train', file, '-o', out, '--json'], { encoding: 'utf8' });
  const wallSeconds = (performance.now() - t0) / 1000;
  const r = JSON.parse(stdout) as { trainSeconds: number; modelId: string };
  return { trainSeconds: r.trainSeconds, wallSeconds, modelId: r.modelId };
}

/** CPU seconds (user + system) a process has used so far, from /proc. */
function processCpuSeconds(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
  return (Number(fields[11]) + Number(fields[12])) / 100;
}

/** `runs` uploads to one fresh trainer, each followed by `memoco train` on the same file. */
async function measureSize(file: string, bytes: number, runs: number, dir: string) {
  const trainer = await startBenchTrainer();
  try {
    const uploads: UploadRun[] = [];
    const trains: ReturnType<typeof memocoTrain>[] = [];
    const cpu = { trainer: [] as number[], client: [] as number[], fileTrain: [] as number[] };
    for (let r = 0; r < runs; r++) {
      const trainerCpu0 = processCpuSeconds(trainer.pid);
      const clientCpu0 = process.cpuUsage();
      const m = await measureUploadToModel({ tracePath: file, trainer, nats: trainer.nats, runs: 1, log });
      const client = process.cpuUsage(clientCpu0);
      cpu.trainer.push(processCpuSeconds(trainer.pid) - trainerCpu0);
      cpu.client.push((client.user + client.system) / 1e6);
      cpu.fileTrain.push(runChild('train', file).cpuSeconds);
      uploads.push(m.runs[0]!);
      trains.push(memocoTrain(file, join(dir, 'train.onnx')));
      log(`memoco train: ${(bytes / 1e6 / trains[r]!.trainSeconds).toFixed(0)} MB/s (trainSeconds ${trains[r]!.trainSeconds.toFixed(2)})`);
    }
    const med = (values: number[]) => median(values);
    const trainSeconds = med(trains.map((t) => t.trainSeconds));
    const uploadMbps = med(uploads.map((u) => u.uploadToModelMbPerSecond));
    return {
      traceBytes: bytes,
      sameModelAsMemocoTrain: uploads.every((u) => u.modelId === trains[0]!.modelId),
      upload: {
        lastByteToAnnouncedMs: med(uploads.map((u) => u.lastByteToAnnouncedMs)),
        lastByteToAnswerMs: med(uploads.map((u) => u.lastByteToAnswerMs)),
        trainerFinishMs: med(uploads.map((u) => u.trainerFinishMs)),
        trainerPublishMs: med(uploads.map((u) => u.trainerPublishMs)),
        uploadToModelMbPerSecond: uploadMbps,
        sendMbPerSecond: med(uploads.map((u) => u.sendMbPerSecond)),
        runs: uploads,
      },
      memocoTrain: { trainSeconds, mbPerSecond: bytes / 1e6 / trainSeconds, wallSeconds: med(trains.map((t) => t.wallSeconds)) },
      uploadOverTrainThroughput: uploadMbps / (bytes / 1e6 / trainSeconds),
      cpuSeconds: {
        trainerPerUpload: med(cpu.trainer),
        clientPerUpload: med(cpu.client),
        trainModelOnTheFile: med(cpu.fileTrain),
        trainerOverFileTrain: med(cpu.trainer) / med(cpu.fileTrain),
        perRun: cpu,
      },
      trainerPeakRssMb: trainer.peakRssMb(),
    };
  } finally {
    await trainer.stop();
  }
}

export async function runBench(args: string[]): Promise<object> {
  const quick = args.includes('--quick');
  const largeMb = option(args, '--mb', quick ? 20 : 100);
  const runs = option(args, '--runs', quick ? 1 : 3);
  const flows = option(args, '--flows', 5000);
  const dir = mkdtempSync(join(tmpdir(), 'memoco-trainer-bench-'));
  try {
    const results: Record<string, Awaited<ReturnType<typeof measureSize>> & { synthetic: object }> = {};
    for (const [name, mb] of [['base', largeMb], ['tenfold', largeMb * 10]] as const) {
      const file = join(dir, `${name}.pcap`);
      log(`writing the ${name} trace (${mb} MB, ${flows} flows)`);
      const synthetic = await writeSyntheticTrace(file, { targetBytes: mb * 1e6, flows, seed: 1 });
      log(`measuring ${name}: ${runs} upload(s) to a fresh trainer, each followed by memoco train`);
      results[name] = { ...(await measureSize(file, synthetic.bytes, runs, dir)), synthetic };
      if (!args.includes('--keep')) rmSync(file, { force: true });
    }
    const base = results.base!;
    const tenfold = results.tenfold!;
    const rssRatio = tenfold.trainerPeakRssMb / base.trainerPeakRssMb;
    return {
      anchor: "'memoco train' on the same file in the same run (its in-process trainSeconds), interleaved with the uploads",
      runs,
      flows,
      base,
      tenfold,
      trainerPeakRssRatio: rssRatio,
      goals: {
        publishedWithin1sOfLastByte: base.upload.lastByteToAnnouncedMs <= 1000,
        trainerPeakRssRatioAtMost1_2: rssRatio <= 1.2,
      },
    };
  } finally {
    if (!args.includes('--keep')) rmSync(dir, { recursive: true, force: true });
  }
}
