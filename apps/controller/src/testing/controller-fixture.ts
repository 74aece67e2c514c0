/**
 * The controller wired as in production for tests: a real nats-server (with a user and
 * password), the run store on embedded PGlite, the NATS gateway, Fastify's `inject()` for
 * requests, and simulated agents on the same server. Short timeouts keep runs to seconds.
 */
import { createHash } from 'node:crypto';
import { Objm } from '@nats-io/obj';
import { connect } from '@nats-io/transport-node';
import { NATS_RESOURCE_NAMES, type RunStatus } from '@memoco/protocol';
import { openRunStore, type RunDetail, type RunStore } from '@memoco/run-store';
import { startNatsCluster, startNatsServer, waitUntil, type NatsCluster, type NatsServer } from '@memoco/testbed';
import { buildControllerApp, type ControllerApp } from '../app.ts';
import { DEFAULT_CONTROLLER_CONFIG, type ControllerConfig } from '../controller-config.ts';
import { NatsFleetGateway } from '../nats-fleet-gateway.ts';
import { SimulatedAgent, type SimulatedAgentOptions } from './simulated-agent.ts';

export const TEST_TOKEN = 'test-token-0123456789abcdef';
const NATS_USER = 'memoco';
const NATS_PASS = 'fleet-secret';

/** Test models are JSON arrays of predicted packets: the flow table is all the planner reads. */
export const readJsonFlowTable = (bytes: Uint8Array) => Float64Array.from(JSON.parse(new TextDecoder().decode(bytes)) as number[]);

export interface ControllerFixture {
  /** The single server (absent on a cluster fixture). */
  nats: NatsServer | undefined;
  cluster: NatsCluster | undefined;
  servers: string[];
  store: RunStore;
  fleet: NatsFleetGateway;
  controller: ControllerApp;
  config: ControllerConfig;
  agents: SimulatedAgent[];
  startAgent(host: string, options?: Partial<SimulatedAgentOptions>): Promise<SimulatedAgent>;
  putModel(predictedPackets: number[]): Promise<string>;
  request(method: 'GET' | 'POST', url: string, body?: unknown): Promise<{ status: number; json: any }>;
  waitForRun(runId: string, done: (detail: RunDetail) => boolean, timeoutMs?: number): Promise<RunDetail>;
  waitForHosts(names: string[]): Promise<void>;
  stop(): Promise<void>;
}

export const FAST_CONFIG: Partial<ControllerConfig> = {
  apiToken: TEST_TOKEN,
  hostTimeoutMs: 2500,
  startLeadMs: 400,
  resultGraceMs: 3000,
  cancelGraceMs: 1500,
  followIntervalMs: 100,
};

export interface FixtureOptions {
  /** Run a 3-node JetStream cluster (replicas 3) instead of one server. */
  cluster?: boolean;
}

export async function startControllerFixture(overrides: Partial<ControllerConfig> = {}, options: FixtureOptions = {}): Promise<ControllerFixture> {
  const nats = options.cluster ? undefined : await startNatsServer({ user: NATS_USER, pass: NATS_PASS });
  const cluster = options.cluster ? await startNatsCluster(3, { user: NATS_USER, pass: NATS_PASS }) : undefined;
  const servers = nats ? [nats.url] : cluster!.servers;
  const replicas = cluster ? 3 : 1;
  const config: ControllerConfig = { ...DEFAULT_CONTROLLER_CONFIG, ...FAST_CONFIG, natsServers: servers, natsUser: NATS_USER, natsPassword: NATS_PASS, natsReplicas: replicas, ...overrides };
  const store = await openRunStore({});
  const fleet = await NatsFleetGateway.open({
    connect: { servers: config.natsServers, user: NATS_USER, password: NATS_PASS, name: 'controller-under-test' },
    resources: { replicas: config.natsReplicas },
    registryStallMs: Math.max(1000, Math.floor(config.hostTimeoutMs / 3)),
    nowMs: Date.now,
    log: () => {},
  });
  const controller = buildControllerApp({ runs: store.runs, catalog: store.catalog, fleet, readFlowTable: readJsonFlowTable, config });
  controller.follower.start();
  const agents: SimulatedAgent[] = [];

  const fixture: ControllerFixture = {
    nats,
    cluster,
    servers,
    store,
    fleet,
    controller,
    config,
    agents,
    async startAgent(host, options = {}) {
      const agent = await SimulatedAgent.start({ servers, user: NATS_USER, pass: NATS_PASS, host, ...options });
      agents.push(agent);
      return agent;
    },
    async putModel(predictedPackets) {
      const bytes = new TextEncoder().encode(JSON.stringify(predictedPackets));
      const id = createHash('sha256').update(bytes).digest('hex');
      const nc = await connect({ servers, user: NATS_USER, pass: NATS_PASS });
      const os = await new Objm(nc).open(NATS_RESOURCE_NAMES.modelsBucket);
      await os.putBlob({ name: id }, bytes);
      await nc.close();
      return id;
    },
    async request(method, url, body) {
      const response = await controller.app.inject({ method, url, headers: { authorization: `Bearer ${TEST_TOKEN}` }, ...(body !== undefined ? { payload: body as object } : {}) });
      return { status: response.statusCode, json: response.body ? response.json() : undefined };
    },
    async waitForRun(runId, done, timeoutMs = 20_000) {
      const detail = await waitUntil(async () => {
        const d = await store.runs.getRunDetail(runId);
        return d && done(d) ? d : undefined;
      }, timeoutMs, 50);
      if (!detail) throw new Error(`run ${runId} did not reach the expected state: ${JSON.stringify(await store.runs.getRunDetail(runId), null, 1)}`);
      return detail;
    },
    async waitForHosts(names) {
      const ok = await waitUntil(async () => {
        const seen = new Set((await fleet.listHosts()).filter((h) => Date.now() - h.lastHeartbeatUnixMs < config.hostTimeoutMs).map((h) => h.registration.host));
        return names.every((n) => seen.has(n)) ? true : undefined;
      }, 10_000);
      if (!ok) throw new Error(`hosts ${names.join(',')} did not register`);
    },
    async stop() {
      await Promise.all(agents.map((a) => a.stop()));
      await controller.app.close();
      await fleet.close();
      await store.close();
      await nats?.stop();
      await cluster?.stop();
    },
  };
  return fixture;
}

export const isFinal = (status: RunStatus) => ['completed', 'partial', 'failed', 'cancelled'].includes(status);
