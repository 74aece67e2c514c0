/**
 * `memoco generate <model> --port SPEC`: regenerates the model's traffic through a DPDK port
 * with the native synthesis engine (@memoco/txcore startSynthesis), paced, on N cores in one
 * global order, and prints the same figures as `memoco replay` (plus the model and seed).
 */
import type { LoadedModel } from '@memoco/flow-model';
import { parsePortSpec, parseSynthesisOptions, TxRuntime, type DrainMode, type ReplayResult, type ReplayStats } from '@memoco/txcore';
import type { CliIo } from '../cli-command.ts';
import { resultJson } from './replay-command.ts';

export interface GeneratePortArgs {
  model: LoadedModel;
  port: string;
  durationS: number | undefined;
  seed: number | undefined;
  cores: number | undefined;
  speed: number | undefined;
  pps: number | undefined;
  topspeed: boolean | undefined;
  /** Stop after this many packets (the first of the global order). */
  count: number | undefined;
  tag: boolean;
  json: boolean;
  drain: DrainMode | undefined;
  lateUs: number | undefined;
  memoryMb: number | undefined;
  hugepages: boolean;
  dpdkLog: boolean;
}

export async function generateToPort(a: GeneratePortArgs, io: CliIo): Promise<number> {
  const options = parseSynthesisOptions({
    model: a.model, port: parsePortSpec(a.port), durationS: a.durationS, seed: a.seed, cores: a.cores, speed: a.speed, pps: a.pps,
    topspeed: a.topspeed, maxPackets: a.count, tag: a.tag, drain: a.drain, lateUs: a.lateUs,
  });
  const runtime = TxRuntime.start({
    hugepages: a.hugepages,
    memoryMb: a.memoryMb ?? 1024,
    workerLcores: Math.max(4, options.cores + 1),
    pciAllow: options.port.kind === 'pci' ? [options.port.name] : [],
    echoLogs: a.dpdkLog,
  });
  const run = await runtime.startSynthesis(options);
  const result = await run.watch({ signal: io.signal, intervalMs: 250, onStats: io.isTty ? (s) => io.err(`\r${progressLine(s)}\x1b[K`) : undefined });
  if (io.isTty) io.err('\r\x1b[K');
  const model = { modelId: a.model.modelId, seed: options.seed, durationS: durationOf(options.durationS, a.model) };
  io.out(a.json ? `${JSON.stringify({ ...resultJson(result), ...model })}\n` : formatGenerateResult(result, model));
  if (result.failure) throw result.failure;
  return result.stopped ? 130 : 0;
}

function durationOf(durationS: number | undefined, model: LoadedModel): number {
  return durationS ?? (model.model.info.windowBins * model.model.info.binNs) / 1e9;
}

function progressLine(s: ReplayStats): string {
  return `generate: ${s.packets.toLocaleString('en-US')} packets  ${(s.pps / 1e6).toFixed(2)} Mpps  ${s.gbps.toFixed(2)} Gbps  late ${s.late}`;
}

export function formatGenerateResult(r: ReplayResult, m: { modelId: string; seed: number; durationS: number }): string {
  const { p50Us, p99Us, maxUs } = r.lateness;
  return [
    `generate: ${r.packets.toLocaleString('en-US')} packets, ${(r.bytes / 1e6).toFixed(2)} MB in ${r.seconds.toFixed(3)} s: ${(r.pps / 1e6).toFixed(3)} Mpps, ${r.gbps.toFixed(3)} Gbps${r.stopped ? ' (stopped)' : ''}`,
    `model: ${m.modelId}, seed ${m.seed}, ${m.durationS.toFixed(3)} s of traffic`,
    `late: ${r.late} (lateness p50 ${p50Us} us, p99 ${p99Us} us, max ${maxUs} us)`,
    `cores: ${r.perCore.map((c) => `${c.core}: ${c.packets.toLocaleString('en-US')}`).join('  ')}`,
    `peak RSS: ${r.peakRssMb} MB`,
    '',
  ].join('\n');
}
