/**
 * The agent against a real nats-server, with the real engine sending to net_pcap files and
 * the spec in the controller's seat (issue 6: registers with a heartbeat, takes its
 * assignments, refuses a model whose SHA-256 does not match, starts at the common time,
 * reports progress and a result that survives a NATS restart, handles cancel, stops
 * cleanly). The captures are checked with verify-order --tags.
 */
import { existsSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { verifyOrder } from '@memoco/replay-check';
import { waitUntil } from '@memoco/testbed';
import { startAgentFixture, type AgentFixture } from './testing/agent-fixture.ts';

let f: AgentFixture;
beforeAll(async () => {
  f = await startAgentFixture();
});
afterAll(async () => f?.stop());

const captureOf = (host: string, runId: string) => `${f.dir}/${host}-${runId}.pcap`;

describe('TX agent', () => {
  it('registers with its host, cores, ports and version, and heartbeats', async () => {
    await f.startAgent('reg-1', { cores: 2 });
    const first = await f.registration('reg-1');
    expect(first).toMatchObject({ host: 'reg-1', cores: 2, version: 'spec', ports: [{ id: 0, name: 'net_pcap0' }], activeRunIds: [], heartbeatIntervalMs: 200 });
    const later = await waitUntil(async () => {
      const r = await f.registration('reg-1');
      return r && r.heartbeatAtUnixMs > first!.heartbeatAtUnixMs ? r : undefined;
    }, 3000);
    expect(later).toBeDefined();
  });

  it('sends its shard at the common start, reports progress and a completed result, in order on the wire', async () => {
    await f.startAgent('run-1');
    const a = f.assignment('run-1', { durationS: 1.5, rate: { unit: 'pps', value: 2000 } });
    const progress = f.watchProgress(a.runId, 'run-1');
    await f.publishAssignment(a);
    const active = await waitUntil(async () => ((await f.registration('run-1'))?.activeRunIds.includes(a.runId) ? true : undefined), 3000);
    expect(active).toBe(true);
    const result = await f.waitForResult(a.runId, 'run-1');
    expect(result).toMatchObject({ runId: a.runId, host: 'run-1', status: 'completed', packets: 3000, outOfOrder: 0 });
    expect(result.startedAtUnixMs).toBeGreaterThanOrEqual(a.startAtUnixMs);
    expect(result.startedAtUnixMs! - a.startAtUnixMs).toBeLessThan(1000);
    const states = progress.map((p) => p.state);
    expect(states[0]).toBe('accepted');
    expect(states).toContain('running');
    const check = await verifyOrder(captureOf('run-1', a.runId), { tags: true });
    expect(check).toMatchObject({ ok: true, received: result.packets, matched: result.packets, outOfOrder: 0, missing: 0 });
  });

  it('refuses a model whose SHA-256 does not match the assignment, and sends nothing', async () => {
    await f.startAgent('dig-1');
    const a = f.assignment('dig-1', { modelSha256: 'e'.repeat(64) });
    const progress = f.watchProgress(a.runId, 'dig-1');
    await f.publishAssignment(a);
    const result = await f.waitForResult(a.runId, 'dig-1');
    expect(result).toMatchObject({ status: 'failed', packets: 0, startedAtUnixMs: null, error: { code: 'AGENT_ERR_MODEL_DIGEST_MISMATCH' } });
    expect(result.error!.message).toContain(`has SHA-256 ${f.model.modelId}, the assignment expects ${'e'.repeat(64)}`);
    expect(progress).toEqual([]);
    expect(existsSync(captureOf('dig-1', a.runId))).toBe(false);
  });

  it('fails unknown models, ports it does not have and starts long past, each with its code', async () => {
    await f.startAgent('bad-1');
    const cases = [
      [f.assignment('bad-1', { modelId: 'a'.repeat(64), modelSha256: 'a'.repeat(64) }), 'AGENT_ERR_MODEL_NOT_FOUND'],
      [f.assignment('bad-1', { port: 3 }), 'AGENT_ERR_BAD_ASSIGNMENT'],
      [f.assignment('bad-1', { startAtUnixMs: Date.now() - 10_000 }), 'AGENT_ERR_START_MISSED'],
    ] as const;
    for (const [a] of cases) await f.publishAssignment(a);
    for (const [a, code] of cases) expect((await f.waitForResult(a.runId, 'bad-1')).error?.code).toBe(code);
  });

  it('stops on cancel and reports what it sent as cancelled', async () => {
    await f.startAgent('cx-1');
    const a = f.assignment('cx-1', { durationS: 20, rate: { unit: 'pps', value: 500 } });
    const progress = f.watchProgress(a.runId, 'cx-1');
    await f.publishAssignment(a);
    await waitUntil(() => (progress.some((p) => p.state === 'running' && p.packets > 0) ? true : undefined), 5000);
    await f.publishCancel(a.runId);
    const result = await f.waitForResult(a.runId, 'cx-1');
    expect(result.status).toBe('cancelled');
    expect(result.packets).toBeGreaterThan(0);
    expect(result.packets).toBeLessThan(10_000);
    const check = await verifyOrder(captureOf('cx-1', a.runId), { tags: true });
    expect(check).toMatchObject({ ok: true, received: result.packets });
  });

  it('keeps sending through a nats-server restart and lands its result once it is back', async () => {
    await f.startAgent('rs-1');
    const a = f.assignment('rs-1', { durationS: 3, rate: { unit: 'pps', value: 1000 } });
    const progress = f.watchProgress(a.runId, 'rs-1');
    await f.publishAssignment(a);
    await waitUntil(() => (progress.some((p) => p.state === 'running') ? true : undefined), 5000);
    await f.nats.kill('SIGKILL');
    await new Promise((r) => setTimeout(r, 3500)); // the run ends while NATS is down
    await f.nats.restart();
    const result = await f.waitForResult(a.runId, 'rs-1', 30_000);
    expect(result).toMatchObject({ status: 'completed', packets: 3000 });
    expect(f.logs.some((l) => l.startsWith('rs-1: result of run') && l.includes('retrying'))).toBe(true);
    expect(await verifyOrder(captureOf('rs-1', a.runId), { tags: true })).toMatchObject({ ok: true, received: result.packets });
  });

  it('handles a run assigned twice (a redelivery) once', async () => {
    await f.startAgent('dup-1');
    const a = f.assignment('dup-1');
    await f.publishAssignment(a);
    await waitUntil(() => (f.logs.some((l) => l.startsWith(`dup-1: run ${a.runId}: assigned`)) ? true : undefined), 3000);
    await f.publishAssignment(a, `${a.runId}.assign.dup-1.again`); // a second delivery, as after a crash before the ack
    const result = await f.waitForResult(a.runId, 'dup-1');
    expect(result).toMatchObject({ status: 'completed', packets: 1000 });
    expect(f.logs.filter((l) => l.startsWith(`dup-1: run ${a.runId}: assigned`))).toHaveLength(1);
  });

  it('removes its registration when stopped, failing the run it was sending with AGENT_ERR_SHUTDOWN', async () => {
    const agent = await f.startAgent('stop-1');
    const a = f.assignment('stop-1', { durationS: 20, rate: { unit: 'pps', value: 200 } });
    const progress = f.watchProgress(a.runId, 'stop-1');
    await f.publishAssignment(a);
    await waitUntil(() => (progress.some((p) => p.state === 'running' && p.packets > 0) ? true : undefined), 5000);
    await agent.stop();
    expect(await f.registration('stop-1')).toBeUndefined();
    const result = await f.waitForResult(a.runId, 'stop-1');
    expect(result).toMatchObject({ status: 'failed', error: { code: 'AGENT_ERR_SHUTDOWN' } });
    expect(result.packets).toBeGreaterThan(0);
  });
});
