/**
 * The trainer wired as in production for tests: a real nats-server (with a user and
 * password), NatsModelStore, `buildTrainerApp`, Fastify's `inject()` for requests, a real
 * listening socket for streaming uploads, and a separate NATS connection that inspects
 * what was stored and announced.
 */
import type { AddressInfo } from 'node:net';
import { jetstreamManager, type JetStreamManager } from '@nats-io/jetstream';
import { Objm, type ObjectInfo, type ObjectStore } from '@nats-io/obj';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import { NATS_RESOURCE_NAMES, decodeMessage, type ModelAnnouncement } from '@memoco/protocol';
import { startNatsCluster, startNatsServer, type NatsCluster, type NatsServer } from '@memoco/testbed';
import { buildTrainerApp, type TrainerApp, type TrainerAppConfig } from '../app.ts';
import { NatsModelStore } from '../nats-model-store.ts';
import { DEFAULT_TRAINER_CONFIG } from '../trainer-config.ts';

export const TEST_TOKEN = 'trainer-test-token-0123456789';
const NATS_USER = 'memoco';
const NATS_PASS = 'trainer-secret';

export interface TrainerUnderTest extends TrainerApp {
  name: string;
  store: NatsModelStore;
  /** `http://127.0.0.1:PORT` once listen() was called. */
  url: string | undefined;
  listen(): Promise<string>;
  request(method: 'GET' | 'POST', url: string, options?: { payload?: Buffer | Uint8Array; headers?: Record<string, string> }): Promise<{ status: number; json: any; headers: Record<string, unknown>; raw: Buffer }>;
}

export interface TrainerFixture {
  /** The single server (absent on a cluster fixture). */
  nats: NatsServer | undefined;
  cluster: NatsCluster | undefined;
  servers: string[];
  /** A trainer connected to `servers` (default: all of them, the client picks the first). */
  startTrainer(name: string, overrides?: Partial<TrainerAppConfig>, servers?: string[]): Promise<TrainerUnderTest>;
  /** Objects in the model bucket (not deleted). */
  storedModels(): Promise<ObjectInfo[]>;
  storedBytes(modelId: string): Promise<Uint8Array | null>;
  /** Every announcement the MEMOCO_MODELS stream holds, oldest first. */
  announcements(): Promise<ModelAnnouncement[]>;
  /** Puts bytes under a name directly, as a buggy or foreign writer would. */
  putRaw(name: string, bytes: Uint8Array): Promise<void>;
  stop(): Promise<void>;
}

export const TEST_CONFIG: TrainerAppConfig = { ...DEFAULT_TRAINER_CONFIG, apiToken: TEST_TOKEN };

async function startOne(servers: string[], replicas: number, name: string, config: TrainerAppConfig): Promise<TrainerUnderTest> {
  const store = await NatsModelStore.open({ connect: { servers, user: NATS_USER, password: NATS_PASS, name }, resources: { replicas } });
  const trainer = buildTrainerApp({ models: store, config, trainerName: name });
  const t: TrainerUnderTest = {
    ...trainer,
    name,
    store,
    url: undefined,
    async listen() {
      await trainer.app.listen({ host: '127.0.0.1', port: 0 });
      t.url = `http://127.0.0.1:${(trainer.app.server.address() as AddressInfo).port}`;
      return t.url;
    },
    async request(method, url, options = {}) {
      const response = await trainer.app.inject({
        method,
        url,
        headers: { authorization: `Bearer ${TEST_TOKEN}`, ...(options.payload ? { 'content-type': 'application/vnd.tcpdump.pcap' } : {}), ...options.headers },
        ...(options.payload ? { payload: Buffer.from(options.payload) } : {}),
      });
      const isJson = String(response.headers['content-type'] ?? '').startsWith('application/json');
      return { status: response.statusCode, json: isJson ? response.json() : undefined, headers: response.headers, raw: response.rawPayload };
    },
  };
  return t;
}

export async function startTrainerFixture(options: { cluster?: boolean } = {}): Promise<TrainerFixture> {
  const nats = options.cluster ? undefined : await startNatsServer({ user: NATS_USER, pass: NATS_PASS });
  const cluster = options.cluster ? await startNatsCluster(3, { user: NATS_USER, pass: NATS_PASS }) : undefined;
  const servers = nats ? [nats.url] : cluster!.servers;
  const replicas = cluster ? 3 : 1;
  const trainers: TrainerUnderTest[] = [];
  let inspector: { nc: NatsConnection; jsm: JetStreamManager; objects: ObjectStore } | undefined;
  const inspect = async () => {
    if (!inspector) {
      // Opened after a trainer created the bucket and stream.
      const nc = await connect({ servers, user: NATS_USER, pass: NATS_PASS, name: 'trainer-test-inspector' });
      inspector = { nc, jsm: await jetstreamManager(nc), objects: await new Objm(nc).open(NATS_RESOURCE_NAMES.modelsBucket) };
    }
    return inspector;
  };
  return {
    nats,
    cluster,
    servers,
    async startTrainer(name, overrides = {}, only = servers) {
      const t = await startOne(only, replicas, name, { ...TEST_CONFIG, ...overrides });
      trainers.push(t);
      return t;
    },
    async storedModels() {
      return (await (await inspect()).objects.list()).filter((o) => !o.deleted);
    },
    async storedBytes(modelId) {
      return (await inspect()).objects.getBlob(modelId);
    },
    async announcements() {
      const { jsm } = await inspect();
      const { state } = await jsm.streams.info(NATS_RESOURCE_NAMES.modelsStream);
      const out: ModelAnnouncement[] = [];
      for (let seq = state.first_seq; seq <= state.last_seq && state.messages > 0; seq++) {
        const msg = await jsm.streams.getMessage(NATS_RESOURCE_NAMES.modelsStream, { seq }).catch(() => null);
        if (msg) out.push(decodeMessage('modelAnnouncement', msg.data));
      }
      return out;
    },
    async putRaw(name, bytes) {
      await (await inspect()).objects.putBlob({ name }, bytes);
    },
    async stop() {
      for (const t of trainers) {
        await t.app.close();
        await t.store.close();
      }
      await inspector?.nc.close();
      await nats?.stop();
      await cluster?.stop();
    },
  };
}
