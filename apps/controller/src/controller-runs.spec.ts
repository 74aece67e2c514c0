/**
 * The controller end to end against a real nats-server and PGlite, with simulated agents
 * speaking the real protocol (issue 6, "Done when": a wrong token is 401; a host that
 * disappears mid-run leaves the run partial with the others complete, and the history says
 * so; a NATS restart mid-run does not stop the run).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startControllerFixture, isFinal, TEST_TOKEN, type ControllerFixture } from './testing/controller-fixture.ts';

let f: ControllerFixture;
beforeAll(async () => {
  f = await startControllerFixture();
});
afterAll(async () => f?.stop());

const packets = (n: number) => Array.from({ length: n }, (_, i) => 1 + ((i * 37) % 100));

describe('controller HTTP API', () => {
  it('answers 401 without a token or with a wrong one, in the JSON error shape', async () => {
    const none = await f.controller.app.inject({ method: 'GET', url: '/v1/hosts' });
    expect(none.statusCode).toBe(401);
    expect(none.json()).toEqual({ error: { code: 'CONTROLLER_ERR_UNAUTHORIZED', message: 'missing Authorization: Bearer <token> header' } });
    const wrong = await f.controller.app.inject({ method: 'GET', url: '/v1/runs', headers: { authorization: `Bearer ${TEST_TOKEN}x` } });
    expect(wrong.statusCode).toBe(401);
    expect(wrong.json().error.code).toBe('CONTROLLER_ERR_UNAUTHORIZED');
    const health = await f.controller.app.inject({ method: 'GET', url: '/healthz' });
    expect(health.json()).toEqual({ ok: true, nats: true });
  });

  it('answers unknown routes, bad bodies and unknown runs with coded errors', async () => {
    expect(await f.request('GET', '/v1/nothing')).toEqual({ status: 404, json: { error: { code: 'CONTROLLER_ERR_NOT_FOUND', message: 'no route GET /v1/nothing' } } });
    const bad = await f.request('POST', '/v1/runs', { model: 'x', hosts: 1, durationS: 1, rate: { unit: 'pps', value: 1 } });
    expect(bad.status).toBe(400);
    expect(bad.json.error).toMatchObject({ code: 'CONTROLLER_ERR_BAD_REQUEST', message: expect.stringContaining('body.model: expected a model id') });
    const twoUnits = await f.request('POST', '/v1/runs', { model: 'a'.repeat(64), hosts: 1, durationS: 1, rate: { unit: 'gbps', value: 1 } });
    expect(twoUnits.json.error.message).toMatch(/body.rate.unit: expected one of pps\|scale/);
    expect((await f.request('GET', '/v1/runs/nope')).json.error.code).toBe('CONTROLLER_ERR_RUN_NOT_FOUND');
    expect((await f.request('GET', '/v1/runs?limit=0')).json.error.message).toBe('limit must be an integer 1..1000, got "0"');
    const notJson = await f.controller.app.inject({ method: 'POST', url: '/v1/runs', headers: { authorization: `Bearer ${TEST_TOKEN}`, 'content-type': 'application/json' }, payload: '{"model":' });
    expect(notJson.statusCode).toBe(400);
    expect(notJson.json().error.code).toBe('CONTROLLER_ERR_BAD_REQUEST');
  });

  it('refuses runs on unknown models and on hosts that are not alive', async () => {
    await f.startAgent('sel-1');
    await f.waitForHosts(['sel-1']);
    const model = await f.putModel(packets(10));
    expect((await f.request('POST', '/v1/runs', { model: 'b'.repeat(64), hosts: ['sel-1'], durationS: 1, rate: { unit: 'scale', value: 1 } })).json.error.code).toBe('CONTROLLER_ERR_MODEL_NOT_FOUND');
    const ghost = await f.request('POST', '/v1/runs', { model, hosts: ['sel-1', 'ghost'], durationS: 1, rate: { unit: 'scale', value: 1 } });
    expect(ghost).toMatchObject({ status: 409, json: { error: { code: 'CONTROLLER_ERR_HOST_UNAVAILABLE', message: expect.stringContaining('ghost') } } });
    expect((await f.request('POST', '/v1/runs', { model, hosts: 500, durationS: 1, rate: { unit: 'scale', value: 1 } })).status).toBe(409);
  });

  it('lists registered hosts with their heartbeat age', async () => {
    await f.startAgent('list-1', { cores: 4 });
    await f.waitForHosts(['list-1']);
    const { status, json } = await f.request('GET', '/v1/hosts');
    expect(status).toBe(200);
    expect(json.hosts.find((h: { host: string }) => h.host === 'list-1')).toMatchObject({ host: 'list-1', cores: 4, version: 'sim-0', alive: true, ports: [{ id: 0, name: 'net_null0' }] });
  });
});

describe('controller runs', () => {
  it('plans, assigns disjoint shards covering every flow, follows progress and records a completed run', async () => {
    const agents = [await f.startAgent('ok-1', { cores: 2 }), await f.startAgent('ok-2', { cores: 3 })];
    await f.waitForHosts(['ok-1', 'ok-2']);
    const model = await f.putModel(packets(500));
    const created = await f.request('POST', '/v1/runs', { model, hosts: ['ok-1', 'ok-2'], durationS: 1, rate: { unit: 'pps', value: 10_000 }, seed: 42 });
    expect(created.status).toBe(201);
    expect(created.json.run).toMatchObject({ modelId: model, status: 'planned', seed: 42, hostCount: 2, flowCount: 500 });
    expect(created.json.plan.imbalance.hostMaxOverMean).toBeLessThan(1.01);
    const runId: string = created.json.run.id;

    const done = await f.waitForRun(runId, (d) => isFinal(d.run.status));
    expect(done.run.status).toBe('completed');
    expect(done.hosts.map((h) => [h.host, h.status])).toEqual([['ok-1', 'completed'], ['ok-2', 'completed']]);
    expect(done.hosts.reduce((s, h) => s + h.packets, 0)).toBeGreaterThanOrEqual(9_000);
    expect(done.events.map((e) => e.kind)).toEqual(expect.arrayContaining(['created', 'assigned', 'running', 'host-started', 'host-completed', 'finished']));

    const flows = agents.flatMap((a) => a.flowsByRun.get(runId)!.flatMap((core) => Array.from(core)));
    expect(flows.sort((a, b) => a - b)).toEqual([...Array(500).keys()]);
    const rates = agents.map((a) => a.assignments.find((x) => x.runId === runId)!.rate.value);
    expect(rates[0]! + rates[1]!).toBeCloseTo(10_000, 6);
    expect(agents[1]!.assignments.find((x) => x.runId === runId)!.cores).toHaveLength(3);

    const listed = await f.request('GET', '/v1/runs?status=completed');
    expect(listed.json.runs.map((r: { id: string }) => r.id)).toContain(runId);
    const detail = await f.request('GET', `/v1/runs/${runId}`);
    expect(detail.json.hosts).toHaveLength(2);
  });

  it('marks a host that disappears mid-run failed and the run partial while the other completes', async () => {
    const survivor = await f.startAgent('keep-1');
    const doomed = await f.startAgent('lose-1');
    void survivor;
    await f.waitForHosts(['keep-1', 'lose-1']);
    const model = await f.putModel(packets(200));
    const { json } = await f.request('POST', '/v1/runs', { model, hosts: ['keep-1', 'lose-1'], durationS: 2.5, rate: { unit: 'pps', value: 1000 } });
    const runId: string = json.run.id;
    await f.waitForRun(runId, (d) => d.hosts.every((h) => h.status === 'running'));
    await doomed.vanish();

    const done = await f.waitForRun(runId, (d) => isFinal(d.run.status));
    expect(done.run.status).toBe('partial');
    const byHost = Object.fromEntries(done.hosts.map((h) => [h.host, h]));
    expect(byHost['keep-1']!.status).toBe('completed');
    expect(byHost['lose-1']).toMatchObject({ status: 'failed', error: { code: 'CONTROLLER_ERR_HOST_LOST' } });
    expect(byHost['lose-1']!.packets).toBeGreaterThan(0);
    const lost = done.events.find((e) => e.kind === 'host-lost');
    expect(lost).toMatchObject({ host: 'lose-1', message: expect.stringContaining('sent no heartbeat') });
    expect(done.events.at(-1)).toMatchObject({ kind: 'finished', message: 'run partial: 1 completed, 1 failed, 0 cancelled of 2 hosts' });
  });

  it('cancels a run: the agents are told, the run ends cancelled, a second cancel is refused', async () => {
    const agents = [await f.startAgent('cx-1'), await f.startAgent('cx-2')];
    await f.waitForHosts(['cx-1', 'cx-2']);
    const model = await f.putModel(packets(50));
    const { json } = await f.request('POST', '/v1/runs', { model, hosts: 2, durationS: 30, rate: { unit: 'scale', value: 1 } });
    const runId: string = json.run.id;
    expect(json.hosts.map((h: { host: string }) => h.host).sort()).toEqual(expect.any(Array));
    await f.waitForRun(runId, (d) => d.run.status === 'running');
    const cancel = await f.request('POST', `/v1/runs/${runId}/cancel`);
    expect(cancel.status).toBe(202);
    const done = await f.waitForRun(runId, (d) => isFinal(d.run.status));
    expect(done.run.status).toBe('cancelled');
    const ran = agents.filter((a) => a.assignments.some((x) => x.runId === runId));
    expect(ran.every((a) => a.cancelled.has(runId))).toBe(true);
    expect((await f.request('POST', `/v1/runs/${runId}/cancel`)).json.error.code).toBe('CONTROLLER_ERR_RUN_FINISHED');
  });

  it('records a run failed when every host refuses the model', async () => {
    await f.startAgent('ref-1', { behaviour: 'refuse' });
    await f.waitForHosts(['ref-1']);
    const model = await f.putModel(packets(5));
    const { json } = await f.request('POST', '/v1/runs', { model, hosts: ['ref-1'], durationS: 1, rate: { unit: 'scale', value: 1 } });
    const done = await f.waitForRun(json.run.id, (d) => isFinal(d.run.status));
    expect(done.run.status).toBe('failed');
    expect(done.hosts[0]!.error?.code).toBe('AGENT_ERR_MODEL_DIGEST_MISMATCH');
  });

  it('fails the part of a host that never sends its result, after the grace period', async () => {
    await f.startAgent('hang-1', { behaviour: 'hang' });
    await f.waitForHosts(['hang-1']);
    const model = await f.putModel(packets(5));
    const { json } = await f.request('POST', '/v1/runs', { model, hosts: ['hang-1'], durationS: 0.5, rate: { unit: 'scale', value: 1 } });
    const done = await f.waitForRun(json.run.id, (d) => isFinal(d.run.status));
    expect(done.run.status).toBe('failed');
    expect(done.hosts[0]!.error?.code).toBe('CONTROLLER_ERR_RESULT_TIMEOUT');
  });

  it('keeps a run going through a nats-server restart: agents and controller reconnect, the run completes', async () => {
    await f.startAgent('rs-1');
    await f.startAgent('rs-2');
    await f.waitForHosts(['rs-1', 'rs-2']);
    const model = await f.putModel(packets(100));
    const { json } = await f.request('POST', '/v1/runs', { model, hosts: ['rs-1', 'rs-2'], durationS: 4, rate: { unit: 'pps', value: 2000 } });
    const runId: string = json.run.id;
    await f.waitForRun(runId, (d) => d.hosts.every((h) => h.status === 'running'));
    await f.nats!.restart();
    const done = await f.waitForRun(runId, (d) => isFinal(d.run.status), 30_000);
    expect(done.run.status).toBe('completed');
    expect(done.hosts.every((h) => h.status === 'completed')).toBe(true);
  });
});
