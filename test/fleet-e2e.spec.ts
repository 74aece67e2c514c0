/**
 * The fleet end to end (issue 6, "Done when"): a real nats-server, a real PostgreSQL 15 for
 * the run history, the controller as a process and 3 agents as processes sending through
 * net_af_packet on veths into namespaces captured with tcpdump. Each run is paced (a few
 * thousand packets per host) and lasts seconds; models come from the trainer process
 * (POST /v1/traces of the sample). Scenarios: a normal run (history right in Postgres,
 * order right on every capture); a model whose digest does not match; a wrong token; a
 * corrupt upload; one agent killed mid-run; nats-server restarted mid-run; on a 3-node cluster, one
 * node killed mid-run.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { jetstreamManager } from '@nats-io/jetstream';
import { NATS_RESOURCE_NAMES } from '@memoco/protocol';
import { NETNS_SKIP_REASON, canUseNetns } from '@memoco/testbed';
import { SAMPLE, VethFleet, type RunOutcome } from './fleet/veth-fleet.ts';

const netns = await canUseNetns();
const HOSTS = ['tx-1', 'tx-2', 'tx-3'];
const byHost = (o: RunOutcome) => Object.fromEntries(o.detail.hosts.map((h) => [h.host, h]));

/** Every host completed and its capture holds exactly its packets, in order, none lost. */
function expectCompletedInOrder(o: RunOutcome, hosts: string[]): void {
  const parts = byHost(o);
  for (const host of hosts) {
    const capture = o.captures.get(host)!;
    expect(parts[host], host).toMatchObject({ status: 'completed', outOfOrder: 0, error: null });
    expect(capture.droppedByKernel, host).toBe(0);
    expect(capture.order, `${host}: ${JSON.stringify(capture.order)}`).toMatchObject({ ok: true, received: parts[host]!.packets, matched: parts[host]!.packets, missing: 0, duplicates: 0, outOfOrder: 0 });
  }
}

/** rate x duration packets, plus at most one per host for rounding its share up. */
function expectPpsTotal(o: RunOutcome, packets: number): void {
  const total = o.detail.hosts.reduce((s, h) => s + h.packets, 0);
  expect(total, JSON.stringify(o.detail.hosts.map((h) => h.packets))).toBeGreaterThanOrEqual(packets);
  expect(total).toBeLessThanOrEqual(packets + o.detail.hosts.length);
}

