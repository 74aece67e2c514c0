import type { ErrorRegistry } from '@memoco/protocol';

/**
 * Codes of the fleet commands of the CLI (`memoco up`, `run`, `runs`, `hosts`, `demo`).
 * Errors the services answer with keep their own codes (CONTROLLER_ERR_*, TRAINER_ERR_*),
 * printed as `memoco <command>: CODE: message`.
 */
export const FLEET_CLI_ERRORS = {
  FLEET_ERR_NO_FLEET: { description: 'No local fleet state file (DIR/fleet.json) was found, and no --controller URL was given: start one with `memoco up`.', status: 404 },
  FLEET_ERR_ALREADY_RUNNING: { description: 'A `memoco up` is already running in this directory (its process still lives); stop it or use another --dir.', status: 409 },
  FLEET_ERR_START: { description: 'A fleet service (nats-server, controller, trainer or an agent) did not start or did not become ready in time; the message carries its last log lines.', status: 503 },
  FLEET_ERR_VETH: { description: '`--veth` could not create a veth pair or network namespace (it needs root and iproute2).', status: 500 },
  FLEET_ERR_UNREACHABLE: { description: 'The controller or trainer URL does not answer (the fleet is not running, or the URL is wrong).', status: 503 },
  FLEET_ERR_BAD_RESPONSE: { description: 'A service answered with something that is not the expected JSON (a different program on that port?).', status: 502 },
  FLEET_ERR_RUN_NOT_COMPLETED: { description: 'The run ended partial, failed or cancelled; `memoco runs show <id>` says which hosts and why.', status: 500 },
  FLEET_ERR_DEMO_CHECK: { description: 'A check of `memoco demo` failed: an agent\'s capture is out of order or incomplete, or the run did not complete.', status: 500 },
} as const satisfies ErrorRegistry;

export type FleetCliErrorCode = keyof typeof FLEET_CLI_ERRORS;
