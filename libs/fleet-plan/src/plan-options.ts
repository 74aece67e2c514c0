import { MemocoError } from '@memoco/protocol';

/**
 * How a host's share of the run is sized: `equal` gives every host the same predicted
 * packets (issue 6: "balanced by predicted packets"); `cores` sizes shares by TX core count,
 * for fleets whose hosts differ.
 */
export const HOST_CAPACITY_MODES = ['equal', 'cores'] as const;
export type HostCapacityMode = (typeof HOST_CAPACITY_MODES)[number];

export interface PlanOptions {
  /**
   * Common start = now + leadMs. Long enough for every agent to receive its assignment and
   * fetch and verify its model before the start (issue 6, synchronized start).
   */
  leadMs: number;
  hostCapacity: HostCapacityMode;
}

export const DEFAULT_PLAN_OPTIONS: PlanOptions = { leadMs: 2000, hostCapacity: 'equal' };

const MAX_LEAD_MS = 24 * 60 * 60 * 1000;

export function parsePlanOptions(options: Partial<PlanOptions> = {}): PlanOptions {
  const merged = { ...DEFAULT_PLAN_OPTIONS, ...stripUndefined(options) };
  const bad = (message: string) => new MemocoError('FLEETPLAN_ERR_BAD_OPTIONS', message, { status: 400 });
  if (!Number.isInteger(merged.leadMs) || merged.leadMs < 0 || merged.leadMs > MAX_LEAD_MS) {
    throw bad(`leadMs must be an integer 0..${MAX_LEAD_MS}, got ${merged.leadMs}`);
  }
  if (!(HOST_CAPACITY_MODES as readonly string[]).includes(merged.hostCapacity)) {
    throw bad(`hostCapacity must be one of ${HOST_CAPACITY_MODES.join('|')}, got ${String(merged.hostCapacity)}`);
  }
  return merged;
}

function stripUndefined<T extends object>(value: T): Partial<T> {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as Partial<T>;
}
