/**
 * MEMOCO's traffic pattern recognizer (APNet'22 §3.2; issue 4): one pass over a streaming
 * trace, batch by batch, so it can run while an upload is still arriving. Per packet the
 * pass (packet-pass.ts: the TypeScript flow-accumulator.ts, or native/txcore's twin of it)
 * updates the flow's bounded statistics and the aggregate activity profile;
 * `finish()` chooses the rows the byte budget allows (row-choice.ts, or the native pass's own
 * draft of them), fits every row against the profile (profile-fit.ts) and returns the model
 * with its encoded ONNX bytes.
 */
import { MemocoError } from '@memoco/protocol';
import type { PacketBatch } from '@memoco/pcap';
import { ROW_KIND, type FlowModel, type FlowModelInfo } from '../model/flow-model.ts';
import { encodeFlowModel } from '../model/model-codec.ts';
import { typescriptPacketPass } from './flow-accumulator.ts';
import { assembleModel } from './model-assembler.ts';
import { allocateCoefficients, maxProfileEntries, MODEL_OVERHEAD_BYTES, rowBytesWithoutCoefs } from './model-budget.ts';
import type { PacketPass, PacketPassConfig, PacketPassFactory, SettledPass } from './packet-pass.ts';
import { fitRowsToProfile, type ProfileFitter } from './profile-fit.ts';
import { chooseRows } from './row-choice.ts';
import type { RowSet } from './row-set.ts';
import { binNsOf, parseTrainOptions, type TrainOptions } from './train-options.ts';


export interface TrainedModel {
  model: FlowModel;
  bytes: Uint8Array;
}

export class FlowTrainer {
  readonly options: TrainOptions;
  readonly binNs: number;
  private readonly config: PacketPassConfig;
  private readonly pass: PacketPass;

  /** `pass`: where the per-packet statistics are gathered, `fit`: what fits the rows (defaults: the TypeScript ones). */
  constructor(
    options: Partial<TrainOptions> = {},
    pass: PacketPassFactory = typescriptPacketPass,
    private readonly fit: ProfileFitter = fitRowsToProfile,
  ) {
    this.options = parseTrainOptions(options);
    this.binNs = binNsOf(this.options);
    this.config = {
      binNs: this.binNs,
      maxBins: this.options.maxCoefsPerFlow,
      sizeAtoms: this.options.sizeAtoms,
      maxProfileEntries: maxProfileEntries(this.options.maxModelBytes),
    };
    this.pass = pass(this.config);
  }

  addBatch(batch: PacketBatch): void {
    this.pass.addBatch(batch);
  }

  /** Drops the statistics without fitting (training stopped); the trainer is done. */
  abandon(): void {
    this.pass.close?.();
  }

  /** Fits and encodes the model (once). Throws FLOWMODEL_ERR_EMPTY_TRACE / _NO_IP_PACKETS when there is nothing to model. */
  finish(): TrainedModel {
    try {
      return this.fitSettled(this.pass.settle());
    } finally {
      this.pass.close?.();
    }
  }

  private fitSettled(settled: SettledPass): TrainedModel {
    const t = settled.totals;
    if (t.ipPackets + t.nonIpPackets === 0) throw new MemocoError('FLOWMODEL_ERR_EMPTY_TRACE', 'the trace holds no packets; no model written', { status: 400 });
    if (t.ipPackets === 0) {
      throw new MemocoError('FLOWMODEL_ERR_NO_IP_PACKETS', `the trace's ${t.nonIpPackets} packets are all non-IP; flows are IP 5-tuples, no model written`, { status: 400 });
    }
    const flows = settled.flows;
    const windowBins = Math.floor(t.lastNs / this.binNs) + 1;
    const budget = this.options.maxModelBytes;
    const aggregate = settled.profile.entries(windowBins);
    const avail = budget - MODEL_OVERHEAD_BYTES - aggregate.length * 4;
    const set = settled.draftRows ? settled.draftRows(avail) : chooseRows(settled, this.config, avail);
    const n = set.count;
    let fixedBytes = 0;
    for (let i = 0; i < n; i++) fixedBytes += rowBytesWithoutCoefs(set, i);
    let coefBudget = avail - fixedBytes;
    const info = this.info(settled, windowBins, flows.length, set);
    // Histogram lengths and resolutions as each attempt leaves them (coarsening is never undone).
    const lengths = set.histLength.slice(0, n);
    const shifts = set.histShift.slice(0, n);
    const counts = new Int32Array(n);
    for (let attempt = 0; ; attempt++) {
      if (coefBudget < n * 4) throw tooSmall(budget);
      allocateCoefficients(lengths, set.packets.subarray(0, n), coefBudget, this.options.maxCoefsPerPacket, counts);
      const rows = set.fitRows(lengths, shifts, counts);
      const fit = this.fit(rows, aggregate, settled.profile.shift, this.options.ridge, this.options.profileRounds);
      const model = assembleModel(info, set, rows, fit.coefs, fit.profile);
      const bytes = encodeFlowModel(model);
      if (bytes.length <= budget) return { model, bytes };
      if (attempt >= 4) throw tooSmall(budget);
      coefBudget -= bytes.length - budget + 256;
    }
  }

  private info(settled: SettledPass, windowBins: number, traceFlows: number, set: RowSet): FlowModelInfo {
    let classes = 0;
    for (let i = 0; i < set.count; i++) if (set.kind[i] === ROW_KIND.class) classes++;
    const p = settled.totals;
    return {
      binNs: this.binNs,
      windowBins,
      profileShift: settled.profile.shift,
      startSec: p.startSec,
      startNsec: p.startNsec,
      tracePackets: p.ipPackets,
      traceNonIpPackets: p.nonIpPackets,
      traceFlows,
      traceBytes: p.ipBytes,
      traceDurationNs: p.lastNs,
      modelledFlows: set.count - classes,
      classes,
      ridge: this.options.ridge,
    };
  }
}

function tooSmall(budget: number): MemocoError {
  return new MemocoError('FLOWMODEL_ERR_BUDGET_TOO_SMALL', `--max-model-bytes ${budget} cannot hold this trace's model; raise it`, { status: 400 });
}
