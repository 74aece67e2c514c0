/**
 * How much model time a run needs. With the model's own timing it is the run's duration
 * times the speed. A pps run paces this host's packets at a fixed rate from the start and
 * ends after rate x duration packets, so the engine is given enough model time for that
 * many of these rows' packets: whole windows of them (each window repeats every row's packets,
 * docs/flow-models.md "Continuation"), plus one.
 */
import { MAX_DURATION_S, type FlowModel } from '@memoco/flow-model';

export function modelSecondsFor(model: FlowModel, rowPackets: number, packets: number): number {
  const windowS = (model.info.windowBins * model.info.binNs) / 1e9;
  if (rowPackets <= 0) return windowS;
  return Math.min(MAX_DURATION_S, (Math.ceil(packets / rowPackets) + 1) * windowS);
}
