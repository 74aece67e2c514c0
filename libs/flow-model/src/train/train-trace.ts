/**
 * `memoco train`: streams a trace (a file, or bytes still arriving) through the trainer and
 * writes the ONNX model aside, renaming it into place only when it is complete. A corrupt
 * trace stops with the reader's PCAP_ERR_* error and leaves no file (issue 4, bad input).
 */
import { MemocoError } from '@memoco/protocol';
import { TraceReader, type TraceSource } from '@memoco/pcap';
import { writeFileAtomically } from '../model/atomic-file.ts';
import { modelId } from '../model/model-codec.ts';
import { FlowTrainer } from './flow-trainer.ts';
import type { PacketPassFactory } from './packet-pass.ts';
import type { ProfileFitter } from './profile-fit.ts';
import type { TrainOptions } from './train-options.ts';

export interface TrainProgress {
  bytesRead: number;
  totalBytes: number | undefined;
  packets: number;
}

export interface TrainHooks {
  onProgress?: (progress: TrainProgress) => void;
  progressIntervalMs?: number;
  signal?: AbortSignal;
  /** Where the per-packet statistics are gathered (packet-pass.ts); the TypeScript pass by default. */
  pass?: PacketPassFactory;
  /** What fits the rows (profile-fit.ts); the TypeScript fit by default. */
  fit?: ProfileFitter;
}

export interface TrainResult {
  modelId: string;
  /** Size of the ONNX file. */
  bytes: number;
  /** Bidirectional flows in the trace, and how many are modelled one by one (the rest are in classes). */
  flows: number;
  modelledFlows: number;
  classes: number;
  /** IP packets modelled, and non-IP packets skipped. */
  packets: number;
  nonIpPackets: number;
  binMs: number;
  traceSeconds: number;
  trainSeconds: number;
  peakRssMb: number;
}

/** Trains on `source` and returns the model bytes without writing anything. */
export async function trainModel(source: TraceSource, options: Partial<TrainOptions> = {}, hooks: TrainHooks = {}): Promise<{ bytes: Uint8Array; result: TrainResult }> {
  const started = performance.now();
  const trainer = new FlowTrainer(options, hooks.pass, hooks.fit);
  const reader = new TraceReader(source);
  let lastProgress = 0;
  try {
    for await (const batch of reader.batches()) {
      trainer.addBatch(batch);
      if (hooks.signal?.aborted) throw new MemocoError('FLOWMODEL_ERR_ABORTED', 'training stopped on request; no model written');
      if (hooks.onProgress && performance.now() - lastProgress >= (hooks.progressIntervalMs ?? 200)) {
        lastProgress = performance.now();
        hooks.onProgress({ bytesRead: reader.bytesRead, totalBytes: reader.totalBytes, packets: reader.packetsRead });
      }
    }
  } catch (error) {
    trainer.abandon();
    throw error;
  }
  const { model, bytes } = trainer.finish();
  const info = model.info;
  return {
    bytes,
    result: {
      modelId: modelId(bytes),
      bytes: bytes.length,
      flows: info.traceFlows,
      modelledFlows: info.modelledFlows,
      classes: info.classes,
      packets: info.tracePackets,
      nonIpPackets: info.traceNonIpPackets,
      binMs: info.binNs / 1e6,
      traceSeconds: info.traceDurationNs / 1e9,
      trainSeconds: (performance.now() - started) / 1000,
      peakRssMb: process.resourceUsage().maxRSS / 1024,
    },
  };
}

/** Trains on `source` and writes the model to `outPath` (aside, then renamed). */
export async function trainTraceToFile(source: TraceSource, outPath: string, options: Partial<TrainOptions> = {}, hooks: TrainHooks = {}): Promise<TrainResult> {
  const { bytes, result } = await trainModel(source, options, hooks);
  writeFileAtomically(outPath, bytes);
  return { ...result, peakRssMb: process.resourceUsage().maxRSS / 1024 };
}
