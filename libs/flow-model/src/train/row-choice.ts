/**
 * Which rows the model gets (issue 4: "the heaviest flows modelled one by one, the rest
 * grouped into classes"): every flow on its own when all fit the byte budget with room for
 * coefficients, else the heaviest ones (row-draft.ts) and classes of the rest
 * (flow-classes.ts). The TypeScript draft, and the reference of the native one
 * (native/txcore train-rows.cc, which a settled native pass offers as SettledPass.draftRows).
 */
import { CounterMerger } from './counter-merger.ts';
import { addClassRows, assignClasses } from './flow-classes.ts';
import { CLASS_ROW_ESTIMATE_BYTES, flowRowSizes, gapMasks } from './model-budget.ts';
import type { PacketPassConfig, SettledPass } from './packet-pass.ts';
import { addFlowRows } from './row-draft.ts';
import { RowSet } from './row-set.ts';

/** The rows for `avail` bytes (the budget without overhead and profile) from a settled pass's statistics. */
export function chooseRows(settled: SettledPass, config: PacketPassConfig, avail: number): RowSet {
  const { stats, flows } = settled;
  const masks = gapMasks(stats, flows);
  const sizes = new Float64Array(flows.length);
  const total = flowRowSizes(stats, flows, masks, sizes);
  const allFlows = () => {
    const set = new RowSet(flows.length);
    addFlowRows(set, stats, flows, config.binNs, masks);
    return set;
  };
  if (total <= avail * 0.75) return allFlows();
  const maxClasses = Math.max(1, Math.floor((avail * 0.1) / CLASS_ROW_ESTIMATE_BYTES));
  let used = 0;
  let individual = 0;
  while (individual < flows.length && used + sizes[individual]! <= avail * 0.6) used += sizes[individual++]!;
  if (individual === flows.length) return allFlows();
  const groups = assignClasses(stats, flows.slice(individual), maxClasses);
  const set = new RowSet(individual + groups.length);
  addFlowRows(set, stats, flows.slice(0, individual), config.binNs, masks);
  addClassRows(set, stats, groups, config.binNs, config.maxBins, new CounterMerger(config.sizeAtoms * 2), masks);
  return set;
}
