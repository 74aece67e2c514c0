/**
 * Scale-out (issue 6): trainers run unchanged against a 3-node JetStream cluster with the
 * model bucket and announcement stream replicated 3 times; a model stored through one node
 * is served by a trainer on any node, and after the node leading the bucket's stream dies
 * uploads succeed again once it has a new leader (in between, only the coded, retryable
 * TRAINER_ERR_NATS).
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { jetstreamManager } from '@nats-io/jetstream';
import { connect } from '@nats-io/transport-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { NATS_RESOURCE_NAMES } from '@memoco/protocol';
import { repoRoot, waitUntil } from '@memoco/testbed';
import { startTrainerFixture, type TrainerFixture } from './testing/trainer-fixture.ts';

const SAMPLE = join(repoRoot(), 'samples', 'pcpp__tls2.pcap');
const sha256 = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex');

interface Answer {
  status: number;
  json: any;
}

/**
 * Repeats `request` until it answers `status` (within 40 s) and checks that every answer in
 * between was the coded, retryable 503 TRAINER_ERR_NATS of a cluster electing a leader.
 */
async function untilAnswered<T extends Answer>(request: () => Promise<T>, status: number): Promise<T> {
  const failures: string[] = [];
  const answer = await waitUntil(async () => {
    const res = await request();
    if (res.status === status) return res;
    failures.push(`${res.status} ${res.json?.error?.code}`);
    return undefined;
  }, 40_000, 500);
  expect(answer?.status, failures.join(', ')).toBe(status);
  expect(failures.every((f) => f === '503 TRAINER_ERR_NATS'), failures.join(', ')).toBe(true);
  return answer!;
}

let fx: TrainerFixture;
beforeAll(async () => {
  fx = await startTrainerFixture({ cluster: true });
});
afterAll(async () => fx?.stop());

describe('trainers on a 3-node NATS cluster', () => {
  it('replicate the model store 3 times, serve each other, and recover from the loss of a node', async () => {
    const a = await fx.startTrainer('trainer-node0', {}, [fx.servers[0]!]);
    const b = await fx.startTrainer('trainer-any');
    const nc = await connect({ servers: fx.servers, user: 'memoco', pass: 'trainer-secret' });
    const jsm = await jetstreamManager(nc);
    for (const stream of [NATS_RESOURCE_NAMES.modelsStream, `OBJ_${NATS_RESOURCE_NAMES.modelsBucket}`]) {
      expect((await jsm.streams.info(stream)).config.num_replicas, stream).toBe(3);
    }

    const first = await a.request('POST', '/v1/traces', { payload: readFileSync(SAMPLE) });
    expect(first.status, JSON.stringify(first.json)).toBe(201);
    expect(sha256((await b.request('GET', `/v1/models/${first.json.modelId}/content`)).raw)).toBe(first.json.modelId);

    // The node leading the model bucket's stream: its loss forces an election.
    const leader = (await jsm.streams.info(`OBJ_${NATS_RESOURCE_NAMES.modelsBucket}`)).cluster?.leader;
    await nc.close();
    const victim = fx.cluster!.nodes.find((n) => n.serverName === leader);
    expect(victim, `leader ${leader}`).toBeDefined();
    await victim!.kill('SIGKILL');
    const second = await untilAnswered(() => b.request('POST', '/v1/traces?binMs=20', { payload: readFileSync(SAMPLE) }), 201);
    // Listing reads the bucket through a new consumer, which the new leader may not serve for
    // a moment after the upload went through: in between, only the same coded, retryable 503.
    const listing = await untilAnswered(() => b.request('GET', '/v1/models'), 200);
    const listed = listing.json.models.map((m: { modelId: string }) => m.modelId);
    expect(listed.sort()).toEqual([first.json.modelId, second.json.modelId].sort());
  }, 120_000); // two elections' worth of waiting (the stream's leader, then the consumer's)
});
