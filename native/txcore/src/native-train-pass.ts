/**
 * The trainer's per-packet pass in native code (issue 4, train speed): a PacketPass
 * (libs/flow-model packet-pass.ts) over the addon's TrainPass (train-pass.cc), which keeps the
 * same statistics as the TypeScript FlowAccumulator number for number, and captures the
 * header templates as captureTemplate does, byte for byte (train-template.cc), while the batch
 * is still the reader's; once settled, it drafts the model's rows as row-choice.ts does
 * (train-rows.cc, SettledPass.draftRows). Also the native fit (train-fit.cc). train-pass.spec.ts
 * holds each equal to its TypeScript twin, and the models byte-identical both ways.
 */
import {
  fitRowsToProfile, restoreProfile, restoreSettledPass, RowSet, typescriptPacketPass,
  type FitRows, type HeaderTemplate, type PacketPass, type PacketPassConfig, type PacketPassFactory, type PassState, type ProfileFit, type ProfileFitter, type RowSetFields, type SettledPass,
} from '@memoco/flow-model';
import { MemocoError } from '@memoco/protocol';
import type { PacketBatch } from '@memoco/pcap';
import { loadAddon } from './native-binding.ts';

/** The header templates per slot, flattened: slot s's bytes are tplBytes[tplOffset[s], tplOffset[s + 1]) (none when empty). */
export interface NativeTemplates {
  tplOffset: Uint32Array;
  tplBytes: Uint8Array;
  tplL3: Uint16Array;
  tplL4: Uint16Array;
}

/** A RowSet drafted natively (train-rows.cc): its fields, with its directions' templates flattened (per direction). */
export type NativeRowSet = Omit<RowSetFields, 'templates'> & NativeTemplates;

/** The addon's TrainPass object (napi-train-pass.cc). */
export interface NativeTrainPass {
  addBatch(batch: PacketBatch): void;
  /** Ends the pass (once): what finish() needs besides the rows. */
  settle(): Pick<PassState, 'flows' | 'profile' | 'totals'>;
  /** After settle(): the statistics copied out, every slot's template with them. */
  state(): Omit<PassState, 'profile' | 'totals'> & NativeTemplates;
  /** After settle(), once: FlowTrainer's rows for `avail` bytes (maxBins: a class histogram's bins). */
  draftRows(avail: number, maxBins: number): NativeRowSet;
  /** Stops the pass's thread and frees its statistics (nothing else after it). */
  close(): void;
}

/** The addon's fitRowsToProfile (train-fit.cc). */
export type NativeProfileFit = (rows: FitRows, aggregate: Float64Array, shift: number, ridge: number, rounds: number) => ProfileFit;

/** A ProfileFitter running natively: libs/flow-model's fitRowsToProfile bit for bit. */
export const nativeProfileFit: ProfileFitter = (rows, aggregate, shift, ridge, rounds) => loadAddon().fitRowsToProfile(rows, aggregate, shift, ridge, rounds);

export type NativeTrainPassConstructor = new (binNs: number, maxBins: number, sizeAtoms: number, maxProfileEntries: number) => NativeTrainPass;

/** A PacketPassFactory running the pass natively. Throws TXCORE_ERR_ADDON_MISSING / _DPDK_MISSING when the addon cannot be loaded. */
export function nativePacketPass(config: PacketPassConfig): PacketPass {
  const pass = new (loadAddon().TrainPass)(config.binNs, config.maxBins, config.sizeAtoms, config.maxProfileEntries);
  return {
    addBatch: (batch) => pass.addBatch(batch),
    settle: () => settledNatively(pass, config),
    close: () => pass.close(),
  };
}

/**
 * The settled pass: the rows are drafted natively (draftRows), so the statistics are copied
 * out and rebuilt as a FlowStatsTable (`stats`, which finish() then never reads) only when
 * asked for, before the pass is closed.
 */
function settledNatively(pass: NativeTrainPass, config: PacketPassConfig): SettledPass {
  const settled = pass.settle();
  let restored: SettledPass | undefined;
  return {
    get stats() {
      if (!restored) {
        const state = pass.state();
        restored = restoreSettledPass({ ...state, profile: settled.profile, totals: settled.totals }, config, templatesOf(state));
      }
      return restored.stats;
    },
    profile: restoreProfile(settled.profile, config),
    flows: Array.from(settled.flows),
    totals: settled.totals,
    draftRows: (avail) => {
      const { tplOffset, tplBytes, tplL3, tplL4, ...fields } = pass.draftRows(avail, config.maxBins);
      const rowTemplates: NativeTemplates = { tplOffset, tplBytes, tplL3, tplL4 };
      const templates = Array.from({ length: tplL3.length }, (_, s) => templateOf(rowTemplates, s));
      return RowSet.adopt({ ...fields, templates });
    },
  };
}

/** Slot s's template (a view into the one buffer), undefined when it has none. */
function templateOf(t: NativeTemplates, s: number): HeaderTemplate | undefined {
  const from = t.tplOffset[s]!;
  const to = t.tplOffset[s + 1]!;
  return to > from ? { bytes: t.tplBytes.subarray(from, to), l3Offset: t.tplL3[s]!, l4Offset: t.tplL4[s]! } : undefined;
}

/** Per slot, as FlowStatsTable.templates holds them (set where the slot has one). */
function templatesOf(t: NativeTemplates): (HeaderTemplate | undefined)[] {
  const templates: (HeaderTemplate | undefined)[] = [];
  for (let s = 0; s < t.tplL3.length; s++) {
    const template = templateOf(t, s);
    if (template) templates[s] = template;
  }
  return templates;
}

export const TRAIN_PASSES = ['auto', 'native', 'typescript'] as const;
export type TrainPassChoice = (typeof TRAIN_PASSES)[number];

/**
 * The pass for `choice`: `native` needs the addon (its load error otherwise), `typescript` never
 * does, `auto` is native when the addon loads and TypeScript when it does not (the models are
 * the same; only the speed differs). `used` says which one it is.
 */
export function trainPassFor(choice: TrainPassChoice): { pass: PacketPassFactory; fit: ProfileFitter; used: 'native' | 'typescript' } {
  if (!(TRAIN_PASSES as readonly string[]).includes(choice)) {
    throw new MemocoError('TXCORE_ERR_BAD_OPTION', `the training pass must be one of ${TRAIN_PASSES.join(', ')}, got '${String(choice)}'`);
  }
  if (choice === 'typescript') return { pass: typescriptPacketPass, fit: fitRowsToProfile, used: 'typescript' };
  try {
    loadAddon();
  } catch (error) {
    if (choice === 'native') throw error;
    return { pass: typescriptPacketPass, fit: fitRowsToProfile, used: 'typescript' };
  }
  return { pass: nativePacketPass, fit: nativeProfileFit, used: 'native' };
}
