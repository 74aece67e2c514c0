import { connect, type AddressInfo } from 'node:net';
import Fastify, { type FastifyInstance } from 'fastify';
import { afterEach, describe, expect, it } from 'vitest';
import { MemocoError, type ErrorRegistry } from '@memoco/protocol';
import { installBearerAuth } from './bearer-auth.ts';
import { UNREAD_BODY_LINGER_MS, installErrorHandlers } from './http-error-handler.ts';

const REGISTRY = {
  DEMO_ERR_BAD: { description: 'bad', status: 422 },
  DEMO_ERR_PLAIN: { description: 'no status' },
} as const satisfies ErrorRegistry;
const TOKEN = 'demo-token-0123456789';

function demoApp(token?: string): FastifyInstance {
  const app = Fastify({ logger: false });
  installErrorHandlers(app, {
    registries: [REGISTRY],
    codes: { badRequest: 'DEMO_ERR_BAD_REQUEST', bodyTooLarge: 'DEMO_ERR_TOO_LARGE', notFound: 'DEMO_ERR_NOT_FOUND' },
    service: 'demo',
    exposeDetails: ['offset'],
  });
  installBearerAuth(app, token, { code: 'DEMO_ERR_UNAUTHORIZED', realm: 'memoco-demo' });
  app.get('/healthz', async () => ({ ok: true }));
  app.get('/bad', async () => {
    throw new MemocoError('DEMO_ERR_BAD', 'it is bad', { offset: 12, secret: 'not shown' });
  });
  app.get('/own-status', async () => {
    throw new MemocoError('DEMO_ERR_BAD', 'teapot', { status: 418 });
  });
  app.get('/plain', async () => {
    throw new MemocoError('DEMO_ERR_PLAIN', 'no status in the registry');
  });
  app.get('/bug', async () => {
    throw new TypeError('x is undefined');
  });
  app.post('/json', async (request) => request.body);
  app.register(async (scope) => {
    scope.removeAllContentTypeParsers();
    scope.addContentTypeParser('*', (_request, _payload, done) => done(null));
    scope.post('/sink', async () => {
      throw new MemocoError('DEMO_ERR_BAD', 'refused before reading the body');
    });
  });
  return app;
}

let app: FastifyInstance | undefined;
afterEach(async () => {
  await app?.close();
  app = undefined;
});

describe('installErrorHandlers', () => {
  it('answers {error: {code, message}} with the registry status, its own status or 500', async () => {
    app = demoApp();
    const get = async (url: string) => {
      const r = await app!.inject({ method: 'GET', url });
      return [r.statusCode, r.json()];
    };
    expect(await get('/bad')).toEqual([422, { error: { code: 'DEMO_ERR_BAD', message: 'it is bad', offset: 12 } }]);
    expect(await get('/own-status')).toEqual([418, { error: { code: 'DEMO_ERR_BAD', message: 'teapot' } }]);
    expect(await get('/plain')).toEqual([500, { error: { code: 'DEMO_ERR_PLAIN', message: 'no status in the registry' } }]);
    expect(await get('/bug')).toEqual([500, { error: { code: 'MEMOCO_ERR_INTERNAL', message: 'internal error; see the demo log' } }]);
    expect(await get('/nowhere?x=1')).toEqual([404, { error: { code: 'DEMO_ERR_NOT_FOUND', message: 'no route GET /nowhere' } }]);
  });

  it("maps Fastify's own client errors to the service's codes", async () => {
    app = demoApp();
    const bad = await app.inject({ method: 'POST', url: '/json', headers: { 'content-type': 'application/json' }, payload: '{not json' });
    expect([bad.statusCode, bad.json().error.code]).toEqual([400, 'DEMO_ERR_BAD_REQUEST']);
    const big = await app.inject({ method: 'POST', url: '/json', headers: { 'content-type': 'application/json' }, payload: JSON.stringify({ a: 'x'.repeat(2 << 20) }) });
    expect([big.statusCode, big.json().error.code]).toEqual([413, 'DEMO_ERR_TOO_LARGE']);
  });
});

describe('installBearerAuth', () => {
  it('guards every route but /healthz', async () => {
    app = demoApp(TOKEN);
    const r = async (url: string, authorization?: string) => {
      const res = await app!.inject({ method: 'GET', url, headers: authorization ? { authorization } : {} });
      return [res.statusCode, res.statusCode === 401 ? res.json().error.message : undefined, res.headers['www-authenticate']];
    };
    expect(await r('/healthz')).toEqual([200, undefined, undefined]);
    expect(await r('/bad')).toEqual([401, 'missing Authorization: Bearer <token> header', 'Bearer realm="memoco-demo"']);
    expect(await r('/bad', 'Bearer wrong-token')).toEqual([401, 'the bearer token is wrong', 'Bearer realm="memoco-demo"']);
    expect(await r('/bad', `Bearer ${TOKEN}`)).toEqual([422, undefined, undefined]);
  });
});

/**
 * A raw client announcing a 10 GB body and sending 64 KiB every 5 ms until the server closes
 * the connection (at most 20 s): what the server answers and when it stops taking bytes.
 */
async function pushingClient(port: number, path: string, headers: string): Promise<{ response: string; answeredAfterBytes: number; closedMsAfterAnswer: number }> {
  const socket = connect(port, '127.0.0.1');
  await new Promise((resolve) => socket.once('connect', resolve));
  socket.write(`POST ${path} HTTP/1.1\r\nHost: x\r\nContent-Type: application/octet-stream\r\nContent-Length: ${10e9}\r\n${headers}\r\n`);
  let response = '';
  let sent = 0;
  let answeredAt = 0;
  let answeredAfterBytes = 0;
  socket.on('data', (d) => {
    if (!answeredAt) [answeredAt, answeredAfterBytes] = [performance.now(), sent];
    response += String(d);
  });
  const chunk = Buffer.alloc(64 * 1024, 0x55);
  const started = performance.now();
  const closed = new Promise<void>((resolve) => socket.once('close', () => resolve()));
  socket.on('error', () => {});
  while (!socket.destroyed && performance.now() - started < 20_000) {
    socket.write(chunk);
    sent += chunk.length;
    await new Promise((r) => setTimeout(r, 5));
  }
  const closedAt = performance.now();
  socket.destroy();
  await closed;
  return { response, answeredAfterBytes, closedMsAfterAnswer: closedAt - answeredAt };
}

describe('an answer before the body is read', () => {
  it('reaches a client that keeps sending, and the connection is closed soon after', async () => {
    app = demoApp(TOKEN);
    await app.listen({ host: '127.0.0.1', port: 0 });
    const port = (app.server.address() as AddressInfo).port;
    for (const [headers, status] of [[`Authorization: Bearer ${TOKEN}\r\n`, '422'], ['Authorization: Bearer nope\r\n', '401']] as const) {
      const { response, closedMsAfterAnswer } = await pushingClient(port, '/sink', headers);
      expect(response.split('\r\n')[0]).toBe(`HTTP/1.1 ${status} ${status === '401' ? 'Unauthorized' : 'Unprocessable Entity'}`);
      expect(response).toMatch(/"code":"DEMO_ERR_(BAD|UNAUTHORIZED)"/);
      // Discarded for the linger time, then closed (not read to the announced 10 GB).
      expect(closedMsAfterAnswer).toBeGreaterThanOrEqual(UNREAD_BODY_LINGER_MS - 100);
      expect(closedMsAfterAnswer).toBeLessThan(UNREAD_BODY_LINGER_MS + 5000);
    }
  });
});
