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
import { FlowStats } from './flow-stats.ts';
import { captureTemplate } from './header-template.ts';
import { assembleModel } from './model-assembler.ts';
import { allocateCoefficients, CLASS_ROW_ESTIMATE_BYTES, maxProfileEntries, MODEL_OVERHEAD_BYTES, rowBytesWithoutCoefs } from './model-budget.ts';
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

  addBatch(batch: PacketBatch): void {
    for (let i = 0; i < batch.count; i++) {
      const flowId = batch.flowId[i]!;
      if (flowId === NO_FLOW || batch.ipVersion[i] === 0) {
        this.nonIpPackets++;
        continue;
      }
      if (Number.isNaN(this.startSec)) {
        this.startSec = batch.tsSec[i]!;
        this.startNsec = batch.tsNsec[i]!;
      }
      // Captures are sometimes slightly out of order: a packet before the first one counts at 0.
      const timeNs = Math.max(0, (batch.tsSec[i]! - this.startSec) * 1e9 + (batch.tsNsec[i]! - this.startNsec));
      const bin = Math.floor(timeNs / this.binNs);
      if (timeNs > this.lastNs) this.lastNs = timeNs;
      this.ipPackets++;
      this.ipBytes += batch.origLen[i]!;
      this.profile.add(bin);
      const flow = this.flows[flowId] ?? this.newFlow(flowId, batch, i, bin);
      const direction = batch.direction[i]!;
      const flags = batch.tcpFlags[i]!;
      flow.add(timeNs, bin, direction, batch.origLen[i]!, flags);
      const dir = flow.dirs[direction]!;
      if (dir.wantsTemplate(flow.proto, flags)) {
        const at = batch.dataOffset[i]!;
        dir.setTemplate(captureTemplate(batch.data, at, batch.capLen[i]!, batch.linkType[i]!, flow.ipVersion, flow.proto, batch.l3Offset[i]!, batch.l4Offset[i]!), flow.proto, flags);
      }
    }
  }

  private newFlow(flowId: number, batch: PacketBatch, i: number, bin: number): FlowStats {
    const flow = new FlowStats(batch.ipVersion[i]!, batch.proto[i]!, bin, this.options.maxCoefsPerFlow, this.options.sizeAtoms);
    this.flows[flowId] = flow;
    return flow;
  }

  /** Fits and encodes the model. Throws FLOWMODEL_ERR_EMPTY_TRACE / _NO_IP_PACKETS when there is nothing to model. */
  finish(): TrainedModel {
    if (this.packetsSeen === 0) throw new MemocoError('FLOWMODEL_ERR_EMPTY_TRACE', 'the trace holds no packets; no model written', { status: 400 });
    if (this.ipPackets === 0) {
      throw new MemocoError('FLOWMODEL_ERR_NO_IP_PACKETS', `the trace's ${this.nonIpPackets} packets are all non-IP; flows are IP 5-tuples, no model written`, { status: 400 });
    }
    const flows = this.flows.filter((f): f is FlowStats => f !== undefined).sort((a, b) => b.packets - a.packets);
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
    const drafts = flows.map((f) => draftFromFlow(f, this.binNs));
    const sizes = drafts.map((d) => rowBytesWithoutCoefs(d) + 4);
    const total = sizes.reduce((s, n) => s + n, 0);
    if (total <= avail * 0.75) return drafts;
    const maxClasses = Math.max(1, Math.floor((avail * 0.1) / CLASS_ROW_ESTIMATE_BYTES));
    let used = 0;
    let individual = 0;
    while (individual < drafts.length && used + sizes[individual]! <= avail * 0.6) used += sizes[individual++]!;
    if (individual === drafts.length) return drafts;
    const groups = assignClasses(flows.slice(individual), maxClasses);
    const classes = groups.map((g) => draftClass(g, this.binNs, this.options.maxCoefsPerFlow, this.options.sizeAtoms));
    return [...drafts.slice(0, individual), ...classes];
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
