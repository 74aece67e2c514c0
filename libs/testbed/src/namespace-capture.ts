import { statSync } from 'node:fs';
import { MemocoError } from '@memoco/protocol';
import { ChildProcessHandle } from './child-process-handle.ts';
import { runCommand } from './run-command.ts';
import { waitUntil } from './wait-until.ts';

const DEFAULT_BUFFER_KB = 32_768;

export interface CaptureOptions {
  /** Stop by itself after this many packets (tcpdump -c). */
  count?: number;
  /** Bytes kept per packet (tcpdump -s); default: the interface's MTU + 64 (at least 2048), i.e. whole frames. */
  snaplen?: number;
  /** Kernel capture buffer in KiB (tcpdump -B); default 32768. */
  bufferKb?: number;
  /** A pcap filter expression (e.g. 'udp'); default: everything. */
  filter?: string;
  /** How long to wait for tcpdump to be listening (default 10 s). */
  readyTimeoutMs?: number;
}

export interface CaptureResult {
  /** Packets written to the file ("N packets captured"). */
  packets: number;
  /** Packets the filter saw and the kernel dropped (tcpdump's own counters; 0 when missing). */
  receivedByFilter: number;
  droppedByKernel: number;
  file: string;
}

export interface NamespaceCapture {
  readonly file: string;
  /** Resolves when tcpdump has ended (by itself after `count`, or after stop()). */
  readonly finished: Promise<CaptureResult>;
  /** Ends the capture (SIGINT, so tcpdump flushes and prints its counters) and reports. */
  stop(): Promise<CaptureResult>;
  /**
   * Waits until the file has not grown for `quietMs` (default 300; -U writes every packet at
   * once), at most `timeoutMs` (default 15 s), then stops: for "send, then collect" tests.
   */
  stopWhenIdle(options?: { quietMs?: number; timeoutMs?: number }): Promise<CaptureResult>;
}

/**
 * Starts tcpdump on `iface` inside network namespace `ns`, writing `file` packet-buffered
 * (-U, --immediate-mode, 32 MiB kernel buffer). Resolves only once tcpdump says it is
 * listening, so nothing sent after that is missed. Check `droppedByKernel` in the result.
 */
export async function captureInNamespace(ns: string, iface: string, file: string, options: CaptureOptions = {}): Promise<NamespaceCapture> {
  // Not -s 0: in immediate mode libpcap uses TPACKET_V2, whose ring slots are snaplen-sized,
  // so -s 0 leaves room for a few dozen packets and tcpdump dropped 60% of a 7,451-packet
  // tcpreplay burst here; with slots of MTU size the same burst is captured whole.
  const snaplen = options.snaplen ?? Math.max(2048, (await interfaceMtu(ns, iface)) + 64);
  const args = ['netns', 'exec', ns, 'tcpdump', '-i', iface, '-w', file, '-U', '-s', String(snaplen), '-B', String(options.bufferKb ?? DEFAULT_BUFFER_KB), '--immediate-mode', '-n'];
  // Stay root: Debian's tcpdump otherwise drops to user `tcpdump` and may not write `file`.
  args.push('-Z', 'root');
  if (options.count !== undefined) args.push('-c', String(options.count));
  if (options.filter) args.push(options.filter);
  const child = new ChildProcessHandle('ip', args, { what: `tcpdump ${ns}:${iface}` });
  const listening = await waitUntil(() => {
    if (child.output.toString().includes('listening on')) return true;
    return child.running ? undefined : false;
  }, options.readyTimeoutMs ?? 10_000, 20);
  if (!listening) {
    await child.kill('SIGKILL');
    throw new MemocoError('TESTBED_ERR_COMMAND_FAILED', `tcpdump on ${ns}:${iface} did not start: ${child.output.lastLines(3)}`);
  }
  const finished = child.exited.then(() => parseCounters(child.output.toString(), file));
  return {
    file,
    finished,
    async stop() {
      await child.kill('SIGINT');
      return finished;
    },
    async stopWhenIdle({ quietMs = 300, timeoutMs = 15_000 } = {}) {
      let lastSize = -1;
      let quietSince = Date.now();
      await waitUntil(() => {
        const size = fileSize(file);
        if (size !== lastSize) [lastSize, quietSince] = [size, Date.now()];
        return !child.running || Date.now() - quietSince >= quietMs ? true : undefined;
      }, timeoutMs, Math.min(50, quietMs));
      await child.kill('SIGINT');
      return finished;
    },
  };
}

function fileSize(path: string): number {
  try {
    return statSync(path).size;
  } catch {
    return 0;
  }
}

async function interfaceMtu(ns: string, iface: string): Promise<number> {
  const shown = await runCommand('ip', ['-n', ns, '-o', 'link', 'show', iface], { timeoutMs: 10_000 });
  return Number(shown.stdout.match(/ mtu (\d+)/)?.[1] ?? 1500);
}

function parseCounters(stderr: string, file: string): CaptureResult {
  const count = (label: string) => Number(stderr.match(new RegExp(`(\\d+) packets? ${label}`))?.[1] ?? 0);
  return { packets: count('captured'), receivedByFilter: count('received by filter'), droppedByKernel: count('dropped by kernel'), file };
}
