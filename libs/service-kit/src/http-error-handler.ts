/**
 * Every error leaves a service's HTTP API as `{ "error": { "code", "message" } }` with the
 * status of its code's registry entry (issue 6; Fastify's own errors registry is the model).
 * Unknown faults become MEMOCO_ERR_INTERNAL with no internals in the message; the log has
 * the stack.
 */
import { Socket } from 'node:net';
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { isMemocoError, type ErrorRegistry, type MemocoError } from '@memoco/protocol';

export interface ErrorBody {
  error: { code: string; message: string; [detail: string]: unknown };
}

export interface ErrorHandlerOptions {
  /** Registries whose statuses apply, searched in order. */
  registries: readonly ErrorRegistry[];
  /** The service's codes for Fastify's own 4xx errors and for unknown routes. */
  codes: { badRequest: string; bodyTooLarge: string; notFound: string };
  /** Names the log in the internal-error message ("see the trainer log"). */
  service: string;
  /** MemocoError details copied into the body when present (e.g. `offset`, `record` of a parse error). */
  exposeDetails?: readonly string[];
}

/**
 * How long an answered request whose body is still arriving may go on sending (discarded)
 * before its connection is closed: long enough for a client to read the early answer and
 * stop, short enough that an unwanted upload is not read to its end.
 */
export const UNREAD_BODY_LINGER_MS = 2000;

export function errorBody(code: string, message: string, details: Record<string, unknown> = {}): ErrorBody {
  return { error: { code, message, ...details } };
}

export function statusOfCode(registries: readonly ErrorRegistry[], code: string): number {
  for (const registry of registries) {
    const spec = registry[code];
    if (spec) return spec.status ?? 500;
  }
  return 500;
}

/** The HTTP status of a MemocoError: its own `details.status`, else its registry's. */
export function statusOfError(registries: readonly ErrorRegistry[], error: MemocoError): number {
  return typeof error.details.status === 'number' ? error.details.status : statusOfCode(registries, error.code);
}

/**
 * A request answered before its body was fully received (an upload refused or failed
 * part-way): the rest is discarded as it arrives and, if the client does not stop within
 * UNREAD_BODY_LINGER_MS of the answer, the connection is closed. Closing at once would make
 * the kernel reset the connection over the unread bytes, and the client could lose the
 * answer (the "lingering close" of HTTP servers).
 */
export function releaseUnreadBody(request: FastifyRequest, reply: FastifyReply, lingerMs = UNREAD_BODY_LINGER_MS): void {
  const raw = request.raw;
  // inject() requests (light-my-request) have no real socket and nothing to release.
  if (raw.complete || raw.destroyed || !(raw.socket instanceof Socket)) return;
  raw.resume();
  reply.raw.once('finish', () => {
    if (raw.complete) return;
    const socket = raw.socket;
    const timer = setTimeout(() => socket.destroy(), lingerMs);
    timer.unref();
    const clear = () => clearTimeout(timer);
    raw.once('end', clear);
    socket.once('close', clear);
  });
}

function fromFastify(error: FastifyError, codes: ErrorHandlerOptions['codes']): { status: number; body: ErrorBody } | undefined {
  const status = error.statusCode;
  if (status === undefined || status < 400 || status >= 500) return undefined;
  if (status === 413) return { status, body: errorBody(codes.bodyTooLarge, error.message) };
  return { status, body: errorBody(codes.badRequest, error.message) };
}

function exposed(error: MemocoError, names: readonly string[]): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const name of names) if (error.details[name] !== undefined) out[name] = error.details[name];
  return out;
}

export function installErrorHandlers(app: FastifyInstance, options: ErrorHandlerOptions): void {
  const { registries, codes } = options;
  app.setErrorHandler((error: FastifyError, request, reply) => {
    releaseUnreadBody(request, reply);
    if (isMemocoError(error)) {
      const status = statusOfError(registries, error);
      if (status >= 500) request.log.error({ err: error }, 'request failed');
      return reply.status(status).send(errorBody(error.code, error.message, exposed(error, options.exposeDetails ?? [])));
    }
    const known = fromFastify(error, codes);
    if (known) return reply.status(known.status).send(known.body);
    request.log.error({ err: error }, 'unexpected failure');
    return reply.status(500).send(errorBody('MEMOCO_ERR_INTERNAL', `internal error; see the ${options.service} log`));
  });
  app.setNotFoundHandler((request, reply) => {
    releaseUnreadBody(request, reply);
    return reply.status(404).send(errorBody(codes.notFound, `no route ${request.method} ${request.url.split('?')[0]}`));
  });
}
