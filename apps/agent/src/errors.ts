import type { ErrorRegistry } from '@memoco/protocol';

/**
 * Codes of the TX agent (apps/agent). A failed part of a run carries one of these in its
 * RunHostResult, so `memoco runs show` says why a host did not send.
 */
export const AGENT_ERRORS = {
  AGENT_ERR_CONFIG: { description: 'The agent configuration (environment or arguments) is invalid or contradictory; the message names the setting.', status: 400 },
  AGENT_ERR_NATS: { description: 'The agent cannot reach NATS, or the fleet\'s JetStream resources (created by the controller) are missing.', status: 503 },
  AGENT_ERR_MODEL_NOT_FOUND: { description: 'The assignment names a model that is not in the `memoco-models` object store.', status: 404 },
  AGENT_ERR_MODEL_DIGEST_MISMATCH: { description: 'The model fetched from the object store does not hash (SHA-256) to the digest in the assignment: the agent refuses it and sends nothing.', status: 422 },
  AGENT_ERR_MODEL_CORRUPT: { description: 'The model\'s bytes match the assignment but cannot be decoded as a Memoco flow model.', status: 422 },
  AGENT_ERR_BAD_ASSIGNMENT: { description: 'The assignment does not fit this agent: unknown port index, more cores than the agent offers, or flow rows outside the model.', status: 400 },
  AGENT_ERR_START_MISSED: { description: 'The assignment reached the agent too long after the run\'s common start time (e.g. it was down), so it did not start late.', status: 409 },
  AGENT_ERR_BUSY: { description: 'Another run was still sending on this agent at the start time of this one.', status: 409 },
  AGENT_ERR_ENGINE: { description: 'The TX engine failed to start or failed mid-run; the message carries the engine\'s own code and reason.', status: 500 },
  AGENT_ERR_SHUTDOWN: { description: 'The agent was stopped (SIGTERM/SIGINT) during the run: what was sent is counted, the rest was not.', status: 503 },
} as const satisfies ErrorRegistry;

export type AgentErrorCode = keyof typeof AGENT_ERRORS;
