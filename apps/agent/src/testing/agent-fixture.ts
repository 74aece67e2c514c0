/**
 * The agent wired as in production for its own specs: a real nats-server (user and
 * password), the fleet's JetStream resources made by the controller's own setup code, a
 * real flow model trained from the sample capture in the object store, the real engine on a
 * net_pcap port (EAL once per spec process), and the spec itself in the controller's seat:
 * it publishes assignments and cancels and reads the agent's reports off the stream.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { jetstream, jetstreamManager, type JetStreamManager } from '@nats-io/jetstream';
import { Kvm } from '@nats-io/kv';
import { Objm } from '@nats-io/obj';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import { trainModel, loadFlowModel, predictedRowPackets, type LoadedModel } from '@memoco/flow-model';
import {
  NATS_RESOURCE_NAMES,
  SUBJECTS,
  decodeMessage,
  encodeFlowSet,
  encodeMessage,
  natsResourceSpecs,
  type HostRegistration,
  type RunAssignment,
  type RunHostResult,
  type RunProgress,
} from '@memoco/protocol';
import { repoRoot, startNatsServer, waitUntil, type NatsServer } from '@memoco/testbed';
import { TxRuntime } from '@memoco/txcore';
import { ensureFleetResources } from '../../../controller/src/nats-resource-setup.ts';
import { createShardEngine } from '../engine-choice.ts';
import { NatsAgentGateway } from '../nats-agent-gateway.ts';
import { TxAgent, type TxAgentSettings } from '../tx-agent.ts';

const USER = 'memoco';
const PASS = 'agent-spec-secret';

export interface AgentFixture {
  nats: NatsServer;
  nc: NatsConnection;
  jsm: JetStreamManager;
  model: LoadedModel;
  dir: string;
  logs: string[];
  startAgent(host: string, settings?: Partial<TxAgentSettings>): Promise<TxAgent>;
  /** An assignment of every model row to `host`, split over `cores` cores round-robin. */
  assignment(host: string, overrides?: Partial<RunAssignment> & { coreCount?: number }): RunAssignment;
  publishAssignment(a: RunAssignment, msgId?: string): Promise<void>;
  publishCancel(runId: string): Promise<void>;
  waitForResult(runId: string, host: string, timeoutMs?: number): Promise<RunHostResult>;
  /** Every progress report of the run seen on the wire (core subscription, started before publishing). */
  watchProgress(runId: string, host: string): RunProgress[];
  registration(host: string): Promise<HostRegistration | undefined>;
  putModel(bytes: Uint8Array): Promise<string>;
  stop(): Promise<void>;
}

let runSeq = 0;

export async function startAgentFixture(): Promise<AgentFixture> {
  const nats = await startNatsServer({ user: USER, pass: PASS });
  const nc = await connect({ servers: nats.url, user: USER, pass: PASS, maxReconnectAttempts: -1, reconnectTimeWait: 200 });
  await ensureFleetResources(nc, natsResourceSpecs({ replicas: 1 }));
  const jsm = await jetstreamManager(nc);
  const { bytes } = await trainModel(join(repoRoot(), 'samples/pcpp__tls2.pcap'));
  const model = loadFlowModel(bytes);
  const os = await new Objm(nc).open(NATS_RESOURCE_NAMES.modelsBucket);
  await os.putBlob({ name: model.modelId }, bytes);
  const dir = mkdtempSync(join(tmpdir(), 'agent-spec-'));
  const runtime = TxRuntime.start({ workerLcores: 2, memoryMb: 512 });
  const agents: TxAgent[] = [];
  const logs: string[] = [];
  const js = jetstream(nc);

  return {
    nats,
    nc,
    jsm,
    model,
    dir,
    logs,
    async startAgent(host, settings = {}) {
      const gateway = await NatsAgentGateway.open({ connect: { servers: [nats.url], user: USER, password: PASS, name: `spec-agent-${host}` }, host, log: (m) => logs.push(`${host}: ${m}`) });
      const agent = new TxAgent({
        gateway,
        engine: createShardEngine(runtime),
        settings: {
          host,
          ports: [`net_pcap0,tx_pcap=${dir}/${host}-{runId}.pcap`],
          cores: 2,
          tag: true,
          progressIntervalMs: 200,
          lateStartToleranceMs: 1000,
          shutdownResultRetryMs: 2000,
          version: 'spec',
          heartbeatIntervalMs: 200,
          portInfo: [{ id: 0, name: 'net_pcap0' }],
          ...settings,
        },
        log: (m) => logs.push(`${host}: ${m}`),
      });
      await agent.start();
      agents.push(agent);
      return agent;
    },
    assignment(host, overrides = {}) {
      const coreCount = overrides.coreCount ?? 2;
      const rows = predictedRowPackets(model.model);
      const perCore = Array.from({ length: coreCount }, () => [] as number[]);
      for (let r = 0; r < rows.length; r++) perCore[r % coreCount]!.push(r);
      const { coreCount: _unused, ...rest } = overrides;
      return {
        runId: `spec-${process.pid}-${++runSeq}`,
        host,
        hostIndex: 0,
        hostCount: 1,
        modelId: model.modelId,
        modelSha256: model.modelId,
        startAtUnixMs: Date.now() + 800,
        durationS: 1,
        rate: { unit: 'pps', value: 1000 },
        seed: 7,
        port: 0,
        cores: perCore.map((ids, core) => ({ core, flows: encodeFlowSet(Uint32Array.from(ids)), predictedPackets: ids.reduce((s, r) => s + rows[r]!, 0) })),
        flowCount: rows.length,
        predictedPackets: rows.reduce((s, v) => s + v, 0),
        issuedAtUnixMs: Date.now(),
        ...rest,
      };
    },
    async publishAssignment(a, msgId = `${a.runId}.assign.${a.host}`) {
      await js.publish(SUBJECTS.runAssign(a.runId, a.host), encodeMessage('assignment', a), { msgID: msgId });
    },
    async publishCancel(runId) {
      await js.publish(SUBJECTS.runCancel(runId), encodeMessage('cancel', { runId, atUnixMs: Date.now(), reason: 'spec' }));
    },
    async waitForResult(runId, host, timeoutMs = 20_000) {
      const subject = SUBJECTS.runReport(runId, host, 'result');
      const stored = await waitUntil(async () => (await jsm.streams.getMessage(NATS_RESOURCE_NAMES.runsStream, { last_by_subj: subject }).catch(() => null)) ?? undefined, timeoutMs, 50);
      if (!stored) throw new Error(`no result of ${runId} from ${host} within ${timeoutMs} ms; agent log:\n${logs.join('\n')}`);
      return decodeMessage('result', stored.data);
    },
    watchProgress(runId, host) {
      const seen: RunProgress[] = [];
      const sub = nc.subscribe(SUBJECTS.runReport(runId, host, 'progress'));
      void (async () => {
        for await (const msg of sub) seen.push(decodeMessage('progress', msg.data));
      })();
      return seen;
    },
    async registration(host) {
      const kv = await new Kvm(nc).open(NATS_RESOURCE_NAMES.hostsBucket);
      const entry = await kv.get(host);
      return entry && entry.operation === 'PUT' ? decodeMessage('hostRegistration', entry.value) : undefined;
    },
    async putModel(modelBytes) {
      const id = loadFlowModel(modelBytes).modelId;
      await (await new Objm(nc).open(NATS_RESOURCE_NAMES.modelsBucket)).putBlob({ name: id }, modelBytes);
      return id;
    },
    async stop() {
      await Promise.all(agents.map((a) => a.stop()));
      await nc.close();
      await nats.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
