/**
 * A result the reports consumer never delivers still ends the host's part as the agent
 * reported it (the CI failure this guards against: on a 3-node cluster a node's death lost
 * three results in the consumer's delivery, and the run failed with every agent done). The
 * consumer is deleted mid-run on a real nats-server, so only the stream holds the result.
 */
import { jetstreamManager } from '@nats-io/jetstream';
import { connect } from '@nats-io/transport-node';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { NATS_RESOURCE_NAMES } from '@memoco/protocol';
import { isFinal, startControllerFixture, type ControllerFixture } from './testing/controller-fixture.ts';

let f: ControllerFixture;
beforeAll(async () => {
  f = await startControllerFixture();
});
afterAll(async () => f?.stop());

it('takes a result from the runs stream when the reports consumer has not delivered it by the deadline', async () => {
  await f.startAgent('st-1');
  await f.startAgent('st-2', { behaviour: 'hang' });
  await f.waitForHosts(['st-1', 'st-2']);
  const model = await f.putModel([40, 30, 20, 10]);
  const { json } = await f.request('POST', '/v1/runs', { model, hosts: ['st-1', 'st-2'], durationS: 1, rate: { unit: 'pps', value: 1000 } });
  const runId: string = json.run.id;
  await f.waitForRun(runId, (d) => d.hosts.every((h) => h.status === 'running'));

  const nc = await connect({ servers: f.servers, user: 'memoco', pass: 'fleet-secret' });
  try {
    await (await jetstreamManager(nc)).consumers.delete(NATS_RESOURCE_NAMES.runsStream, NATS_RESOURCE_NAMES.controllerConsumer);
  } finally {
    await nc.close();
  }

  const done = await f.waitForRun(runId, (d) => isFinal(d.run.status));
  const byHost = Object.fromEntries(done.hosts.map((h) => [h.host, h]));
  // st-1 published its result (half the 1000 pps for 1 s: 500 packets, no progress after the
  // consumer went); st-2 never did, so its part still fails with the timeout: the lookup only
  // finds what is there.
  expect(byHost['st-1']).toMatchObject({ status: 'completed', packets: 500 });
  expect(byHost['st-2']!.error?.code).toBe('CONTROLLER_ERR_RESULT_TIMEOUT');
  expect(done.run.status).toBe('partial');
  expect(done.events.find((e) => e.kind === 'host-completed')).toMatchObject({ host: 'st-1' });
});
