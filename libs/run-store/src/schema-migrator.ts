/**
 * Schema migrations with Kysely's Migrator. The list lives in code (not a folder scan), so
 * it works the same under tsx, vitest and any bundler; names sort in order of application.
 * Like Kysely's migrator, the outcome is reported per migration and never stops silently.
 */
import type { Kysely } from 'kysely';
import { Migrator, type Migration, type MigrationProvider, type MigrationResult } from 'kysely/migration';
import { MemocoError } from '@memoco/protocol';
import { initialSchema } from './migrations/0001-initial-schema.ts';

export const MIGRATIONS: Readonly<Record<string, Migration>> = {
  '0001-initial-schema': initialSchema,
};

class InCodeMigrationProvider implements MigrationProvider {
  async getMigrations(): Promise<Record<string, Migration>> {
    return { ...MIGRATIONS };
  }
}

export function createMigrator(db: Kysely<any>): Migrator {
  return new Migrator({ db, provider: new InCodeMigrationProvider(), migrationTableName: 'memoco_migration', migrationLockTableName: 'memoco_migration_lock' });
}

/** Applies every pending migration; throws RUNSTORE_ERR_MIGRATION naming the one that failed. */
export async function migrateToLatest(db: Kysely<any>): Promise<MigrationResult[]> {
  const { error, results = [] } = await createMigrator(db).migrateToLatest();
  if (error) {
    const failed = results.find((r) => r.status === 'Error')?.migrationName ?? '(before any migration)';
    const reason = error instanceof Error ? error.message : String(error);
    throw new MemocoError('RUNSTORE_ERR_MIGRATION', `migration ${failed} failed: ${reason}`, { migration: failed }, { cause: error });
  }
  return results;
}
