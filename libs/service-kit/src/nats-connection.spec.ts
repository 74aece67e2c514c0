import { createServer } from 'node:net';
import { describe, expect, it } from 'vitest';
import { startNatsServer } from '@memoco/testbed';
import { connectNatsAs } from './nats-connection.ts';

/** A TCP port nothing listens on (bound, read, released). */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

describe('connectNatsAs', () => {
  it("throws the service's code (503) naming the servers when none answers", async () => {
    const servers = [`nats://127.0.0.1:${await closedPort()}`];
    const error = await connectNatsAs('DEMO_ERR_NATS', { servers, name: 'spec' }, Date.now).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'DEMO_ERR_NATS', details: { status: 503 } });
    expect((error as Error).message).toMatch(new RegExp(`^cannot connect to NATS at ${servers[0]}: .+`));
  });

  it('connects to a real nats-server and tracks the connection', async () => {
    const nats = await startNatsServer();
    try {
      const { nc, tracker } = await connectNatsAs('DEMO_ERR_NATS', { servers: [nats.url], name: 'spec' }, Date.now);
      expect(tracker.connected).toBe(true);
      await nc.close();
      expect(tracker.connected).toBe(false);
    } finally {
      await nats.stop();
    }
  });
});
