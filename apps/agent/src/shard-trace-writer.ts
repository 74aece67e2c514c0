/**
 * Synthesises one host's shard of a run in TypeScript (libs/flow-model's regeneration:
 * plan -> ONNX count chunks -> bin expansion -> packet synthesis) into a nanosecond pcap,
 * keeping only the packets of this host's model rows. The count chunks are those of the
 * whole model (rows are rounded together, docs/flow-models.md "Regeneration"), so the
 * shards of all hosts of a run, with the same seed, are a partition of the packets one
 * host would generate alone. Used by pregenerated-shard-engine.ts.
 */
import {
  ExpandedPackets,
  InstanceState,
  MAX_DURATION_S,
  PlanBuilder,
  Xoshiro128ss,
  CountSession,
  createPlan,
  expandEntry,
  synthesizePacket,
  type CountChunk,
  type LoadedModel,
  type PlanInstances,
  type RegenerationPlan,
} from '@memoco/flow-model';
import { PcapWriter } from '@memoco/pcap';

export interface ShardTraceOptions {
  /** Model rows of this host (all cores together). */
  rows: Uint32Array;
  seed: number;
  /** Model time to synthesise, seconds (a pps run stops earlier, at maxPackets). */
  modelDurationS: number;
  /** Stop after this many packets (a pps run: rate x duration). */
  maxPackets: number;
  tag: boolean;
}

export interface ShardTraceSummary {
  packets: number;
  bytes: number;
  /** Model time of the first and last packet written, ns from the plan's start (NaN: none). */
  firstNs: number;
  lastNs: number;
}

/** Model seconds to synthesise so that a pps run has `packets` packets from these rows. */
export function modelSecondsFor(model: LoadedModel['model'], rowPackets: number, packets: number): number {
  const windowS = (model.info.windowBins * model.info.binNs) / 1e9;
  if (rowPackets <= 0) return windowS;
  return Math.min(MAX_DURATION_S, (packets / rowPackets + 1) * windowS);
}

export async function writeShardTrace(loaded: LoadedModel, file: string, options: ShardTraceOptions): Promise<ShardTraceSummary> {
  const plan = createPlan(loaded.model, { seed: options.seed, durationS: options.modelDurationS, speed: 1, tag: options.tag, chunkBins: 2048 });
  const keep = new Uint8Array(plan.templates.count);
  for (const row of options.rows) keep[row] = 1;
  const session = await CountSession.create(loaded.bytes);
  const writer = new PcapWriter(file, { nanosecond: true });
  const out = new ShardOutput(plan, keep, writer, options);
  try {
    const builder = new PlanBuilder(loaded.model, session, plan);
    for await (const chunk of builder.chunks()) {
      const instances = builder.store.view;
      out.state.ensure(instances.count);
      for (let i = 0; i < chunk.binCount && !out.full; i++) out.bin(chunk, i, instances);
      if (out.full) break;
    }
  } finally {
    await writer.close();
    await session.release();
  }
  return out.summary;
}

/** One bin at a time, as libs/flow-model's generator does, with the row filter and a packet cap. */
class ShardOutput {
  readonly rng = new Xoshiro128ss();
  readonly packets = new ExpandedPackets();
  readonly state = new InstanceState();
  readonly summary: ShardTraceSummary = { packets: 0, bytes: 0, firstNs: Number.NaN, lastNs: Number.NaN };
  private order = new Uint32Array(256);
  private readonly frame = new Uint8Array(65535 + 64);

  constructor(
    private readonly plan: RegenerationPlan,
    private readonly keep: Uint8Array,
    private readonly writer: PcapWriter,
    private readonly options: ShardTraceOptions,
  ) {}

  get full(): boolean {
    return this.summary.packets >= this.options.maxPackets;
  }

  bin(chunk: CountChunk, i: number, instances: PlanInstances): void {
    const { plan, packets, keep } = this;
    packets.length = 0;
    const bin = chunk.firstBin + i;
    for (let e = chunk.entryOffset[i]!; e < chunk.entryOffset[i + 1]!; e++) {
      const instance = chunk.instance[e]!;
      if (keep[instances.template[instance]!] !== 1) continue;
      expandEntry(plan, instances, this.rng, bin, instance, chunk.firstPacket[e]!, chunk.count[e]!, packets);
    }
    if (this.order.length < packets.length) this.order = new Uint32Array(packets.length * 2);
    const view = this.order.subarray(0, packets.length);
    for (let p = 0; p < packets.length; p++) view[p] = p;
    view.sort((a, b) => packets.time[a]! - packets.time[b]! || packets.instance[a]! - packets.instance[b]! || packets.index[a]! - packets.index[b]!);
    for (const p of view) {
      if (packets.time[p]! >= plan.endNs || this.full) continue;
      this.write(p, instances);
    }
  }

  private write(p: number, instances: PlanInstances): void {
    const { packets, plan, summary } = this;
    const input = { instance: packets.instance[p]!, direction: packets.direction[p]!, size: packets.size[p]!, flags: packets.flags[p]!, globalSeq: summary.packets };
    const frame = synthesizePacket(plan.templates, instances, this.state, input, this.options.tag, this.frame);
    const t = packets.time[p]!;
    const at = plan.startNsec + Math.round(t);
    const carry = Math.floor(at / 1e9);
    this.writer.write(plan.startSec + carry, at - carry * 1e9, frame, frame.length);
    if (summary.packets === 0) summary.firstNs = t;
    summary.lastNs = t;
    summary.packets++;
    summary.bytes += frame.length;
  }
}
