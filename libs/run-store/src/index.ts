export { RUNSTORE_ERRORS } from './errors.ts';
export type { RunStoreErrorCode } from './errors.ts';
export { DEFAULT_RUN_STORE_OPTIONS, parseRunStoreOptions, redactUrl } from './run-store-options.ts';
export type { ParsedRunStoreOptions, RunStoreOptions } from './run-store-options.ts';
export { openRunStore } from './open-run-store.ts';
export type { RunStore } from './open-run-store.ts';
export { RunRepository } from './run-repository.ts';
export type { ListRunsQuery, PartEnding, ProgressOutcome, ProgressUpdate } from './run-repository.ts';
export { CatalogRepository } from './catalog-repository.ts';
export type { HostSighting } from './catalog-repository.ts';
export { MIGRATIONS, createMigrator, migrateToLatest } from './schema-migrator.ts';
export type {
  HostSeenRecord,
  ModelRecord,
  NewRun,
  NewRunEvent,
  NewRunHost,
  RunDetail,
  RunEventRecord,
  RunHostRecord,
  RunRecord,
} from './run-records.ts';
