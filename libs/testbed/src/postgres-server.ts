import { chownSync, existsSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { MemocoError } from '@memoco/protocol';
import { registerCleanup } from './cleanup-registry.ts';
import { freePort } from './free-port.ts';
import { runCommand } from './run-command.ts';
import { makeTempDir } from './temp-dir.ts';

/** Debian's PostgreSQL 15 (the production target; PGlite is 18, so tests run both). */
export const POSTGRES_BIN_DIR = '/usr/lib/postgresql/15/bin';

export interface PostgresServer {
  /** `postgres://postgres@127.0.0.1:PORT/postgres` (trust auth: no password). */
  readonly url: string;
  readonly port: number;
  readonly dataDir: string;
  /** Creates a database and returns its URL (one per test keeps tests independent). */
  createDatabase(name: string): Promise<string>;
  /** Immediate shutdown, then removes the cluster's directory. */
  stop(): Promise<void>;
}

/**
 * A throwaway PostgreSQL 15 cluster in a temp dir owned by `postgres` (initdb refuses to run
 * as root), listening on 127.0.0.1 at a free port and a private socket dir; fsync off, since
 * its data dies with the test. About 1-2 s.
 */
export async function startPostgres(options: { readyTimeoutMs?: number } = {}): Promise<PostgresServer> {
  if (!existsSync(join(POSTGRES_BIN_DIR, 'initdb'))) {
    throw new MemocoError('TESTBED_ERR_START_FAILED', `PostgreSQL 15 is not installed (${POSTGRES_BIN_DIR}/initdb missing): run infra/setup.sh`);
  }
  const temp = makeTempDir('pg');
  const dataDir = join(temp.path, 'data');
  const asPostgres = await postgresUser();
  if (asPostgres) chownSync(temp.path, asPostgres.uid, asPostgres.gid);
  const pg = (tool: string, args: string[], timeoutMs = 60_000) =>
    asPostgres
      ? runCommand('runuser', ['-u', 'postgres', '--', join(POSTGRES_BIN_DIR, tool), ...args], { timeoutMs })
      : runCommand(join(POSTGRES_BIN_DIR, tool), args, { timeoutMs });
  let unregister = () => {};
  try {
    await pg('initdb', ['-D', dataDir, '--auth=trust', '-U', 'postgres', '-E', 'UTF8', '--locale=C', '--no-sync']);
    const port = await freePort();
    const serverOpts = `-p ${port} -k ${temp.path} -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off -c full_page_writes=off`;
    await pg('pg_ctl', ['-D', dataDir, '-o', serverOpts, '-l', join(temp.path, 'server.log'), '-w', '-t', String(Math.ceil((options.readyTimeoutMs ?? 30_000) / 1000)), 'start']);
    unregister = registerCleanup(`postgres ${dataDir}`, () => killPostmaster(dataDir));
    const url = `postgres://postgres@127.0.0.1:${port}/postgres`;
    return {
      url,
      port,
      dataDir,
      async createDatabase(name: string) {
        if (!/^[a-z_][a-z0-9_]*$/.test(name)) throw new MemocoError('TESTBED_ERR_BAD_OPTIONS', `createDatabase: '${name}' is not a plain lower-case identifier`);
        await runCommand(join(POSTGRES_BIN_DIR, 'psql'), ['-h', '127.0.0.1', '-p', String(port), '-U', 'postgres', '-v', 'ON_ERROR_STOP=1', '-qc', `CREATE DATABASE ${name}`]);
        return `postgres://postgres@127.0.0.1:${port}/${name}`;
      },
      async stop() {
        unregister();
        await pg('pg_ctl', ['-D', dataDir, '-m', 'immediate', '-w', 'stop'], 30_000).catch(() => killPostmaster(dataDir));
        temp.remove();
      },
    };
  } catch (error) {
    unregister();
    killPostmaster(dataDir);
    const log = existsSync(join(temp.path, 'server.log')) ? readFileSync(join(temp.path, 'server.log'), 'utf8').trim().split('\n').slice(-3).join(' | ') : '';
    temp.remove();
    if (error instanceof MemocoError) throw new MemocoError('TESTBED_ERR_START_FAILED', `PostgreSQL did not start: ${error.message}${log ? ` | log: ${log}` : ''}`);
    throw error;
  }
}

async function postgresUser(): Promise<{ uid: number; gid: number } | undefined> {
  if (process.getuid?.() !== 0) return undefined; // not root: run the tools as ourselves
  const uid = Number((await runCommand('id', ['-u', 'postgres'])).stdout.trim());
  const gid = Number((await runCommand('id', ['-g', 'postgres'])).stdout.trim());
  return { uid, gid };
}

/** SIGQUIT = PostgreSQL's immediate shutdown; synchronous, so it also works at process exit. */
function killPostmaster(dataDir: string): void {
  try {
    const pid = Number(readFileSync(join(dataDir, 'postmaster.pid'), 'utf8').split('\n')[0]);
    if (pid > 0) process.kill(pid, 'SIGQUIT');
  } catch {
    // Not running (no pid file) or already gone.
  }
}
