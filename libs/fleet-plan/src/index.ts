export { FLEETPLAN_ERRORS } from './errors.ts';
export type { FleetPlanErrorCode } from './errors.ts';
export { DEFAULT_PLAN_OPTIONS, HOST_CAPACITY_MODES, parsePlanOptions } from './plan-options.ts';
export type { HostCapacityMode, PlanOptions } from './plan-options.ts';
export { planFleet } from './fleet-planner.ts';
export type { CorePlan, FleetPlan, FleetPlanInput, HostPlan, PlanHost, PlanImbalance } from './fleet-planner.ts';
export { descendingOrder } from './descending-order.ts';
export { SlotMinHeap } from './min-heap.ts';
