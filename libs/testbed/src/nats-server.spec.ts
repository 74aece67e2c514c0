import { setTimeout as sleep } from 'node:timers/promises';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import { afterAll, describe, expect, it } from 'vitest';
import { parseNatsServerOptions, startNatsServer, type NatsServer } from './nats-server.ts';
import { startNatsCluster } from './nats-cluster.ts';

async function roundTrip(servers: string | string[], auth: { user?: string; pass?: string } = {}): Promise<string> {
  const nc = await connect({ servers, ...auth, reconnect: false });
  try {
    const sub = nc.subscribe('memoco.test.echo', { max: 1 });
    const got = (async () => {
      for await (const m of sub) return m.string();
      return '';
    })();
    nc.publish('memoco.test.echo', 'hello');
    await nc.flush();
    return await got;
  } finally {
    await nc.close();
  }
}

/** Interest crosses routes asynchronously: publish until the far subscriber has one (bounded). */
async function publishUntilReceived(pub: NatsConnection, sub: NatsConnection, subject: string): Promise<string | undefined> {
  const iterator = sub.subscribe(subject, { max: 1 })[Symbol.asyncIterator]();
  const first = iterator.next().then((r) => (r.done ? undefined : r.value.string()));
  for (let i = 0; i < 50; i++) {
    pub.publish(subject, 'across');
    const got = await Promise.race([first, sleep(100).then(() => null)]);
    if (got !== null) return got;
  }
  return undefined;
}

describe('startNatsServer', () => {
  const started: NatsServer[] = [];
  afterAll(async () => {
    await Promise.all(started.map((s) => s.stop()));
  });

  it('starts a JetStream server on a random loopback port that clients can publish and subscribe on', async () => {
    const server = await startNatsServer();
    started.push(server);
    expect(server.url).toMatch(/^nats:\/\/127\.0\.0\.1:\d+$/);
    expect(await roundTrip(server.url)).toBe('hello');
    const jsz = (await (await fetch(`${server.monitorUrl}/jsz`)).json()) as { config?: { store_dir?: string } };
    expect(jsz.config?.store_dir).toContain(server.dir);
  });

  it('keeps the same port and store dir across kill and restart', async () => {
    const server = await startNatsServer();
    started.push(server);
    const { port, dir } = server;
    await server.kill('SIGKILL');
    expect(server.running).toBe(false);
    await expect(roundTrip(server.url)).rejects.toThrow();
    await server.restart();
    expect(server.running).toBe(true);
    expect(server.port).toBe(port);
    expect(server.dir).toBe(dir);
    expect(await roundTrip(server.url)).toBe('hello');
  });

  it('requires the configured user and password', async () => {
    const server = await startNatsServer({ jetstream: false, user: 'mc', pass: 'secret' });
    started.push(server);
    await expect(roundTrip(server.url)).rejects.toThrow();
    expect(await roundTrip(server.url, { user: 'mc', pass: 'secret' })).toBe('hello');
  });

  it('rejects contradictory options with exact messages', () => {
    expect(() => parseNatsServerOptions({ user: 'a' })).toThrow('startNatsServer: give both user and pass, or neither');
    expect(() => parseNatsServerOptions({ routes: ['nats://127.0.0.1:1'] })).toThrow('startNatsServer: routes and clusterPort need clusterName');
    expect(() => parseNatsServerOptions({ port: 70000 })).toThrow('startNatsServer: port must be an integer 1..65535, got 70000');
  });
});

describe('startNatsCluster', () => {
  it('forms a 3-node JetStream cluster whose nodes route messages and rejoin after a restart', async () => {
    const cluster = await startNatsCluster(3);
    try {
      const routez = (await (await fetch(`${cluster.nodes[0]!.monitorUrl}/routez`)).json()) as { num_routes: number };
      expect(routez.num_routes).toBeGreaterThanOrEqual(2);
      // A subscriber on node 3 receives what node 1 publishes: the routes carry it.
      const sub = await connect({ servers: cluster.nodes[2]!.url });
      const pub = await connect({ servers: cluster.nodes[0]!.url });
      expect(await publishUntilReceived(pub, sub, 'memoco.test.routed')).toBe('across');
      await Promise.all([sub.close(), pub.close()]);

      const node = cluster.nodes[1]!;
      const port = node.port;
      await node.kill();
      await node.restart();
      await node.waitHealthy();
      expect(node.port).toBe(port);
      expect(await roundTrip(cluster.servers)).toBe('hello');
    } finally {
      await cluster.stop();
    }
  });
});