describe.skipIf(!netns)(`fleet on one nats-server, 3 agents on veths (${NETNS_SKIP_REASON})`, () => {
  let f: VethFleet;
  let model: { id: string; bytes: Uint8Array };
  beforeAll(async () => {
    f = await VethFleet.start();
    model = await f.uploadModel();
  }, 120_000);
  afterAll(async () => f?.stop(), 60_000);

  it('runs a model across the 3 agents: history right in PostgreSQL, order right on every capture', async () => {
    const runId = await f.startRun({ model: model.id, hosts: 3, durationS: 2, rate: { unit: 'pps', value: 3000 }, seed: 11 });
    const o = await f.finishRun(runId);
    expect(f.store.kind).toBe('postgres');
    expect(o.detail.run).toMatchObject({ id: runId, status: 'completed', modelId: model.id, hostCount: 3, seed: 11, flowCount: 334 });
    expect(o.detail.hosts.map((h) => h.host).sort()).toEqual(HOSTS);
    expectCompletedInOrder(o, HOSTS);
    // Each host sends the packets due before the end: ceil(its pps share x duration).
    expectPpsTotal(o, 6000);
    expect(o.detail.hosts.reduce((s, h) => s + h.flowCount, 0)).toBe(334);
    const kinds = o.detail.events.map((e) => e.kind);
    expect(kinds.filter((k) => k === 'host-completed')).toHaveLength(3);
    expect(o.detail.events.at(-1)).toMatchObject({ kind: 'finished', message: 'run completed: 3 completed, 0 failed, 0 cancelled of 3 hosts' });
    // The API answers from the same store.
    expect((await f.api('GET', `/v1/runs/${runId}`)).json.run.status).toBe('completed');
  });

  it('refuses a model whose bytes no longer match its digest: every agent says why, nothing is sent', async () => {
    // The controller planned this model's last run and keeps its flow table; the object is
    // now replaced by other bytes, so the agents fetch bytes that do not hash to the id.
    const other = await f.uploadModel('?binMs=20');
    await f.putModelBytes(model.id, other.bytes);
    try {
      const runId = await f.startRun({ model: model.id, hosts: 3, durationS: 1, rate: { unit: 'pps', value: 600 } });
      const o = await f.finishRun(runId);
      expect(o.detail.run.status).toBe('failed');
      for (const part of o.detail.hosts) {
        expect(part, part.host).toMatchObject({ status: 'failed', packets: 0, error: { code: 'AGENT_ERR_MODEL_DIGEST_MISMATCH' } });
        expect(part.error!.message).toContain(`has SHA-256 ${other.id}, the assignment expects ${model.id}`);
        expect(o.captures.get(part.host)!.packets).toBe(0);
      }
      expect(o.detail.events.at(-1)!.message).toBe('run failed: 0 completed, 3 failed, 0 cancelled of 3 hosts');
    } finally {
      await f.putModelBytes(model.id, model.bytes);
    }
  });

  it('answers a wrong token with 401 and the coded error, on the controller and the trainer', async () => {
    const wrong = await f.api('GET', '/v1/runs', undefined, `${f.fleet.token}x`);
    expect(wrong).toEqual({ status: 401, json: { error: { code: 'CONTROLLER_ERR_UNAUTHORIZED', message: expect.any(String) } } });
    expect((await f.api('POST', '/v1/runs', { model: model.id, hosts: 1, durationS: 1, rate: { unit: 'pps', value: 1 } }, 'nope')).status).toBe(401);
    const upload = await f.trainerApi('POST', '/v1/traces', readFileSync(SAMPLE), 'nope-nope-nope-nope');
    expect(upload).toMatchObject({ status: 401, json: { error: { code: 'TRAINER_ERR_UNAUTHORIZED' } } });
  });

  it('refuses a corrupt upload with a 4xx and its code, and publishes nothing', async () => {
    const nc = await f.natsConnection();
    const jsm = await jetstreamManager(nc);
    const before = (await jsm.streams.info(NATS_RESOURCE_NAMES.modelsStream)).state.messages;
    const models = (await f.trainerApi('GET', '/v1/models')).json.models.length;
    const sample = readFileSync(SAMPLE);
    const truncated = sample.subarray(0, 24 + 16 + 1000); // the first record's header promises more than follows
    const answer = await f.trainerApi('POST', '/v1/traces', truncated);
    expect(answer.status).toBeGreaterThanOrEqual(400);
    expect(answer.status).toBeLessThan(500);
    expect(answer.json.error.code).toMatch(/^PCAP_ERR_/);
    const garbage = await f.trainerApi('POST', '/v1/traces', new TextEncoder().encode('this is not a capture at all, just text'.repeat(10)));
    expect(garbage).toMatchObject({ status: 400, json: { error: { code: 'PCAP_ERR_BAD_MAGIC' } } });
    expect((await jsm.streams.info(NATS_RESOURCE_NAMES.modelsStream)).state.messages).toBe(before);
    expect((await f.trainerApi('GET', '/v1/models')).json.models.length).toBe(models);
    await nc.close();
  });

  it('records an agent killed mid-run as failed and the run partial while the others complete', async () => {
    const runId = await f.startRun({ model: model.id, hosts: 3, durationS: 4, rate: { unit: 'pps', value: 1500 } });
    await f.waitForRun(runId, (d) => d.hosts.every((h) => h.status === 'running' && h.packets > 0));
    await f.fleet.agent('tx-2').process.kill('SIGKILL');
    const o = await f.finishRun(runId);
    expect(o.detail.run.status).toBe('partial');
    const parts = byHost(o);
    expect(parts['tx-2']).toMatchObject({ status: 'failed', error: { code: 'CONTROLLER_ERR_HOST_LOST' } });
    expectCompletedInOrder(o, ['tx-1', 'tx-3']);
    // What tx-2 sent before it died is in order too, and at least what it last reported.
    const lost = o.captures.get('tx-2')!;
    expect(lost.order).toMatchObject({ outOfOrder: 0, duplicates: 0 });
    expect(lost.packets).toBeGreaterThanOrEqual(parts['tx-2']!.packets);
    expect(lost.packets).toBeLessThan(2000);
    expect(o.detail.events.find((e) => e.kind === 'host-lost')).toMatchObject({ host: 'tx-2' });
    expect(o.detail.events.at(-1)!.message).toBe('run partial: 2 completed, 1 failed, 0 cancelled of 3 hosts');
    await f.fleet.startAgent(f.launches[1]!);
  });

  it('keeps a run going through a nats-server restart: agents reconnect, the run completes', async () => {
    await f.fleet.waitForHosts(HOSTS, 20_000);
    const runId = await f.startRun({ model: model.id, hosts: 3, durationS: 5, rate: { unit: 'pps', value: 1500 } });
    await f.waitForRun(runId, (d) => d.hosts.every((h) => h.status === 'running' && h.packets > 0));
    await f.nats!.restart();
    const o = await f.finishRun(runId, 60_000);
    expect(o.detail.run.status).toBe('completed');
    expectCompletedInOrder(o, HOSTS);
    expectPpsTotal(o, 7500);
    for (const agent of f.fleet.agents) expect(agent.process.output(200)).toMatch(/NATS reconnected/);
  });
});

describe.skipIf(!netns)(`fleet on a 3-node nats-server cluster (${NETNS_SKIP_REASON})`, () => {
  let f: VethFleet;
  beforeAll(async () => {
    f = await VethFleet.start({ cluster: true });
  }, 120_000);
  afterAll(async () => f?.stop(), 60_000);

  it('completes a run through the loss of one node', async () => {
    const model = await f.uploadModel();
    const runId = await f.startRun({ model: model.id, hosts: 3, durationS: 5, rate: { unit: 'pps', value: 1500 } });
    await f.waitForRun(runId, (d) => d.hosts.every((h) => h.status === 'running' && h.packets > 0));
    await f.cluster!.nodes[2]!.kill('SIGKILL'); // tx-3's first choice
    const o = await f.finishRun(runId, 60_000);
    expect(o.detail.run.status, `${JSON.stringify(o.detail.events.map((e) => [e.atUnixMs, e.host, e.kind, e.message]))}\n${f.logs()}`).toBe('completed');
    expectCompletedInOrder(o, HOSTS);
    expect(f.fleet.agent('tx-3').process.output(200)).toMatch(/NATS reconnected/);
  });
});
