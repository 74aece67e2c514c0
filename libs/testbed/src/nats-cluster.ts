import { MemocoError } from '@memoco/protocol';
import { freePort } from './free-port.ts';
import { startNatsServer, type NatsServer, type NatsServerOptions } from './nats-server.ts';
import { waitUntil } from './wait-until.ts';

export interface NatsClusterOptions {
  /** Cluster name (default `memoco-test`). */
  clusterName?: string;
  /** Credentials every node requires (both or neither). */
  user?: string;
  pass?: string;
  /** How long to wait for all nodes to be healthy (JetStream meta leader elected), default 30 s. */
  readyTimeoutMs?: number;
}

export interface NatsCluster {
  readonly nodes: readonly NatsServer[];
  /** Client URLs of every node, for `connect({ servers })`. */
  readonly servers: string[];
  /** Stops every node and removes their dirs. */
  stop(): Promise<void>;
}

/**
 * Starts `size` JetStream nats-servers on loopback, fully meshed by explicit routes on
 * ports chosen in advance, so any node can be killed and restarted (same client port,
 * route port and store) and rejoin. Resolves when every node reports healthy.
 */
export async function startNatsCluster(size = 3, options: NatsClusterOptions = {}): Promise<NatsCluster> {
  if (!Number.isInteger(size) || size < 1 || size > 9) {
    throw new MemocoError('TESTBED_ERR_BAD_OPTIONS', `startNatsCluster: size must be an integer 1..9, got ${size}`);
  }
  const clusterName = options.clusterName ?? 'memoco-test';
  const readyTimeoutMs = options.readyTimeoutMs ?? 30_000;
  const routePorts = await distinctFreePorts(size);
  const routes = routePorts.map((p) => `nats://127.0.0.1:${p}`);
  const nodes: NatsServer[] = [];
  try {
    for (let i = 0; i < size; i++) {
      const node: NatsServerOptions = {
        jetstream: true,
        clusterName,
        clusterPort: routePorts[i],
        // Every other member; a route to oneself would only be detected and dropped.
        routes: routes.filter((_, j) => j !== i),
        serverName: `${clusterName}-n${i + 1}`,
        user: options.user,
        pass: options.pass,
        readyTimeoutMs,
        // JetStream needs a quorum: a lone first node is never healthy, so wait for all below.
        waitForHealth: false,
      };
      nodes.push(await startNatsServer(node));
    }
    await waitAllHealthy(nodes, readyTimeoutMs);
  } catch (error) {
    await Promise.all(nodes.map((n) => n.stop()));
    throw error;
  }
  return {
    nodes,
    servers: nodes.map((n) => n.url),
    async stop() {
      await Promise.all(nodes.map((n) => n.stop()));
    },
  };
}

async function distinctFreePorts(count: number): Promise<number[]> {
  const ports = new Set<number>();
  while (ports.size < count) ports.add(await freePort());
  return [...ports];
}

async function waitAllHealthy(nodes: readonly NatsServer[], timeoutMs: number): Promise<void> {
  const healthy = async (node: NatsServer) => {
    try {
      return (await fetch(`${node.monitorUrl}/healthz`, { signal: AbortSignal.timeout(2000) })).ok;
    } catch {
      return false;
    }
  };
  const ok = await waitUntil(async () => ((await Promise.all(nodes.map(healthy))).every(Boolean) ? true : undefined), timeoutMs, 200);
  if (!ok) throw new MemocoError('TESTBED_ERR_START_FAILED', `nats cluster of ${nodes.length} did not become healthy within ${timeoutMs} ms`);
}
