import type { ErrorRegistry } from '@memoco/protocol';

/**
 * Codes of the trainer service (issue 6: trace uploads, the model store). A bad trace keeps
 * the reader's PCAP_ERR_* code (with its byte offset and record) and a trace with nothing to
 * model the trainer's FLOWMODEL_ERR_* code; these cover the service itself.
 */
export const TRAINER_ERRORS = {
  TRAINER_ERR_UNAUTHORIZED: { description: 'The request has no `Authorization: Bearer <token>` header, or the token is wrong.', status: 401 },
  TRAINER_ERR_BAD_REQUEST: { description: 'A query parameter or header of the request is malformed, unknown or given twice; the message names it.', status: 400 },
  TRAINER_ERR_NOT_FOUND: { description: 'No such route.', status: 404 },
  TRAINER_ERR_UPLOAD_TOO_LARGE: { description: 'The upload is larger than the trainer\'s limit (`MEMOCO_TRAINER_MAX_UPLOAD_BYTES`): refused from its Content-Length, or stopped when the limit was passed. Nothing is stored.', status: 413 },
  TRAINER_ERR_UPLOAD_ABORTED: { description: 'The client closed the connection before the upload ended. Nothing is stored or announced.', status: 400 },
  TRAINER_ERR_UPLOAD_STALLED: { description: 'No byte of the upload arrived for `MEMOCO_TRAINER_UPLOAD_IDLE_MS`; the trainer stopped waiting. Nothing is stored.', status: 408 },
  TRAINER_ERR_BUSY: { description: 'The trainer is already training `MEMOCO_TRAINER_MAX_UPLOADS` uploads; retry later (Retry-After) or on another trainer.', status: 503 },
  TRAINER_ERR_SHUTTING_DOWN: { description: 'The trainer is stopping (SIGTERM): uploads in progress are stopped and nothing of them is stored.', status: 503 },
  TRAINER_ERR_BAD_MODEL_ID: { description: 'A model id must be the 64 lowercase hex digits of the SHA-256 of the model\'s bytes.', status: 400 },
  TRAINER_ERR_MODEL_NOT_FOUND: { description: 'No model with this id is in the model store.', status: 404 },
  TRAINER_ERR_MODEL_CORRUPT: { description: 'The model store holds an object under this id whose digest is not the id (or whose bytes did not hash to it while they were sent).', status: 502 },
  TRAINER_ERR_NATS: { description: 'NATS could not be reached, or its JetStream model store or announcement stream refused the model.', status: 503 },
  TRAINER_ERR_UNREACHABLE: { description: '`memoco upload` could not reach the trainer (connection refused, unknown host) or the connection broke before the answer; the message names the URL.', status: 503 },
  TRAINER_ERR_BAD_RESPONSE: { description: '`memoco upload` got an answer that is not the trainer\'s (not JSON, or an error without a Memoco code): the URL may point at another server.', status: 502 },
  TRAINER_ERR_CONFIG: { description: 'The trainer configuration (environment or arguments) is invalid or contradictory; the message names the setting.', status: 400 },
} as const satisfies ErrorRegistry;

export type TrainerErrorCode = keyof typeof TRAINER_ERRORS;
