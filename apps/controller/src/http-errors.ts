/**
 * Every error leaves the HTTP API as `{ "error": { "code", "message" } }` with the status of
 * its code's registry entry (issue 6; Fastify's own errors registry is the model). Unknown
 * faults become MEMOCO_ERR_INTERNAL with no internals in the message; the log has the stack.
 */
import type { FastifyError, FastifyInstance } from 'fastify';
import { COMMON_ERRORS, PROTOCOL_ERRORS, isMemocoError, type ErrorRegistry } from '@memoco/protocol';
import { FLEETPLAN_ERRORS } from '@memoco/fleet-plan';
import { RUNSTORE_ERRORS } from '@memoco/run-store';
import { CONTROLLER_ERRORS } from './errors.ts';

const REGISTRIES: ErrorRegistry[] = [COMMON_ERRORS, PROTOCOL_ERRORS, FLEETPLAN_ERRORS, RUNSTORE_ERRORS, CONTROLLER_ERRORS];

export function statusOfCode(code: string): number {
  for (const registry of REGISTRIES) {
    const spec = registry[code];
    if (spec) return spec.status ?? 500;
  }
  return 500;
}

export interface ErrorBody {
  error: { code: string; message: string };
}

export function errorBody(code: string, message: string): ErrorBody {
  return { error: { code, message } };
}

function fromFastify(error: FastifyError): { status: number; body: ErrorBody } | undefined {
  const status = error.statusCode;
  if (status === undefined || status < 400 || status >= 500) return undefined;
  if (status === 413) return { status, body: errorBody('CONTROLLER_ERR_BODY_TOO_LARGE', error.message) };
  return { status, body: errorBody('CONTROLLER_ERR_BAD_REQUEST', error.message) };
}

export function installErrorHandlers(app: FastifyInstance): void {
  app.setErrorHandler((error: FastifyError, request, reply) => {
    if (isMemocoError(error)) {
      const status = typeof error.details.status === 'number' ? error.details.status : statusOfCode(error.code);
      if (status >= 500) request.log.error({ err: error }, 'request failed');
      return reply.status(status).send(errorBody(error.code, error.message));
    }
    const known = fromFastify(error);
    if (known) return reply.status(known.status).send(known.body);
    request.log.error({ err: error }, 'unexpected failure');
    return reply.status(500).send(errorBody('MEMOCO_ERR_INTERNAL', 'internal error; see the controller log'));
  });
  app.setNotFoundHandler((request, reply) => reply.status(404).send(errorBody('CONTROLLER_ERR_NOT_FOUND', `no route ${request.method} ${request.url.split('?')[0]}`)));
}
