import type { ErrorRegistry } from '@memoco/protocol';

/** Codes of the controller service (HTTP API, run planning and following). */
export const CONTROLLER_ERRORS = {
  CONTROLLER_ERR_UNAUTHORIZED: { description: 'The request has no `Authorization: Bearer <token>` header, or the token is wrong.', status: 401 },
  CONTROLLER_ERR_BAD_REQUEST: { description: 'The request body or query is malformed; the message names the offending field.', status: 400 },
  CONTROLLER_ERR_BODY_TOO_LARGE: { description: 'The request body is larger than the configured limit.', status: 413 },
  CONTROLLER_ERR_NOT_FOUND: { description: 'No such route.', status: 404 },
  CONTROLLER_ERR_RUN_NOT_FOUND: { description: 'No run with this id is recorded.', status: 404 },
  CONTROLLER_ERR_RUN_FINISHED: { description: 'The run has already finished, so it cannot be cancelled.', status: 409 },
  CONTROLLER_ERR_MODEL_NOT_FOUND: { description: 'No model with this id is in the model store.', status: 404 },
  CONTROLLER_ERR_MODEL_CORRUPT: { description: 'The stored model\'s bytes do not hash to its id, or its flow table cannot be read.', status: 422 },
  CONTROLLER_ERR_HOST_UNAVAILABLE: { description: 'A host named in the run is not registered or has not sent a heartbeat within the host timeout.', status: 409 },
  CONTROLLER_ERR_NOT_ENOUGH_HOSTS: { description: 'Fewer live hosts are registered than the run asks for.', status: 409 },
  CONTROLLER_ERR_HOST_LOST: { description: 'A host stopped sending heartbeats during its run: its part failed (the run goes on with the others).', status: 502 },
  CONTROLLER_ERR_RESULT_TIMEOUT: { description: 'A host sent no result within the grace period after its run should have ended.', status: 504 },
  CONTROLLER_ERR_ASSIGN_FAILED: { description: 'The assignment could not be published to a host (NATS unavailable or the message too large).', status: 502 },
  CONTROLLER_ERR_NATS: { description: 'NATS could not be reached or its JetStream resources could not be set up.', status: 503 },
  CONTROLLER_ERR_CONFIG: { description: 'The controller configuration (environment or arguments) is invalid or contradictory; the message names the setting.', status: 400 },
} as const satisfies ErrorRegistry;

export type ControllerErrorCode = keyof typeof CONTROLLER_ERRORS;
