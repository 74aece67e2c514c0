/**
 * The static plan a model-synthesis run hands to the native engine (napi-synthesis.cc
 * readPlan): libs/flow-model's RegenerationPlan (templates, sampling tables, the rows' own
 * instances) plus the binding of every model row to one generation core (MEMOCO: "each
 * flow is bound to one core"; a class row's members go with their row).
 */
import { classLanes, createPlan, memberSizeCum, parseGenerateOptions, predictedRowPackets, ROW_KIND, type FlowModel, type RegenerationPlan } from '@memoco/flow-model';
import type { NativeSynthesisPlan } from './native-binding.ts';
import type { SynthesisOptions } from './synthesis-options.ts';

/** Marks a row no core of this host sends (another host's share of the fleet). */
export const ROW_NOT_HERE = 0xffff;

/**
 * Rows to cores: the given shard (coreRows[c] = rows of core c), or, by default, every row,
 * heaviest first to the least loaded core (Graham's LPT rule, as libs/fleet-plan does across
 * hosts), so cores carry about the same predicted packets.
 */
export function bindRows(model: FlowModel, cores: number, coreRows?: readonly Uint32Array[]): Uint16Array {
  const predicted = predictedRowPackets(model);
  const binding = new Uint16Array(predicted.length).fill(ROW_NOT_HERE);
  if (coreRows) {
    coreRows.forEach((rows, core) => rows.forEach((row) => (binding[row] = core)));
    return binding;
  }
  const order = Array.from(predicted.keys()).sort((a, b) => predicted[b]! - predicted[a]! || a - b);
  const load = new Float64Array(cores);
  for (const row of order) {
    let core = 0;
    for (let c = 1; c < cores; c++) if (load[c]! < load[core]!) core = c;
    binding[row] = core;
    load[core]! += predicted[row]!;
  }
  return binding;
}

/** The regeneration plan of the run: the same as `memoco generate -o` builds for these options. */
export function regenerationPlan(options: SynthesisOptions): RegenerationPlan {
  return createPlan(options.model.model, parseGenerateOptions({ seed: options.seed, durationS: options.durationS, tag: options.tag, chunkBins: options.chunkBins }));
}

/** The model's own tables the native planner needs (PlanBuilder's inputs besides the plan). */
function planningTables(model: FlowModel, options: SynthesisOptions, nativeCounts: boolean) {
  const m = model.tables;
  return {
    chunkBins: options.chunkBins,
    nativeCounts,
    profileShift: model.info.profileShift,
    kind: m.kind,
    modelPackets: m.packets,
    modelReverse: m.reverse,
    startBin: m.startBin,
    lastBin: m.lastBin,
    binsPerCoef: m.binsPerCoef,
    coefBase: m.coefBase,
    coefCount: m.coefCount,
    coef: m.coef,
    profile: m.profile,
    lanes: Uint32Array.from(m.kind, (kind, r) => (kind === ROW_KIND.class ? classLanes(m.concurrency[r]!) : 0)),
    memberSizeOffset: m.memberSizeOffset,
    memberSizeBucket: m.memberSizeBucket,
    memberSizeCum: memberSizeCum(model),
  };
}

export function nativeSynthesisPlan(plan: RegenerationPlan, options: SynthesisOptions, nativeCounts: boolean): NativeSynthesisPlan {
  const { count: rows, ...templates } = plan.templates;
  const i = plan.instances;
  return {
    seed: plan.seed,
    binNs: plan.binNs,
    windowBins: plan.windowBins,
    totalBins: plan.totalBins,
    endNs: plan.endNs,
    tag: options.tag,
    cores: options.cores,
    rows,
    ...templates,
    rowTemplate: i.template.subarray(0, rows),
    rowVariant: i.variant.subarray(0, rows),
    rowPackets: i.packets.subarray(0, rows),
    rowReverse: i.reverse.subarray(0, rows),
    rowStartNs: i.startNs.subarray(0, rows),
    rowEndNs: i.endNs.subarray(0, rows),
    rowCore: bindRows(options.model.model, options.cores, options.coreRows),
    ...planningTables(options.model.model, options, nativeCounts),
  };
}
