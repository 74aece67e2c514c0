/**
 * Regenerates traffic from a model in software (`memoco generate -o`): plan -> count chunks
 * (ONNX inference) -> per-bin expansion -> packets in global order -> a sink (a pcap writer).
 * Order within a bin: by time, then instance, then packet index; the global sequence number
 * counts packets in that order. Memory: one chunk and one bin of packets at a time.
 */
import type { FlowModel } from '../model/flow-model.ts';
import { CountSession } from '../onnx/count-session.ts';
import { ExpandedPackets, expandEntry } from './bin-expander.ts';
import { parseGenerateOptions, type GenerateOptions } from './generate-options.ts';
import { InstanceState, synthesizePacket } from './packet-synthesizer.ts';
import { PlanBuilder } from './plan-builder.ts';
import { planTemplates, rowInstances } from './plan-templates.ts';
import { Xoshiro128ss } from './prng.ts';
import type { RegenerationPlan } from './regeneration-plan.ts';

export interface PacketSink {
  write(tsSec: number, tsNsec: number, frame: Uint8Array, origLen?: number): unknown;
}

export interface GenerateSummary {
  packets: number;
  bytes: number;
  /** Distinct instances that sent at least one packet (modelled flows and class members). */
  flows: number;
  durationS: number;
  seed: number;
}

/** The static part of the plan for a model and options. */
export function createPlan(model: FlowModel, options: GenerateOptions): RegenerationPlan {
  const { binNs, windowBins } = model.info;
  const windowNs = windowBins * binNs;
  const endNs = options.durationS === undefined ? windowNs : Math.round(options.durationS * 1e9);
  return {
    seed: options.seed,
    binNs,
    windowBins,
    totalBins: Math.ceil(endNs / binNs),
    endNs,
    startSec: model.info.startSec,
    startNsec: model.info.startNsec,
    templates: planTemplates(model),
    instances: rowInstances(model),
  };
}

export async function generateTraffic(model: FlowModel, modelBytes: Uint8Array, sink: PacketSink, partial: Partial<GenerateOptions> = {}, onProgress?: (fraction: number) => void): Promise<GenerateSummary> {
  const options = parseGenerateOptions(partial);
  const plan = createPlan(model, options);
  const session = await CountSession.create(modelBytes);
  const builder = new PlanBuilder(model, session, plan, options.chunkBins);
  const rng = new Xoshiro128ss();
  const packets = new ExpandedPackets();
  const state = new InstanceState();
  const sent = new Set<number>();
  let order = new Uint32Array(256);
  let frameBuffer = new Uint8Array(2048);
  const summary: GenerateSummary = { packets: 0, bytes: 0, flows: 0, durationS: plan.endNs / 1e9, seed: plan.seed };
  try {
    for await (const chunk of builder.chunks()) {
      const instances = builder.store.view;
      state.ensure(instances.count);
      for (let i = 0; i < chunk.binCount; i++) {
        packets.length = 0;
        const bin = chunk.firstBin + i;
        for (let e = chunk.entryOffset[i]!; e < chunk.entryOffset[i + 1]!; e++) {
          expandEntry(plan, instances, rng, bin, chunk.instance[e]!, chunk.firstPacket[e]!, chunk.count[e]!, packets);
        }
        if (order.length < packets.length) order = new Uint32Array(packets.length * 2);
        const sorted = sortBin(packets, order);
        for (const p of sorted) {
          const rel = packets.time[p]!;
          if (rel >= plan.endNs) continue;
          const instance = packets.instance[p]!;
          if (frameBuffer.length < 65535 + 64) frameBuffer = new Uint8Array(65535 + 64);
          const frame = synthesizePacket(plan.templates, instances, state, { instance, direction: packets.direction[p]!, size: packets.size[p]!, flags: packets.flags[p]!, globalSeq: summary.packets }, options.tag, frameBuffer);
          const at = plan.startNsec + Math.round(rel / options.speed);
          const carry = Math.floor(at / 1e9);
          const written = sink.write(plan.startSec + carry, at - carry * 1e9, frame, frame.length);
          if (written instanceof Promise) await written;
          summary.packets++;
          summary.bytes += frame.length;
          sent.add(instance);
        }
      }
      onProgress?.(Math.min(1, (chunk.firstBin + chunk.binCount) / plan.totalBins));
    }
  } finally {
    await session.release();
  }
  summary.flows = sent.size;
  return summary;
}

/** Indices of the bin's packets ordered by (time, instance, packet index). */
function sortBin(p: ExpandedPackets, order: Uint32Array): Uint32Array {
  const view = order.subarray(0, p.length);
  for (let i = 0; i < p.length; i++) view[i] = i;
  return view.sort((a, b) => p.time[a]! - p.time[b]! || p.instance[a]! - p.instance[b]! || p.index[a]! - p.index[b]!);
}
