/**
 * The trainer's upload-to-model latency (issue 6, "Done when": "the model is published
 * within 1 s after the upload's last byte"), as a function other benches call
 * (`npm run bench -- fleet` imports measureUploadToModel and points it at its fleet):
 * a trace file streams to a trainer with `memoco upload`'s client while a NATS
 * subscriber waits for the model's announcement; the figure is the time from the client's
 * last byte (handed to the kernel) to the announcement's arrival, per run and as a median.
 *
 * startBenchTrainer starts a nats-server and a trainer process (apps/trainer/src/main.ts)
 * for a bench that has no fleet of its own, and reads the trainer's peak RSS (VmHWM).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { connect, type NatsConnection, type Subscription } from '@nats-io/transport-node';
import { SUBJECTS, decodeMessage, type ModelAnnouncement } from '@memoco/protocol';
import { freePort, median, repoRoot, startNatsServer, waitUntil, type NatsServer } from '@memoco/testbed';
import { uploadTrace } from '../apps/cli/src/commands/upload-command-client.ts';

export interface UploadToModelOptions {
  tracePath: string;
  trainer: { url: string; token?: string };
  /** The NATS the trainer announces on. */
  nats: { servers: string[]; user?: string; password?: string };
  /** Uploads of the trace, one after the other (default 3). */
  runs?: number;
  binMs?: number;
  maxModelBytes?: number;
  /** Longest wait for an announcement after the answer (default 10 s). */
  announceTimeoutMs?: number;
  log?: (line: string) => void;
}

export interface UploadRun {
  modelId: string;
  /** Client's last byte -> announcement received on NATS. */
  lastByteToAnnouncedMs: number;
  /** Client's last byte -> the trainer's 201 answer. */
  lastByteToAnswerMs: number;
  /** First byte -> last byte, and the rate of that. */
  sendSeconds: number;
  sendMbPerSecond: number;
  /** First byte -> answer: the rate of the whole upload-to-model path. */
  uploadToModelMbPerSecond: number;
  /** The trainer's own figures: last byte it read -> model encoded, and storing + announcing. */
  trainerFinishMs: number;
  trainerPublishMs: number;
}

export interface UploadToModelResult {
  traceBytes: number;
  runs: UploadRun[];
  median: Omit<UploadRun, 'modelId'>;
  goalMs: number;
  /** Median lastByteToAnnouncedMs within goalMs. */
  goalMet: boolean;
}

export const UPLOAD_TO_MODEL_GOAL_MS = 1000;

/** Resolves with the first announcement received at or after `sinceUnixMs`, and when it arrived. */
function nextAnnouncement(sub: Subscription, sinceUnixMs: number): Promise<{ announcement: ModelAnnouncement; atMs: number }> {
  return (async () => {
    for await (const msg of sub) {
      const atMs = performance.now();
      const announcement = decodeMessage('modelAnnouncement', msg.data);
      if (announcement.createdAtUnixMs >= sinceUnixMs) return { announcement, atMs };
    }
    throw new Error('the announcement subscription closed');
  })();
}

async function oneRun(nc: NatsConnection, options: UploadToModelOptions, traceBytes: number): Promise<UploadRun> {
  const sub = nc.subscribe(SUBJECTS.modelAnnounceAny);
  await nc.flush();
  try {
    const startedUnixMs = Date.now();
    const announced = nextAnnouncement(sub, startedUnixMs - 5);
    announced.catch(() => undefined);
    const r = await uploadTrace(options.tracePath, { trainerUrl: options.trainer.url, token: options.trainer.token, binMs: options.binMs, maxModelBytes: options.maxModelBytes, traceName: 'bench-trace' });
    const timeout = new Promise<never>((_, reject) => setTimeout(() => reject(new Error(`no announcement within ${options.announceTimeoutMs ?? 10_000} ms of the answer`)), options.announceTimeoutMs ?? 10_000).unref());
    const { announcement, atMs } = await Promise.race([announced, timeout]);
    if (announcement.modelId !== r.model.modelId) throw new Error(`announced ${announcement.modelId}, answered ${r.model.modelId}`);
    const sendSeconds = (r.lastByteAtMs - r.firstByteAtMs) / 1000;
    return {
      modelId: r.model.modelId,
      lastByteToAnnouncedMs: atMs - r.lastByteAtMs,
      lastByteToAnswerMs: r.answeredAtMs - r.lastByteAtMs,
      sendSeconds,
      sendMbPerSecond: traceBytes / 1e6 / sendSeconds,
      uploadToModelMbPerSecond: traceBytes / 1e6 / ((r.answeredAtMs - r.firstByteAtMs) / 1000),
      trainerFinishMs: Number(r.model.finishMs),
      trainerPublishMs: Number(r.model.publishMs),
    };
  } finally {
    sub.unsubscribe();
  }
}

