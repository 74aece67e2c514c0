import { MemocoError } from '@memoco/protocol';
import { ChildProcessHandle } from './child-process-handle.ts';
import { waitUntil } from './wait-until.ts';

export interface CaptureOptions {
  /** Stop by itself after this many packets (tcpdump -c). */
  count?: number;
  /** Bytes kept per packet (tcpdump -s); default 0 = whole packet. */
  snaplen?: number;
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
}

/**
 * Starts tcpdump on `iface` inside network namespace `ns`, writing `file` packet-buffered
 * (-U, --immediate-mode, 8 MiB buffer: 0.5 Mpps without loss here). Resolves only once
 * tcpdump says it is listening, so nothing sent after that is missed.
 */
export async function captureInNamespace(ns: string, iface: string, file: string, options: CaptureOptions = {}): Promise<NamespaceCapture> {
  const args = ['netns', 'exec', ns, 'tcpdump', '-i', iface, '-w', file, '-U', '-s', String(options.snaplen ?? 0), '-B', '8192', '--immediate-mode', '-n'];
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
  };
}

function parseCounters(stderr: string, file: string): CaptureResult {
  const count = (label: string) => Number(stderr.match(new RegExp(`(\\d+) packets? ${label}`))?.[1] ?? 0);
  return { packets: count('captured'), receivedByFilter: count('received by filter'), droppedByKernel: count('dropped by kernel'), file };
}
