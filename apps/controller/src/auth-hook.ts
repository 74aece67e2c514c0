/**
 * Bearer-token check on every API route (issue 6, "Security"): `Authorization: Bearer <token>`.
 * Compared in constant time over digests, so neither the token's length nor its prefix leaks
 * through timing. `/healthz` stays open for load balancers and the local fleet script.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import { errorBody } from './http-errors.ts';

const OPEN_ROUTES = new Set(['/healthz']);

const digest = (text: string) => createHash('sha256').update(text).digest();

export function installBearerAuth(app: FastifyInstance, token: string | undefined): void {
  if (token === undefined) return;
  const expected = digest(token);
  app.addHook('onRequest', async (request, reply) => {
    if (OPEN_ROUTES.has(request.url.split('?')[0]!)) return;
    const header = request.headers.authorization ?? '';
    const match = /^Bearer ([^\s]+)$/i.exec(header);
    if (!match || !timingSafeEqual(digest(match[1]!), expected)) {
      return reply
        .status(401)
        .header('WWW-Authenticate', 'Bearer realm="memoco-controller"')
        .send(errorBody('CONTROLLER_ERR_UNAUTHORIZED', match ? 'the bearer token is wrong' : 'missing Authorization: Bearer <token> header'));
    }
  });
}
