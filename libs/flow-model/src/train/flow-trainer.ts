/**
 * MEMOCO's traffic pattern recognizer (APNet'22 §3.2; issue 4): one pass over a streaming
 * trace, batch by batch, so it can run while an upload is still arriving. Per packet it
 * updates the flow's bounded statistics (flow-stats.ts) and the aggregate activity profile;
 * `finish()` chooses what the byte budget allows (model-budget.ts), fits every row against
 * the profile (profile-fit.ts) and returns the model with its encoded ONNX bytes.
 */
import { MemocoError } from '@memoco/protocol';
import type { PacketBatch } from '@memoco/pcap';
import { ROW_KIND, type FlowModel, type FlowModelInfo } from '../model/flow-model.ts';
import { encodeFlowModel } from '../model/model-codec.ts';
import { ActivityProfile } from './activity-profile.ts';
import { assignClasses, draftClass } from './flow-classes.ts';
import { FIRST_NS, FLOW_NUMBERS, FlowNumbers, FlowStats, LAST_NS, PACKETS, PREVIOUS_NS, WIRE_BYTES, type DirectionStats } from './flow-stats.ts';
import { GAP_BUCKETS, gapBucket } from '../model/log2-buckets.ts';
import { captureTemplate } from './header-template.ts';
import { assembleModel } from './model-assembler.ts';
import { allocateCoefficients, CLASS_ROW_ESTIMATE_BYTES, flowBytesWithoutCoefs, maxProfileEntries, MODEL_OVERHEAD_BYTES, rowBytesWithoutCoefs } from './model-budget.ts';
import { fitRowsToProfile } from './profile-fit.ts';
import { draftFromFlow, type RowDraft } from './row-draft.ts';
import { binNsOf, parseTrainOptions, type TrainOptions } from './train-options.ts';

const NO_FLOW = 0xffffffff;

export interface TrainedModel {
  model: FlowModel;
  bytes: Uint8Array;
}

export class FlowTrainer {
  readonly options: TrainOptions;
  readonly binNs: number;
  private flows: (FlowStats | undefined)[] = [];
  private readonly numbers = new FlowNumbers();
  private readonly profile: ActivityProfile;
  private startSec = Number.NaN;
  private startNsec = 0;
  private lastNs = 0;
  private ipPackets = 0;
  private nonIpPackets = 0;
  private ipBytes = 0;

  constructor(options: Partial<TrainOptions> = {}) {
    this.options = parseTrainOptions(options);
    this.binNs = binNsOf(this.options);
    this.profile = new ActivityProfile(maxProfileEntries(this.options.maxModelBytes));
  }

  get packetsSeen(): number {
    return this.ipPackets + this.nonIpPackets;
  }

  /**
   * The hot path: per packet a few typed-array updates and int-only calls (the histogram, the
   * size and flag counters); times stay doubles in local variables and FlowNumbers arrays.
   */
  addBatch(batch: PacketBatch): void {
    const { flowId: ids, ipVersion, tsSec, tsNsec, origLen, direction, tcpFlags } = batch;
    const binNs = this.binNs;
    let lastNs = this.lastNs;
    let ipBytes = this.ipBytes;
    let ipPackets = this.ipPackets;
    for (let i = 0; i < batch.count; i++) {
      const id = ids[i]!;
      if (id === NO_FLOW || ipVersion[i] === 0) {
        this.nonIpPackets++;
        continue;
      }
      if (Number.isNaN(this.startSec)) {
        this.startSec = tsSec[i]!;
        this.startNsec = tsNsec[i]!;
      }
      // Captures are sometimes slightly out of order: a packet before the first one counts at 0.
      const timeNs = Math.max(0, (tsSec[i]! - this.startSec) * 1e9 + (tsNsec[i]! - this.startNsec));
      const bin = Math.floor(timeNs / binNs);
      const size = origLen[i]!;
      if (timeNs > lastNs) lastNs = timeNs;
      ipPackets++;
      ipBytes += size;
      this.profile.add(bin);
      const flow = this.flows[id] ?? this.newFlow(id, batch, i, bin, timeNs);
      this.countInFlow(id, timeNs, size);
      flow.histogram.add(bin);
      const dirIndex = direction[i]!;
      const flags = tcpFlags[i]!;
      const dir = flow.dirs[dirIndex]!;
      dir.packets++;
      dir.addSize(size);
      if (flow.proto === 6) dir.addFlags(flags);
      if (dir.wantsTemplate(flow.proto, flags)) this.captureTemplate(flow, dir, batch, i, flags);
    }
    this.lastNs = lastNs;
    this.ipBytes = ipBytes;
    this.ipPackets = ipPackets;
  }

  /** Packet count, bytes, first/last time and the gap since the flow's previous packet. */
  private countInFlow(id: number, timeNs: number, size: number): void {
    const v = this.numbers.values;
    const at = id * FLOW_NUMBERS;
    if (v[at + PACKETS]! > 0) this.numbers.gaps[id * GAP_BUCKETS + gapBucket(Math.max(0, timeNs - v[at + PREVIOUS_NS]!))]! += 1;
    v[at + PACKETS]! += 1;
    v[at + WIRE_BYTES]! += size;
    if (timeNs < v[at + FIRST_NS]!) v[at + FIRST_NS] = timeNs;
    if (timeNs > v[at + LAST_NS]!) v[at + LAST_NS] = timeNs;
    v[at + PREVIOUS_NS] = timeNs;
  }

