/**
 * The fleet of the end-to-end tests (issue 6, "Done when"): a real nats-server (or a real
 * 3-node cluster), a real PostgreSQL 15 for the controller's run history, the controller
 * and trainer as processes, and 3 real agents as processes, each sending through
 * net_af_packet on a veth pair into a namespace made here, where tcpdump captures every
 * run. Timeouts are short so a run takes seconds; everything is torn down by stop(), and
 * by the testbed's and the launcher's exit hooks if a test dies.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Objm } from '@nats-io/obj';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import { NATS_RESOURCE_NAMES, isFinalRunStatus } from '@memoco/protocol';
import { verifyOrder, type VerifyResult } from '@memoco/replay-check';
import { openRunStore, type RunDetail, type RunStore } from '@memoco/run-store';
import {
  captureInNamespace,
  createVethPair,
  makeTempDir,
  repoRoot,
  startNatsCluster,
  startNatsServer,
  startPostgres,
  waitUntil,
  type NamespaceCapture,
  type NatsCluster,
  type NatsServer,
  type PostgresServer,
  type TempDir,
  type VethPair,
} from '@memoco/testbed';
import { LocalFleet, type AgentLaunch } from '../../apps/cli/src/fleet/local-fleet.ts';

const USER = 'memoco';
const PASS = 'e2e-fleet-secret';
export const SAMPLE = join(repoRoot(), 'samples/pcpp__tls2.pcap');
const VETH_MTU = 2000;

export interface VethFleetOptions {
  agents?: number;
  cluster?: boolean;
  controllerEnv?: Record<string, string>;
}

export interface RunOutcome {
  detail: RunDetail;
  /** Per host: what tcpdump in its namespace saw, checked by the sequence tags. */
  captures: Map<string, { packets: number; droppedByKernel: number; order: VerifyResult }>;
}

export class VethFleet {
  private captures = new Map<string, NamespaceCapture>();
  private runNo = 0;

  private constructor(
    readonly fleet: LocalFleet,
    readonly pairs: VethPair[],
    readonly store: RunStore,
    readonly postgres: PostgresServer,
    readonly nats: NatsServer | undefined,
    readonly cluster: NatsCluster | undefined,
    readonly tmp: TempDir,
    readonly launches: AgentLaunch[],
  ) {}

  static async start(options: VethFleetOptions = {}): Promise<VethFleet> {
    const tmp = makeTempDir('e2e-fleet');
    const postgres = await startPostgres();
    const databaseUrl = await postgres.createDatabase('memoco_e2e');
    const nats = options.cluster ? undefined : await startNatsServer({ user: USER, pass: PASS });
    const cluster = options.cluster ? await startNatsCluster(3, { user: USER, pass: PASS }) : undefined;
    const servers = nats ? [nats.url] : cluster!.servers;
    const pairs: VethPair[] = [];
    // Synthesised frames may be a little over 1514 bytes (a model's size buckets are 64 B
    // wide), which a 1500-MTU veth drops before the capture sees them.
    for (let i = 0; i < (options.agents ?? 3); i++) pairs.push(await createVethPair({ mtu: VETH_MTU }));
    // On the cluster each agent prefers its own node (agent i first tries node i).
    const launches: AgentLaunch[] = pairs.map((pair, i) => ({
      host: `tx-${i + 1}`,
      ports: [`net_af_packet0,iface=${pair.hostIf},qdisc_bypass=1`],
      capture: `${pair.ns}:${pair.nsIf}`,
      namespace: pair.ns,
      natsServers: [...servers.slice(i % servers.length), ...servers.slice(0, i % servers.length)],
    }));
    const fleet = await LocalFleet.start({
      dir: tmp.path,
      agents: launches,
      nats: { servers, user: USER, password: PASS, replicas: cluster ? 3 : 1 },
      databaseUrl,
      controllerEnv: {
        // On the cluster, no heartbeat lands while the KV stream elects a new leader after a
        // node loss: seconds, more on this shared 2-CPU machine (docs/fleet.md, "Timeouts").
        MEMOCO_HOST_TIMEOUT_MS: cluster ? '15000' : '3000',
        MEMOCO_START_LEAD_MS: '2500',
        MEMOCO_RESULT_GRACE_MS: '10000',
        MEMOCO_FOLLOW_INTERVAL_MS: '250',
        ...options.controllerEnv,
      },
    });
    const store = await openRunStore({ databaseUrl, migrate: false });
    return new VethFleet(fleet, pairs, store, postgres, nats, cluster, tmp, launches);
  }

  get servers(): string[] {
    return this.nats ? [this.nats.url] : this.cluster!.servers;
  }

