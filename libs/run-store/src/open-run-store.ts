/**
 * Opens the run history: PostgreSQL through a `pg` Pool, or embedded PGlite, behind the
 * same Kysely instance, so every query runs unchanged on both (issue 6). This package is the
 * only one importing kysely, pg and PGlite (style.md).
 */
import { PGlite } from '@electric-sql/pglite';
import { Kysely, PGliteDialect, PostgresDialect, sql } from 'kysely';
import pg from 'pg';
import { MemocoError } from '@memoco/protocol';
import type { MemocoDatabase } from './database-schema.ts';
import { CatalogRepository } from './catalog-repository.ts';
import { RunRepository } from './run-repository.ts';
import { parseRunStoreOptions, redactUrl, type ParsedRunStoreOptions, type RunStoreOptions } from './run-store-options.ts';
import { migrateToLatest } from './schema-migrator.ts';

export interface RunStore {
  readonly kind: 'postgres' | 'pglite';
  readonly runs: RunRepository;
  readonly catalog: CatalogRepository;
  /** For migrations and tests; services use the repositories. */
  readonly db: Kysely<MemocoDatabase>;
  /** The server's version string (PostgreSQL 15.x, or PGlite's). */
  serverVersion(): Promise<string>;
  close(): Promise<void>;
}

function createKysely(opts: ParsedRunStoreOptions): Kysely<MemocoDatabase> {
  if (opts.target.kind === 'postgres') {
    const pool = new pg.Pool({ connectionString: opts.target.url, max: opts.poolSize });
    // An idle client losing its server must not crash the process; the next query reports it.
    pool.on('error', () => {});
    return new Kysely<MemocoDatabase>({ dialect: new PostgresDialect({ pool }) });
  }
  const dataDir = opts.target.dataDir;
  return new Kysely<MemocoDatabase>({ dialect: new PGliteDialect({ pglite: () => (dataDir ? new PGlite(dataDir) : new PGlite()) }) });
}

export async function openRunStore(options: RunStoreOptions = {}): Promise<RunStore> {
  const opts = parseRunStoreOptions(options);
  const db = createKysely(opts);
  const where = opts.target.kind === 'postgres' ? redactUrl(opts.target.url) : (opts.target.dataDir ?? 'memory');
  try {
    await sql`select 1`.execute(db);
  } catch (error) {
    await db.destroy().catch(() => {});
    throw new MemocoError('RUNSTORE_ERR_CONNECT', `cannot open the run store (${opts.target.kind} ${where}): ${(error as Error).message}`, { status: 503 }, { cause: error });
  }
  if (opts.migrate) {
    try {
      await migrateToLatest(db);
    } catch (error) {
      await db.destroy().catch(() => {});
      throw error;
    }
  }
  return {
    kind: opts.target.kind,
    runs: new RunRepository(db),
    catalog: new CatalogRepository(db),
    db,
    async serverVersion() {
      const { rows } = await sql<{ version: string }>`select version() as version`.execute(db);
      return rows[0]?.version ?? 'unknown';
    },
    close: () => db.destroy(),
  };
}
