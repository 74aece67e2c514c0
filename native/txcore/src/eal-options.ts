import { availableParallelism } from 'node:os';
import { MemocoError } from '@memoco/protocol';

/**
 * How DPDK's EAL starts: once per process, for its life (design.md invariant). Here (no
 * hugepages, no NIC) the defaults give `--no-huge -m 1024 --no-pci --no-shconf`; on a real
 * host set `hugepages: true` and allow the NIC's PCI address (docs/txcore.md).
 */
export interface EalOptions {
  /** false: `--no-huge` (plain pages, fine for vdevs); true: hugepages must be mounted and reserved. */
  hugepages: boolean;
  /** EAL memory in MB (`-m`): mbuf pools come out of it. */
  memoryMb: number;
  /** Worker lcores to create: generation cores + 1 for a drain lcore. */
  workerLcores: number;
  /** CPUs the lcores run on (default: 0 .. availableParallelism-1). */
  cpus: number[];
  /** PCI addresses to attach (`-a`); none: `--no-pci`. */
  pciAllow: string[];
  /** Unique per process: EAL's runtime files live under /var/run/dpdk/<prefix>. */
  filePrefix: string;
  /** DPDK log level; DPDK's lines are captured and the relevant one lands in error messages. */
  logLevel: 'error' | 'warning' | 'notice' | 'info' | 'debug';
  /** Also copy DPDK's log lines to stderr. */
  echoLogs: boolean;
}

export const DEFAULT_EAL_OPTIONS: Readonly<Omit<EalOptions, 'filePrefix' | 'cpus'>> = {
  hugepages: false,
  memoryMb: 1024,
  workerLcores: 4,
  pciAllow: [],
  logLevel: 'error',
  echoLogs: false,
};

const PCI_ADDRESS = /^([0-9a-f]{4}:)?[0-9a-f]{2}:[0-9a-f]{2}\.[0-7]$/i;
const LOG_LEVELS = ['error', 'warning', 'notice', 'info', 'debug'] as const;
const MAX_LCORES = 128; // RTE_MAX_LCORE in Debian's build

function bad(message: string): MemocoError {
  return new MemocoError('TXCORE_ERR_BAD_OPTION', message);
}

/** Fills defaults and rejects impossible values with exact messages. */
export function parseEalOptions(input: Partial<EalOptions> = {}): EalOptions {
  const options: EalOptions = {
    ...DEFAULT_EAL_OPTIONS,
    cpus: Array.from({ length: availableParallelism() }, (_, i) => i),
    filePrefix: `memoco-${process.pid}`,
    ...input,
  };
  if (!Number.isInteger(options.memoryMb) || options.memoryMb < 64) throw bad(`EAL memory must be an integer >= 64 MB, got ${options.memoryMb}`);
  if (!Number.isInteger(options.workerLcores) || options.workerLcores < 1 || options.workerLcores >= MAX_LCORES) {
    throw bad(`workerLcores must be an integer from 1 to ${MAX_LCORES - 1}, got ${options.workerLcores}`);
  }
  if (options.cpus.length === 0 || !options.cpus.every((c) => Number.isInteger(c) && c >= 0)) throw bad(`cpus must list CPU numbers, got [${options.cpus.join(',')}]`);
  for (const pci of options.pciAllow) if (!PCI_ADDRESS.test(pci)) throw bad(`'${pci}' is not a PCI address (like 0000:3b:00.0)`);
  if (!/^[A-Za-z0-9_.-]{1,64}$/.test(options.filePrefix)) throw bad(`filePrefix may use letters, digits, '_', '.', '-' only, got '${options.filePrefix}'`);
  if (!LOG_LEVELS.includes(options.logLevel)) throw bad(`logLevel must be one of ${LOG_LEVELS.join(', ')}, got '${options.logLevel}'`);
  return options;
}

/**
 * Maps lcores onto CPUs. With a CPU for the main lcore and one for every worker, each lcore
 * gets its own CPU (`0@c0,1@c1,...`): the bigger-host case. With fewer CPUs (2 here) every
 * lcore floats over all of them (`i@(c0,c1)`) and Linux shares them between the lcores,
 * the reader thread and Node's event loop: measured in docs/txcore.md.
 */
export function lcoreMap(workerLcores: number, cpus: readonly number[]): string {
  const total = workerLcores + 1;
  if (cpus.length >= total) return Array.from({ length: total }, (_, i) => `${i}@${cpus[i]}`).join(',');
  const all = `(${cpus.join(',')})`;
  return Array.from({ length: total }, (_, i) => `${i}@${all}`).join(',');
}

/** The argv rte_eal_init receives (argv[0] included). */
export function ealArguments(options: EalOptions): string[] {
  const args = ['memoco', `--lcores=${lcoreMap(options.workerLcores, options.cpus)}`, '-m', String(options.memoryMb)];
  if (!options.hugepages) args.push('--no-huge');
  if (options.pciAllow.length === 0) args.push('--no-pci');
  for (const pci of options.pciAllow) args.push('-a', pci);
  args.push('--no-shconf', '--no-telemetry', `--file-prefix=${options.filePrefix}`, `--log-level=*:${options.logLevel}`);
  return args;
}
