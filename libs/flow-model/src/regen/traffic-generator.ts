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
import type { CountChunk, PlanInstances, RegenerationPlan } from './regeneration-plan.ts';

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

/** What stays across bins while a plan is expanded. */
class Expansion {
  readonly rng = new Xoshiro128ss();
  readonly packets = new ExpandedPackets();
  readonly state = new InstanceState();
  readonly sent = new Set<number>();
  order = new Uint32Array(256);
  readonly frame = new Uint8Array(65535 + 64);

  constructor(
    readonly plan: RegenerationPlan,
    readonly options: GenerateOptions,
    readonly sink: PacketSink,
    readonly summary: GenerateSummary,
  ) {}

  /** Expands one bin's entries, orders its packets and writes them. */
  async bin(chunk: CountChunk, i: number, instances: PlanInstances): Promise<void> {
    const { plan, packets } = this;
    packets.length = 0;
    const bin = chunk.firstBin + i;
    for (let e = chunk.entryOffset[i]!; e < chunk.entryOffset[i + 1]!; e++) {
      expandEntry(plan, instances, this.rng, bin, chunk.instance[e]!, chunk.firstPacket[e]!, chunk.count[e]!, packets);
    }
    if (this.order.length < packets.length) this.order = new Uint32Array(packets.length * 2);
    for (const p of sortBin(packets, this.order)) {
      if (packets.time[p]! >= plan.endNs) continue;
      await this.write(p, instances);
    }
  }

  private async write(p: number, instances: PlanInstances): Promise<void> {
    const { packets, plan, summary } = this;
    const instance = packets.instance[p]!;
    const input = { instance, direction: packets.direction[p]!, size: packets.size[p]!, flags: packets.flags[p]!, globalSeq: summary.packets };
    const frame = synthesizePacket(plan.templates, instances, this.state, input, this.options.tag, this.frame);
    const at = plan.startNsec + Math.round(packets.time[p]! / this.options.speed);
    const carry = Math.floor(at / 1e9);
    const written = this.sink.write(plan.startSec + carry, at - carry * 1e9, frame, frame.length);
    if (written instanceof Promise) await written;
    summary.packets++;
    summary.bytes += frame.length;
    this.sent.add(instance);
  }
}

export async function generateTraffic(model: FlowModel, modelBytes: Uint8Array, sink: PacketSink, partial: Partial<GenerateOptions> = {}, onProgress?: (fraction: number) => void): Promise<GenerateSummary> {
  const options = parseGenerateOptions(partial);
  const plan = createPlan(model, options);
  const session = await CountSession.create(modelBytes);
  const builder = new PlanBuilder(model, session, plan, options.chunkBins);
  const summary: GenerateSummary = { packets: 0, bytes: 0, flows: 0, durationS: plan.endNs / 1e9, seed: plan.seed };
  const expansion = new Expansion(plan, options, sink, summary);
  try {
    for await (const chunk of builder.chunks()) {
      const instances = builder.store.view;
      expansion.state.ensure(instances.count);
      for (let i = 0; i < chunk.binCount; i++) await expansion.bin(chunk, i, instances);
      onProgress?.(Math.min(1, (chunk.firstBin + chunk.binCount) / plan.totalBins));
    }
  } finally {
    await session.release();
  }
  summary.flows = expansion.sent.size;
  return summary;
}

/** Indices of the bin's packets ordered by (time, instance, packet index). */
function sortBin(p: ExpandedPackets, order: Uint32Array): Uint32Array {
  const view = order.subarray(0, p.length);
  for (let i = 0; i < p.length; i++) view[i] = i;
  return view.sort((a, b) => p.time[a]! - p.time[b]! || p.instance[a]! - p.instance[b]! || p.index[a]! - p.index[b]!);
}