export async function measureUploadToModel(options: UploadToModelOptions): Promise<UploadToModelResult> {
  const traceBytes = statSync(options.tracePath).size;
  const nc = await connect({ servers: options.nats.servers, ...(options.nats.user !== undefined ? { user: options.nats.user, pass: options.nats.password } : {}), name: 'trainer-bench' });
  try {
    const runs: UploadRun[] = [];
    for (let i = 0; i < (options.runs ?? 3); i++) {
      const run = await oneRun(nc, options, traceBytes);
      options.log?.(`upload ${i + 1}: ${(traceBytes / 1e6).toFixed(0)} MB, last byte -> announced ${run.lastByteToAnnouncedMs.toFixed(0)} ms, ${run.uploadToModelMbPerSecond.toFixed(0)} MB/s`);
      runs.push(run);
    }
    const med = (key: keyof Omit<UploadRun, 'modelId'>) => median(runs.map((r) => r[key]));
    const medians = {
      lastByteToAnnouncedMs: med('lastByteToAnnouncedMs'),
      lastByteToAnswerMs: med('lastByteToAnswerMs'),
      sendSeconds: med('sendSeconds'),
      sendMbPerSecond: med('sendMbPerSecond'),
      uploadToModelMbPerSecond: med('uploadToModelMbPerSecond'),
      trainerFinishMs: med('trainerFinishMs'),
      trainerPublishMs: med('trainerPublishMs'),
    };
    return { traceBytes, runs, median: medians, goalMs: UPLOAD_TO_MODEL_GOAL_MS, goalMet: medians.lastByteToAnnouncedMs <= UPLOAD_TO_MODEL_GOAL_MS };
  } finally {
    await nc.close();
  }
}

export interface BenchTrainer {
  url: string;
  token: string;
  nats: { servers: string[]; user: string; password: string };
  pid: number;
  /** The trainer process's peak resident set so far (VmHWM), MiB. */
  peakRssMb(): number;
  stop(): Promise<void>;
}

const BENCH_TOKEN = 'trainer-bench-token-0123456789';

/** A nats-server (or the given one) and a trainer process on loopback. */
export async function startBenchTrainer(options: { nats?: NatsServer; maxUploadBytes?: number } = {}): Promise<BenchTrainer> {
  const nats = options.nats ?? (await startNatsServer({ user: 'memoco', pass: 'bench' }));
  const port = await freePort();
  const child: ChildProcess = spawn(process.execPath, ['--import', 'tsx', join(repoRoot(), 'apps', 'trainer', 'src', 'main.ts'), '--port', String(port), '--name', 'bench-trainer'], {
    env: { ...process.env, MEMOCO_NATS_URL: nats.url, MEMOCO_NATS_USER: 'memoco', MEMOCO_NATS_PASSWORD: 'bench', MEMOCO_API_TOKEN: BENCH_TOKEN, MEMOCO_TRAINER_MAX_UPLOAD_BYTES: String(options.maxUploadBytes ?? 64 * 1024 ** 3) },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let log = '';
  child.stderr!.on('data', (d) => (log += String(d)));
  const url = `http://127.0.0.1:${port}`;
  const up = await waitUntil(() => fetch(`${url}/healthz`).then((r) => (r.ok ? true : undefined), () => undefined), 30_000, 200);
  if (!up) {
    child.kill('SIGKILL');
    throw new Error(`the bench trainer did not start: ${log}`);
  }
  return {
    url,
    token: BENCH_TOKEN,
    nats: { servers: [nats.url], user: 'memoco', password: 'bench' },
    pid: child.pid!,
    peakRssMb() {
      const match = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${child.pid}/status`, 'utf8'));
      return match ? Number(match[1]) / 1024 : Number.NaN;
    },
    async stop() {
      if (child.exitCode === null) {
        const exited = new Promise((r) => child.once('exit', r));
        child.kill('SIGTERM');
        await exited;
      }
      if (!options.nats) await nats.stop();
    },
  };
}