  async natsConnection(): Promise<NatsConnection> {
    return connect({ servers: this.servers, user: USER, pass: PASS });
  }

  /** Uploads a capture to the trainer (POST /v1/traces), which trains and stores the model; returns its id and bytes. */
  async uploadModel(query = '', trace = SAMPLE): Promise<{ id: string; bytes: Uint8Array }> {
    const upload = await this.trainerApi('POST', `/v1/traces${query}`, readFileSync(trace));
    if (upload.status !== 201) throw new Error(`upload answered ${upload.status}: ${JSON.stringify(upload.json)}`);
    const id = upload.json.modelId as string;
    const content = await fetch(`${this.fleet.trainerUrl}/v1/models/${id}/content`, { headers: { authorization: `Bearer ${this.fleet.token}` } });
    return { id, bytes: new Uint8Array(await content.arrayBuffer()) };
  }

  async trainerApi(method: 'GET' | 'POST', path: string, body?: Uint8Array, token = this.fleet.token): Promise<{ status: number; json: any }> {
    const response = await fetch(`${this.fleet.trainerUrl}${path}`, { method, headers: { authorization: `Bearer ${token}` }, ...(body ? { body } : {}) });
    const text = await response.text();
    return { status: response.status, json: text ? JSON.parse(text) : undefined };
  }

  /** Stores `bytes` under the name `id`, whatever they hash to. */
  async putModelBytes(id: string, bytes: Uint8Array): Promise<void> {
    const nc = await this.natsConnection();
    await (await new Objm(nc).open(NATS_RESOURCE_NAMES.modelsBucket)).putBlob({ name: id }, bytes);
    await nc.close();
  }

  async api(method: 'GET' | 'POST', path: string, body?: unknown, token = this.fleet.token): Promise<{ status: number; json: any }> {
    const response = await fetch(`${this.fleet.controllerUrl}${path}`, {
      method,
      headers: { authorization: `Bearer ${token}`, ...(body !== undefined ? { 'content-type': 'application/json' } : {}) },
      ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
    });
    const text = await response.text();
    return { status: response.status, json: text ? JSON.parse(text) : undefined };
  }

  /** Starts tcpdump in every agent's namespace, then creates the run; returns its id. */
  async startRun(request: Record<string, unknown>): Promise<string> {
    this.runNo++;
    for (const [i, pair] of this.pairs.entries()) {
      this.captures.set(this.launches[i]!.host, await captureInNamespace(pair.ns, pair.nsIf, join(this.tmp.path, `run${this.runNo}-${this.launches[i]!.host}.pcap`)));
    }
    const { status, json } = await this.api('POST', '/v1/runs', request);
    if (status !== 201) throw new Error(`POST /v1/runs answered ${status}: ${JSON.stringify(json)}`);
    return json.run.id as string;
  }

  /** The run as recorded in PostgreSQL, once `done` holds. */
  async waitForRun(runId: string, done: (d: RunDetail) => boolean = (d) => isFinalRunStatus(d.run.status), timeoutMs = 45_000): Promise<RunDetail> {
    const detail = await waitUntil(async () => {
      const d = await this.store.runs.getRunDetail(runId);
      return d && done(d) ? d : undefined;
    }, timeoutMs, 100);
    if (!detail) throw new Error(`run ${runId} did not get there in ${timeoutMs} ms: ${JSON.stringify(await this.store.runs.getRunDetail(runId), null, 1)}\n${this.logs()}`);
    return detail;
  }

  /** Waits for the run's end, stops the captures and checks each one's order by its tags. */
  async finishRun(runId: string, timeoutMs?: number): Promise<RunOutcome> {
    const detail = await this.waitForRun(runId, undefined, timeoutMs);
    const captures: RunOutcome['captures'] = new Map();
    for (const [host, capture] of this.captures) {
      const { packets, droppedByKernel, file } = await capture.stopWhenIdle({ quietMs: 400 });
      captures.set(host, { packets, droppedByKernel, order: await verifyOrder(file, { tags: true }) });
    }
    this.captures.clear();
    return { detail, captures };
  }

  logs(): string {
    return [this.fleet.controllerProcess, this.fleet.trainerProcess, ...this.fleet.agents.map((a) => a.process)].map((p) => p ? `--- ${p.name}\n${p.output(15)}` : '').join('\n');
  }

  async stop(): Promise<void> {
    for (const capture of this.captures.values()) await capture.stop().catch(() => {});
    await this.fleet.stop();
    await this.store.close();
    await this.nats?.stop();
    await this.cluster?.stop();
    await this.postgres.stop();
    for (const pair of this.pairs) await pair.destroy();
    this.tmp.remove();
  }
}