  private captureTemplate(flow: FlowStats, dir: DirectionStats, batch: PacketBatch, i: number, flags: number): void {
    const template = captureTemplate(batch.data, batch.dataOffset[i]!, batch.capLen[i]!, batch.linkType[i]!, flow.ipVersion, flow.proto, batch.l3Offset[i]!, batch.l4Offset[i]!);
    dir.setTemplate(template, flow.proto, flags);
  }

  private newFlow(id: number, batch: PacketBatch, i: number, bin: number, timeNs: number): FlowStats {
    const flow = new FlowStats(batch.ipVersion[i]!, batch.proto[i]!, bin, this.options.maxCoefsPerFlow, this.options.sizeAtoms);
    this.flows[id] = flow;
    this.numbers.ensure(id);
    this.numbers.values[id * FLOW_NUMBERS + FIRST_NS] = timeNs;
    this.numbers.values[id * FLOW_NUMBERS + LAST_NS] = timeNs;
    return flow;
  }

  /** Fits and encodes the model. Throws FLOWMODEL_ERR_EMPTY_TRACE / _NO_IP_PACKETS when there is nothing to model. */
  finish(): TrainedModel {
    if (this.packetsSeen === 0) throw new MemocoError('FLOWMODEL_ERR_EMPTY_TRACE', 'the trace holds no packets; no model written', { status: 400 });
    if (this.ipPackets === 0) {
      throw new MemocoError('FLOWMODEL_ERR_NO_IP_PACKETS', `the trace's ${this.nonIpPackets} packets are all non-IP; flows are IP 5-tuples, no model written`, { status: 400 });
    }
    const flows: FlowStats[] = [];
    this.flows.forEach((flow, id) => {
      if (!flow) return;
      flow.settle(this.numbers, id);
      flows.push(flow);
    });
    flows.sort((a, b) => b.packets - a.packets);
    const windowBins = Math.floor(this.lastNs / this.binNs) + 1;
    const budget = this.options.maxModelBytes;
    const aggregate = this.profile.entries(windowBins);
    const avail = budget - MODEL_OVERHEAD_BYTES - aggregate.length * 4;
    const rows = this.chooseRows(flows, avail);
    const fixedBytes = rows.reduce((sum, r) => sum + rowBytesWithoutCoefs(r), 0);
    let coefBudget = avail - fixedBytes;
    for (let attempt = 0; ; attempt++) {
      if (coefBudget < rows.length * 4) throw tooSmall(budget);
      const counts = allocateCoefficients(rows, coefBudget, this.options.maxCoefsPerPacket);
      rows.forEach((r, i) => r.histogram.coarsenTo(counts[i]!));
      const fit = fitRowsToProfile(
        rows.map((r) => ({ startBin: r.startBin, lastBin: r.lastBin, binsPerCoef: r.histogram.width, counts: r.histogram.dense() })),
        aggregate,
        this.profile.shift,
        this.options.ridge,
        this.options.profileRounds,
      );
      const model = assembleModel(this.info(windowBins, flows.length, rows), rows, fit.coefs, fit.profile);
      const bytes = encodeFlowModel(model);
      if (bytes.length <= budget) return { model, bytes };
      if (attempt >= 4) throw tooSmall(budget);
      coefBudget -= bytes.length - budget + 256;
    }
  }

  /** All flows one by one when they fit with room for coefficients; else the heaviest ones plus classes. */
  private chooseRows(flows: FlowStats[], avail: number): RowDraft[] {
    const sizes = flows.map((f) => flowBytesWithoutCoefs(f) + 4);
    const total = sizes.reduce((s, n) => s + n, 0);
    const draft = (list: FlowStats[]) => list.map((f) => draftFromFlow(f, this.binNs));
    if (total <= avail * 0.75) return draft(flows);
    const maxClasses = Math.max(1, Math.floor((avail * 0.1) / CLASS_ROW_ESTIMATE_BYTES));
    let used = 0;
    let individual = 0;
    while (individual < flows.length && used + sizes[individual]! <= avail * 0.6) used += sizes[individual++]!;
    if (individual === flows.length) return draft(flows);
    const groups = assignClasses(flows.slice(individual), maxClasses);
    const classes = groups.map((g) => draftClass(g, this.binNs, this.options.maxCoefsPerFlow, this.options.sizeAtoms));
    return [...draft(flows.slice(0, individual)), ...classes];
  }

  private info(windowBins: number, traceFlows: number, rows: RowDraft[]): FlowModelInfo {
    const classes = rows.filter((r) => r.kind === ROW_KIND.class).length;
    return {
      binNs: this.binNs,
      windowBins,
      profileShift: this.profile.shift,
      startSec: this.startSec,
      startNsec: this.startNsec,
      tracePackets: this.ipPackets,
      traceNonIpPackets: this.nonIpPackets,
      traceFlows,
      traceBytes: this.ipBytes,
      traceDurationNs: this.lastNs,
      modelledFlows: rows.length - classes,
      classes,
      ridge: this.options.ridge,
    };
  }
}

function tooSmall(budget: number): MemocoError {
  return new MemocoError('FLOWMODEL_ERR_BUDGET_TOO_SMALL', `--max-model-bytes ${budget} cannot hold this trace's model; raise it`, { status: 400 });
}
