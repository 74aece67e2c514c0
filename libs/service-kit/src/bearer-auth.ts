/**
 * Bearer-token check on every API route of a service (issue 6, "Security"):
 * `Authorization: Bearer <token>`. Compared in constant time over digests, so neither the
 * token's length nor its prefix leaks through timing. Open routes (`/healthz`) stay open for
 * load balancers and the local fleet script.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import { errorBody, releaseUnreadBody } from './http-error-handler.ts';

export interface BearerAuthOptions {
  /** The service's code for a missing or wrong token (e.g. TRAINER_ERR_UNAUTHORIZED). */
  code: string;
  /** Named in the WWW-Authenticate header (e.g. memoco-trainer). */
  realm: string;
  /** Paths that need no token; default `/healthz`. */
  openRoutes?: readonly string[];
}

const digest = (text: string) => createHash('sha256').update(text).digest();

/** Requires the token on every route but the open ones; no token configured: no check. */
export function installBearerAuth(app: FastifyInstance, token: string | undefined, options: BearerAuthOptions): void {
  if (token === undefined) return;
  const expected = digest(token);
  const open = new Set(options.openRoutes ?? ['/healthz']);
  app.addHook('onRequest', async (request, reply) => {
    if (open.has(request.url.split('?')[0]!)) return;
    const header = request.headers.authorization ?? '';
    const match = /^Bearer ([^\s]+)$/i.exec(header);
    if (!match || !timingSafeEqual(digest(match[1]!), expected)) {
      // Refused before the body is read: a 1 GB upload with a wrong token is not read whole.
      releaseUnreadBody(request, reply);
      return reply
        .status(401)
        .header('WWW-Authenticate', `Bearer realm="${options.realm}"`)
        .send(errorBody(options.code, match ? 'the bearer token is wrong' : 'missing Authorization: Bearer <token> header'));
    }
  });
}
