/**
 * The local fleet's nats-server (issue 6, `memoco up`): Debian's binary as a child, with
 * JetStream stored in the fleet's directory, bound to loopback on a port the server picks
 * (read back from its ports file, design.md "how it starts"), the user and password of
 * infra/nats/common.conf taken from the environment, and /healthz polled until JetStream is
 * ready.
 */
import { mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { MemocoError } from '@memoco/protocol';
import { REPO_ROOT, ServiceProcess } from './service-process.ts';

export interface LocalNatsOptions {
  /** Store, config and ports-file directory (kept across `memoco up` runs: models survive). */
  dir: string;
  user: string;
  password: string;
  logFile?: string;
  onLine?: (name: string, line: string) => void;
  readyTimeoutMs?: number;
}

export interface LocalNats {
  url: string;
  monitorUrl: string;
  process: ServiceProcess;
  stop(): Promise<void>;
}

export async function startLocalNats(options: LocalNatsOptions): Promise<LocalNats> {
  mkdirSync(options.dir, { recursive: true });
  for (const name of readdirSync(options.dir)) if (name.endsWith('.ports')) rmSync(join(options.dir, name), { force: true });
  const config = join(options.dir, 'nats-server.conf');
  writeFileSync(config, [
    '# Written by memoco up: one nats-server for the local fleet (credentials from the environment).',
    // nats-server resolves includes relative to the including file only.
    `include "${relative(options.dir, join(REPO_ROOT, 'infra/nats/common.conf'))}"`,
    `jetstream { store_dir: "${join(options.dir, 'store')}" }`,
    '',
  ].join('\n'));
  const child = ServiceProcess.start({
    name: 'nats-server',
    command: 'nats-server',
    args: ['-c', config, '-a', '127.0.0.1', '-p', '-1', '-m', '-1', '--ports_file_dir', options.dir],
    env: { ...process.env, MEMOCO_NATS_USER: options.user, MEMOCO_NATS_PASSWORD: options.password },
    ...(options.logFile ? { logFile: options.logFile } : {}),
    ...(options.onLine ? { onLine: options.onLine } : {}),
  });
  try {
    const ports = await readyPorts(child, options.dir, options.readyTimeoutMs ?? 20_000);
    return { url: ports.client, monitorUrl: ports.monitor, process: child, stop: () => child.stop(10_000) };
  } catch (error) {
    await child.kill('SIGKILL');
    throw error;
  }
}

async function readyPorts(child: ServiceProcess, dir: string, timeoutMs: number): Promise<{ client: string; monitor: string }> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline && child.running) {
    const ports = readPortsFile(dir, child.pid);
    if (ports && (await healthy(ports.monitor))) return ports;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new MemocoError('FLEET_ERR_START', `nats-server ${child.running ? `not healthy within ${timeoutMs} ms` : 'exited'}; its last lines:\n${child.output(12)}`);
}

function readPortsFile(dir: string, pid: number | undefined): { client: string; monitor: string } | undefined {
  const name = readdirSync(dir).find((n) => n.endsWith(`_${pid}.ports`));
  if (!name) return undefined;
  try {
    const parsed = JSON.parse(readFileSync(join(dir, name), 'utf8')) as { nats?: string[]; monitoring?: string[] };
    const client = parsed.nats?.[0];
    const monitor = parsed.monitoring?.[0];
    return client && monitor ? { client, monitor } : undefined;
  } catch {
    return undefined; // being written
  }
}

async function healthy(monitorUrl: string): Promise<boolean> {
  try {
    return (await fetch(`${monitorUrl}/healthz`, { signal: AbortSignal.timeout(2000) })).ok;
  } catch {
    return false;
  }
}
