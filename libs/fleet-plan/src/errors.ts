import type { ErrorRegistry } from '@memoco/protocol';

/** Codes of @memoco/fleet-plan: the flows or hosts given to the planner cannot be planned. */
export const FLEETPLAN_ERRORS = {
  FLEETPLAN_ERR_NO_HOSTS: { description: 'A run needs at least one host to plan onto.', status: 409 },
  FLEETPLAN_ERR_BAD_HOST: { description: 'A host given to the planner is invalid: its name appears twice, or its core count is not an integer 1..1024.', status: 400 },
  FLEETPLAN_ERR_BAD_FLOWS: { description: 'A predicted packet count is negative or not finite, or there are more flows than 2^32-1.', status: 400 },
  FLEETPLAN_ERR_BAD_OPTIONS: { description: 'Planner options are out of range or contradict each other; the message names the option.', status: 400 },
} as const satisfies ErrorRegistry;

export type FleetPlanErrorCode = keyof typeof FLEETPLAN_ERRORS;
