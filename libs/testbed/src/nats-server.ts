import { readdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { MemocoError } from '@memoco/protocol';
import { ChildProcessHandle } from './child-process-handle.ts';
import { makeTempDir, type TempDir } from './temp-dir.ts';
import { waitUntil } from './wait-until.ts';

/** Debian's nats-server (2.9: no filter_subjects, no stream metadata, no per-message TTL). */
export const NATS_SERVER_BIN = 'nats-server';

export interface NatsServerOptions {
  /** Enable JetStream (store in `dir`). */
  jetstream?: boolean;
  /** Require this user and password from clients (both or neither). */
  user?: string;
  pass?: string;
  /** Cluster name; needed with `routes` or `clusterPort`. */
  clusterName?: string;
  /** Route URLs (`nats://127.0.0.1:PORT`) of the other cluster members. */
  routes?: string[];
  /** Port this server accepts routes on (cluster members need it known in advance). */
  clusterPort?: number;
  /** Server name (unique in a cluster; JetStream clustering requires it). */
  serverName?: string;
  /** Client port; default: a random one picked by nats-server. Kept across restart(). */
  port?: number;
  /** Store and ports-file directory; default: a fresh temp dir removed by stop(). */
  dir?: string;
  /** How long to wait for the server to be ready (default 20 s). */
  readyTimeoutMs?: number;
  /** Wait until /healthz says ok (JetStream ready); a cluster member started alone never is. */
  waitForHealth?: boolean;
}

export const DEFAULT_NATS_SERVER_OPTIONS = {
  jetstream: true,
  readyTimeoutMs: 20_000,
  waitForHealth: true,
} as const satisfies NatsServerOptions;

export type ParsedNatsServerOptions = NatsServerOptions & Required<Pick<NatsServerOptions, keyof typeof DEFAULT_NATS_SERVER_OPTIONS>>;

export function parseNatsServerOptions(opts: NatsServerOptions = {}): ParsedNatsServerOptions {
  const bad = (message: string) => new MemocoError('TESTBED_ERR_BAD_OPTIONS', `startNatsServer: ${message}`);
  if ((opts.user === undefined) !== (opts.pass === undefined)) throw bad('give both user and pass, or neither');
  if ((opts.routes?.length || opts.clusterPort !== undefined) && !opts.clusterName) throw bad('routes and clusterPort need clusterName');
  for (const [name, port] of [['port', opts.port], ['clusterPort', opts.clusterPort]] as const) {
    if (port !== undefined && (!Number.isInteger(port) || port < 1 || port > 65535)) throw bad(`${name} must be an integer 1..65535, got ${port}`);
  }
  return { ...DEFAULT_NATS_SERVER_OPTIONS, ...stripUndefined(opts) };
}

export interface NatsServer {
  /** `nats://127.0.0.1:PORT` (credentials not included: pass user/pass to connect()). */
  readonly url: string;
  readonly port: number;
  /** Store dir (JetStream data under `dir/jetstream`) and ports file dir. */
  readonly dir: string;
  /** HTTP monitoring URL (`/healthz`, `/jsz`, `/routez`). */
  readonly monitorUrl: string;
  readonly serverName: string | undefined;
  readonly running: boolean;
  /** Graceful stop (SIGTERM), then removes the temp dir. The handle is done after this. */
  stop(): Promise<void>;
  /** Sends `signal` (default SIGKILL) and waits until the process is gone; dir is kept. */
  kill(signal?: NodeJS.Signals): Promise<void>;
  /** Stops it if running (SIGTERM) and starts it again on the same port and store dir. */
  restart(): Promise<void>;
  /** Waits until /healthz says ok (JetStream current); cluster members restart without waiting. */
  waitHealthy(timeoutMs?: number): Promise<void>;
}

/** Starts a real nats-server on 127.0.0.1 and waits until it accepts clients. */
export async function startNatsServer(options: NatsServerOptions = {}): Promise<NatsServer> {
  const opts = parseNatsServerOptions(options);
  const temp: TempDir | undefined = opts.dir ? undefined : makeTempDir('nats');
  const dir = opts.dir ?? temp!.path;
  let ports = { client: opts.port ?? -1, monitor: -1 };
  let child = await launch(opts, dir, ports.client);
  try {
    ports = await awaitReady(child, opts, dir);
  } catch (error) {
    temp?.remove();
    throw error;
  }
  return {
    get url() { return `nats://127.0.0.1:${ports.client}`; },
    get port() { return ports.client; },
    dir,
    get monitorUrl() { return `http://127.0.0.1:${ports.monitor}`; },
    serverName: opts.serverName,
    get running() { return child.running; },
    async stop() {
      await child.kill('SIGTERM');
      temp?.remove();
    },
    async kill(signal: NodeJS.Signals = 'SIGKILL') {
      await child.kill(signal);
    },
    async restart() {
      await child.kill('SIGTERM');
      child = await launch(opts, dir, ports.client);
      ports = await awaitReady(child, opts, dir);
    },
    async waitHealthy(timeoutMs = opts.readyTimeoutMs) {
      if (!(await pollHealthz(child, `http://127.0.0.1:${ports.monitor}`, timeoutMs))) {
        throw new MemocoError('TESTBED_ERR_START_FAILED', `nats-server ${opts.serverName ?? ports.client} not healthy within ${timeoutMs} ms: ${child.output.lastLines(3)}`);
      }
    },
  };
}

function serverArgs(opts: ParsedNatsServerOptions, dir: string, port: number): string[] {
  const args = ['-a', '127.0.0.1', '-p', String(port), '-m', '-1', '--ports_file_dir', dir];
  if (opts.jetstream) args.push('-js', '-sd', dir);
  if (opts.user !== undefined) args.push('--user', opts.user, '--pass', opts.pass ?? '');
  if (opts.serverName) args.push('--server_name', opts.serverName);
  if (opts.clusterName) {
    args.push('--cluster_name', opts.clusterName, '--cluster', `nats://127.0.0.1:${opts.clusterPort ?? -1}`);
    if (opts.routes?.length) args.push('--routes', opts.routes.join(','));
  }
  return args;
}

async function launch(opts: ParsedNatsServerOptions, dir: string, port: number): Promise<ChildProcessHandle> {
  // A ports file left by the previous incarnation would be read as this one's.
  for (const name of readdirSync(dir)) if (name.endsWith('.ports')) rmSync(join(dir, name), { force: true });
  return new ChildProcessHandle(NATS_SERVER_BIN, serverArgs(opts, dir, port), { what: `nats-server ${opts.serverName ?? ''}`.trim() });
}

async function awaitReady(child: ChildProcessHandle, opts: ParsedNatsServerOptions, dir: string): Promise<{ client: number; monitor: number }> {
  const ports = await waitUntil(() => (child.running ? readPortsFile(dir, child.pid) : null), opts.readyTimeoutMs);
  if (!ports) throw startFailure(child, 'no ports file');
  if (opts.waitForHealth && !(await pollHealthz(child, `http://127.0.0.1:${ports.monitor}`, opts.readyTimeoutMs))) {
    throw startFailure(child, 'not healthy');
  }
  return ports;
}

/** Resolves when /healthz answers 200 (JetStream, when on, is ready: meta leader known, streams current). */
async function pollHealthz(child: ChildProcessHandle, monitorUrl: string, timeoutMs: number): Promise<boolean> {
  const ok = await waitUntil(async () => {
    if (!child.running) return false;
    try {
      const response = await fetch(`${monitorUrl}/healthz`, { signal: AbortSignal.timeout(2000) });
      return response.ok ? true : undefined;
    } catch {
      return undefined;
    }
  }, timeoutMs, 100);
  return ok === true;
}

/** null = process gone (stop waiting), undefined = not written yet. */
function readPortsFile(dir: string, pid: number | undefined): { client: number; monitor: number } | null | undefined {
  const name = readdirSync(dir).find((n) => n.endsWith(`_${pid}.ports`));
  if (!name) return undefined;
  try {
    const parsed = JSON.parse(readFileSync(join(dir, name), 'utf8')) as { nats?: string[]; monitoring?: string[] };
    const client = portOf(parsed.nats?.[0]);
    const monitor = portOf(parsed.monitoring?.[0]);
    return client && monitor ? { client, monitor } : undefined;
  } catch {
    return undefined; // written but not complete yet
  }
}

function portOf(url: string | undefined): number | undefined {
  const match = url?.match(/:(\d+)$/);
  return match ? Number(match[1]) : undefined;
}

function startFailure(child: ChildProcessHandle, why: string): MemocoError {
  void child.kill('SIGKILL');
  return new MemocoError('TESTBED_ERR_START_FAILED', `nats-server did not start (${why}): ${child.output.lastLines(6)}`);
}

function stripUndefined<T extends object>(value: T): T {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as T;
}
