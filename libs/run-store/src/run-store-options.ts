import { MemocoError } from '@memoco/protocol';

/**
 * Where the run history lives (issue 6, "Store"): PostgreSQL when a URL is given (DATABASE_URL
 * in the services' config), otherwise an embedded PGlite database in `dataDir`, or in memory
 * when neither is given (tests, one-shot CLI use).
 */
export interface RunStoreOptions {
  databaseUrl?: string;
  dataDir?: string;
  /** Apply pending migrations when opening (default true). */
  migrate?: boolean;
  /** Connections in the PostgreSQL pool (default 10; PGlite has exactly one). */
  poolSize?: number;
}

export interface ParsedRunStoreOptions {
  target: { kind: 'postgres'; url: string } | { kind: 'pglite'; dataDir: string | undefined };
  migrate: boolean;
  poolSize: number;
}

export const DEFAULT_RUN_STORE_OPTIONS = { migrate: true, poolSize: 10 } as const;

export function parseRunStoreOptions(options: RunStoreOptions = {}): ParsedRunStoreOptions {
  const bad = (message: string) => new MemocoError('RUNSTORE_ERR_BAD_OPTIONS', message, { status: 400 });
  const url = options.databaseUrl?.trim() || undefined;
  const dataDir = options.dataDir?.trim() || undefined;
  if (url && dataDir) throw bad('give a databaseUrl (PostgreSQL) or a dataDir (embedded PGlite), not both');
  if (url && !/^postgres(ql)?:\/\//.test(url)) throw bad(`databaseUrl must start with postgres:// or postgresql://, got "${redactUrl(url)}"`);
  const poolSize = options.poolSize ?? DEFAULT_RUN_STORE_OPTIONS.poolSize;
  if (!Number.isInteger(poolSize) || poolSize < 1 || poolSize > 1000) throw bad(`poolSize must be an integer 1..1000, got ${poolSize}`);
  return {
    target: url ? { kind: 'postgres', url } : { kind: 'pglite', dataDir },
    migrate: options.migrate ?? DEFAULT_RUN_STORE_OPTIONS.migrate,
    poolSize,
  };
}

/** The URL with its password masked, for messages and logs. */
export function redactUrl(url: string): string {
  return url.replace(/^([a-z]+:\/\/[^:/@]*):[^@]*@/i, '$1:***@');
}
