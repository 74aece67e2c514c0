import type { ErrorRegistry } from '@memoco/protocol';

/** Codes of @memoco/run-store: the run history database (PostgreSQL or embedded PGlite). */
export const RUNSTORE_ERRORS = {
  RUNSTORE_ERR_BAD_OPTIONS: { description: 'Store options contradict each other (e.g. both a DATABASE_URL and a PGlite data dir) or are malformed.', status: 400 },
  RUNSTORE_ERR_CONNECT: { description: 'The database could not be opened or reached (PostgreSQL down, wrong DATABASE_URL, unreadable PGlite dir).', status: 503 },
  RUNSTORE_ERR_MIGRATION: { description: 'A schema migration failed; the message names the migration and the database error. Nothing after it was applied.', status: 500 },
  RUNSTORE_ERR_DUPLICATE: { description: 'A run with this id (or a host twice in one run) is already recorded.', status: 409 },
  RUNSTORE_ERR_QUERY: { description: 'A database query failed unexpectedly; the message carries the database error.', status: 500 },
} as const satisfies ErrorRegistry;

export type RunStoreErrorCode = keyof typeof RUNSTORE_ERRORS;
