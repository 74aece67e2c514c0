/**
 * Scale-out (issue 6): the infra/nats configs are valid, and the controller runs unchanged
 * against a 3-node JetStream cluster with every stream and bucket replicated 3 times, even
 * when a node dies mid-run.
 */
import { readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { jetstreamManager } from '@nats-io/jetstream';
import { connect } from '@nats-io/transport-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { NATS_RESOURCE_NAMES } from '@memoco/protocol';
import { runCommand } from '@memoco/testbed';
import { isFinal, startControllerFixture, type ControllerFixture } from './testing/controller-fixture.ts';

const infra = join(dirname(fileURLToPath(import.meta.url)), '../../../infra/nats');

describe('infra/nats configs', () => {
  const configs = ['single/nats-server.conf', ...readdirSync(join(infra, 'cluster')).map((f) => `cluster/${f}`)];
  it.each(configs)('%s passes nats-server -t', async (config) => {
    const env = { ...process.env, MEMOCO_NATS_USER: 'memoco', MEMOCO_NATS_PASSWORD: 'secret' };
    const { stderr, stdout } = await runCommand('nats-server', ['-t', '-c', join(infra, config)], { env });
    expect(`${stdout}${stderr}`).toMatch(/is valid/);
  });
});

describe('controller on a 3-node NATS cluster', () => {
  let f: ControllerFixture;
  beforeAll(async () => {
    // A killed node's streams elect new leaders within a few seconds, during which no
    // heartbeat lands: the host timeout must outlast that (docs/fleet.md, "Timeouts").
    // Measured: up to ~9 s without a heartbeat when the whole suite loads this 2-CPU machine.
    f = await startControllerFixture({ hostTimeoutMs: 15_000, resultGraceMs: 10_000 }, { cluster: true });
  });
  afterAll(async () => f?.stop());

  it('replicates streams and buckets 3 times and completes a run through the loss of a node', async () => {
    const nc = await connect({ servers: f.servers, user: 'memoco', pass: 'fleet-secret' });
    const jsm = await jetstreamManager(nc);
    for (const stream of [NATS_RESOURCE_NAMES.runsStream, NATS_RESOURCE_NAMES.modelsStream, `KV_${NATS_RESOURCE_NAMES.hostsBucket}`, `OBJ_${NATS_RESOURCE_NAMES.modelsBucket}`]) {
      expect((await jsm.streams.info(stream)).config.num_replicas, stream).toBe(3);
    }
    await nc.close();

    // Each agent on its own node (the client picks the first server listed).
    await f.startAgent('cl-1');
    const second = await f.startAgent('cl-2');
    void second;
    await f.waitForHosts(['cl-1', 'cl-2']);
    const model = await f.putModel(Array.from({ length: 64 }, (_, i) => i + 1));
    const { json } = await f.request('POST', '/v1/runs', { model, hosts: ['cl-1', 'cl-2'], durationS: 3, rate: { unit: 'pps', value: 500 } });
    const runId: string = json.run.id;
    await f.waitForRun(runId, (d) => d.hosts.every((h) => h.status === 'running'));
    await f.cluster!.nodes[2]!.kill('SIGKILL');
    const done = await f.waitForRun(runId, (d) => isFinal(d.run.status), 30_000);
    expect(done, JSON.stringify(done, null, 1)).toMatchObject({ run: { status: 'completed' } });
  });
});
