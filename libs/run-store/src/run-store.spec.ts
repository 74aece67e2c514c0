/**
 * One suite, two databases (issue 6: "The same Kysely code on both, tested on both"): the
 * embedded PGlite and a throwaway PostgreSQL 15 cluster from @memoco/testbed.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort, startPostgres, type PostgresServer } from '@memoco/testbed';
import { openRunStore, type RunStore } from './open-run-store.ts';
import type { NewRun } from './run-records.ts';

let counter = 0;
function newRun(overrides: Partial<NewRun> = {}): NewRun {
  counter++;
  return {
    id: `run-${counter}-${Math.random().toString(36).slice(2, 8)}`,
    modelId: 'f'.repeat(64),
    startAtUnixMs: 1_700_000_002_000,
    durationS: 12.5,
    rate: { unit: 'pps', value: 250_000 },
    seed: 4_000_000_001,
    flowCount: 3_000_000_000,
    predictedPackets: 1.5e10,
    planMs: 180.5,
    hostImbalance: 1.0004,
    request: { hosts: 2, model: 'f'.repeat(64) },
    createdAtUnixMs: 1_700_000_000_000 + counter,
    hosts: [
      { host: 'tx-a', hostIndex: 0, cores: 2, flowCount: 1_500_000_000, predictedPackets: 7.5e9 },
      { host: 'tx-b', hostIndex: 1, cores: 4, flowCount: 1_500_000_000, predictedPackets: 7.5e9 },
    ],
    ...overrides,
  };
}

const backends: { name: string; open: () => Promise<{ store: RunStore; cleanup: () => Promise<void> }> }[] = [
  {
    name: 'PGlite (embedded)',
    open: async () => {
      const store = await openRunStore({});
      return { store, cleanup: () => store.close() };
    },
  },
  {
    name: 'PostgreSQL 15',
    open: async () => {
      const server: PostgresServer = await startPostgres();
      const store = await openRunStore({ databaseUrl: await server.createDatabase('run_store_spec') });
      return { store, cleanup: async () => { await store.close(); await server.stop(); } };
    },
  },
];

describe.each(backends)('run store on $name', ({ name, open }) => {
  let store: RunStore;
  let cleanup: () => Promise<void>;
  beforeAll(async () => ({ store, cleanup } = await open()));
  afterAll(async () => cleanup?.());

  it('is migrated to the latest schema, and migrating again changes nothing', async () => {
    if (name.startsWith('PostgreSQL')) expect(await store.serverVersion()).toMatch(/^PostgreSQL 15\./);
    const { createMigrator } = await import('./schema-migrator.ts');
    const again = await createMigrator(store.db).migrateToLatest();
    expect(again.error).toBeUndefined();
    expect(again.results).toEqual([]);
    const applied = await createMigrator(store.db).getMigrations();
    expect(applied.map((m) => [m.name, Boolean(m.executedAt)])).toEqual([['0001-initial-schema', true]]);
  });

  it('records a run with its parts and a created event, numbers and times intact', async () => {
    const run = newRun();
    await store.runs.createRun(run);
    const detail = await store.runs.getRunDetail(run.id);
    expect(detail?.run).toEqual({
      id: run.id, modelId: run.modelId, status: 'planned', startAtUnixMs: run.startAtUnixMs, durationS: 12.5,
      rate: { unit: 'pps', value: 250_000 }, seed: 4_000_000_001, hostCount: 2, flowCount: 3_000_000_000,
      predictedPackets: 1.5e10, planMs: 180.5, hostImbalance: 1.0004, cancelRequestedAtUnixMs: null, request: run.request,
      createdAtUnixMs: run.createdAtUnixMs, updatedAtUnixMs: run.createdAtUnixMs, finishedAtUnixMs: null,
    });
    expect(detail?.hosts.map((h) => [h.host, h.status, h.cores, h.flowCount, h.packets, h.error])).toEqual([
      ['tx-a', 'assigned', 2, 1_500_000_000, 0, null],
      ['tx-b', 'assigned', 4, 1_500_000_000, 0, null],
    ]);
    expect(detail?.events.map((e) => [e.kind, e.message, e.atUnixMs])).toEqual([['created', 'planned on 2 hosts', run.createdAtUnixMs]]);
  });

  it('refuses a second run with the same id', async () => {
    const run = newRun();
    await store.runs.createRun(run);
    await expect(store.runs.createRun(run)).rejects.toMatchObject({ code: 'RUNSTORE_ERR_DUPLICATE' });
  });

  it('moves a part forward on progress, never back, and leaves ended parts alone', async () => {
    const run = newRun();
    await store.runs.createRun(run);
    const counters = { packets: 10, bytes: 640, outOfOrder: 0 };
    expect(await store.runs.applyProgress(run.id, 'tx-a', { state: 'accepted', packets: 0, bytes: 0, outOfOrder: 0, atUnixMs: 1_700_000_002_500 })).toBe('applied');
    expect(await store.runs.applyProgress(run.id, 'tx-a', { state: 'running', ...counters, atUnixMs: 1_700_000_003_000 })).toBe('started');
    expect(await store.runs.applyProgress(run.id, 'tx-a', { state: 'running', ...counters, atUnixMs: 1_700_000_003_500 })).toBe('applied');
    expect(await store.runs.applyProgress(run.id, 'tx-a', { state: 'accepted', packets: 20, bytes: 1280, outOfOrder: 1, atUnixMs: 1_700_000_004_000 })).toBe('applied');
    let part = (await store.runs.listParts(run.id))[0]!;
    expect([part.status, part.packets, part.bytes, part.outOfOrder, part.startedAtUnixMs, part.lastReportAtUnixMs]).toEqual(['running', 20, 1280, 1, 1_700_000_003_000, 1_700_000_004_000]);

    expect(await store.runs.endPart(run.id, 'tx-a', { status: 'completed', atUnixMs: 1_700_000_015_000, counters: { packets: 5_000_000_000, bytes: 3e11, outOfOrder: 0 } })).toBe(true);
    expect(await store.runs.endPart(run.id, 'tx-a', { status: 'failed', atUnixMs: 1_700_000_016_000, error: { code: 'X_ERR_Y', message: 'late' } })).toBe(false);
    expect(await store.runs.applyProgress(run.id, 'tx-a', { state: 'running', ...counters, atUnixMs: 1_700_000_017_000 })).toBe('ignored');
    part = (await store.runs.listParts(run.id))[0]!;
    expect([part.status, part.packets, part.bytes, part.error, part.finishedAtUnixMs]).toEqual(['completed', 5_000_000_000, 3e11, null, 1_700_000_015_000]);
    expect(await store.runs.applyProgress(run.id, 'no-such-host', { state: 'running', ...counters, atUnixMs: 1 })).toBe('ignored');
  });

  it('keeps the last progress when a lost host is failed without counters', async () => {
    const run = newRun();
    await store.runs.createRun(run);
    await store.runs.applyProgress(run.id, 'tx-b', { state: 'running', packets: 77, bytes: 7700, outOfOrder: 0, atUnixMs: 1_700_000_003_000 });
    await store.runs.endPart(run.id, 'tx-b', { status: 'failed', atUnixMs: 1_700_000_009_000, error: { code: 'CONTROLLER_ERR_HOST_LOST', message: 'no heartbeat for 5 s' } });
    const part = (await store.runs.listParts(run.id))[1]!;
    expect([part.status, part.packets, part.error]).toEqual(['failed', 77, { code: 'CONTROLLER_ERR_HOST_LOST', message: 'no heartbeat for 5 s' }]);
  });

  it('finishes a run once, lists open runs, and flags cancels only on open runs', async () => {
    const open = newRun();
    const done = newRun();
    await store.runs.createRun(open);
    await store.runs.createRun(done);
    expect(await store.runs.setRunStatus(done.id, 'running', 1_700_000_003_000)).toBe(true);
    expect(await store.runs.setRunStatus(done.id, 'partial', 1_700_000_020_000)).toBe(true);
    expect(await store.runs.setRunStatus(done.id, 'completed', 1_700_000_021_000)).toBe(false);
    const finished = await store.runs.getRun(done.id);
    expect([finished?.status, finished?.finishedAtUnixMs]).toEqual(['partial', 1_700_000_020_000]);
    const openIds = (await store.runs.listOpenRuns()).map((r) => r.id);
    expect(openIds).toContain(open.id);
    expect(openIds).not.toContain(done.id);
    expect((await store.runs.requestCancel(open.id, 1_700_000_005_000))?.cancelRequestedAtUnixMs).toBe(1_700_000_005_000);
    expect((await store.runs.requestCancel(open.id, 1_700_000_006_000))?.cancelRequestedAtUnixMs).toBe(1_700_000_005_000);
    expect((await store.runs.requestCancel(done.id, 1_700_000_005_000))?.cancelRequestedAtUnixMs).toBeNull();
    expect(await store.runs.markRunRunning(open.id, 1_700_000_007_000)).toBe(true);
    expect(await store.runs.markRunRunning(open.id, 1_700_000_008_000)).toBe(false);
    expect(await store.runs.markRunRunning(done.id, 1_700_000_008_000)).toBe(false);
    expect(await store.runs.requestCancel('nope', 1)).toBeUndefined();
  });

  it('lists runs newest first, by status, before a time, up to a limit', async () => {
    const runs = [newRun(), newRun(), newRun()];
    for (const run of runs) await store.runs.createRun(run);
    await store.runs.setRunStatus(runs[1]!.id, 'running', runs[1]!.createdAtUnixMs);
    const latest = await store.runs.listRuns({ limit: 3 });
    expect(latest.map((r) => r.id)).toEqual([runs[2]!.id, runs[1]!.id, runs[0]!.id]);
    const before = await store.runs.listRuns({ beforeUnixMs: runs[2]!.createdAtUnixMs, limit: 1 });
    expect(before.map((r) => r.id)).toEqual([runs[1]!.id]);
    const running = await store.runs.listRuns({ status: 'running' });
    expect(running.map((r) => r.id)).toContain(runs[1]!.id);
    expect(running.every((r) => r.status === 'running')).toBe(true);
  });

  it('keeps events in order with their host and data', async () => {
    const run = newRun();
    await store.runs.createRun(run);
    await store.runs.addEvent(run.id, { atUnixMs: 1_700_000_003_000, kind: 'host-lost', host: 'tx-b', message: 'no heartbeat', data: { lastSeenAgoMs: 5100 } });
    await store.runs.addEvent(run.id, { atUnixMs: 1_700_000_004_000, kind: 'finished', message: 'partial' });
    const events = await store.runs.listEvents(run.id);
    expect(events.map((e) => [e.kind, e.host, e.data])).toEqual([
      ['created', null, null],
      ['host-lost', 'tx-b', { lastSeenAgoMs: 5100 }],
      ['finished', null, null],
    ]);
  });

  it('records models once and hosts with their first sighting kept', async () => {
    const model = { id: 'e'.repeat(64), bytes: 142, flows: 5_000_000_000, predictedPackets: 1e12, trainer: 'trainer-1', summary: { family: 'linear', packets: 1234 }, createdAtUnixMs: 1_700_000_000_000 };
    await store.catalog.recordModel(model);
    await store.catalog.recordModel({ ...model, trainer: 'trainer-2' });
    expect(await store.catalog.getModel(model.id)).toEqual(model);
    expect((await store.catalog.listModels()).map((m) => m.id)).toContain(model.id);

    await store.catalog.recordHostSeen({ name: 'tx-a', version: '0.1.0', cores: 2, ports: [{ id: 0, name: 'net_null0' }], seenAtUnixMs: 1000 });
    await store.catalog.recordHostSeen({ name: 'tx-a', version: '0.2.0', cores: 4, ports: [], seenAtUnixMs: 5000 });
    expect((await store.catalog.listHostsSeen()).find((h) => h.name === 'tx-a')).toEqual({ name: 'tx-a', version: '0.2.0', cores: 4, ports: [], firstSeenAtUnixMs: 1000, lastSeenAtUnixMs: 5000 });
  });
});

describe('openRunStore options', () => {
  it('rejects a URL and a data dir together, and URLs that are not PostgreSQL', async () => {
    await expect(openRunStore({ databaseUrl: 'postgres://x@127.0.0.1/db', dataDir: '/tmp/x' })).rejects.toThrowError('give a databaseUrl (PostgreSQL) or a dataDir (embedded PGlite), not both');
    await expect(openRunStore({ databaseUrl: 'mysql://u:secret@h/db' })).rejects.toThrowError('databaseUrl must start with postgres:// or postgresql://, got "mysql://u:***@h/db"');
  });

  it('reports an unreachable PostgreSQL as RUNSTORE_ERR_CONNECT without the password', async () => {
    const port = await freePort();
    const attempt = openRunStore({ databaseUrl: `postgres://postgres:hunter2@127.0.0.1:${port}/postgres` });
    await expect(attempt).rejects.toMatchObject({ code: 'RUNSTORE_ERR_CONNECT' });
    await expect(attempt).rejects.not.toThrowError(/hunter2/);
  });

  it('keeps a PGlite file store across reopening', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'memoco-run-store-'));
    try {
      const first = await openRunStore({ dataDir: dir });
      const run = newRun();
      await first.runs.createRun(run);
      await first.close();
      const second = await openRunStore({ dataDir: dir });
      expect((await second.runs.getRun(run.id))?.seed).toBe(run.seed);
      await second.close();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
