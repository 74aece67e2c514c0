import { MemocoError } from '@memoco/protocol';

/**
 * `--port SPEC`: any DPDK vdev spec (`net_null0`, `net_pcap0,tx_pcap=out.pcap`,
 * `net_af_packet0,iface=X,qdisc_bypass=1`) or a PCI address (issue 3). Checked here before
 * EAL sees it, so a typo gets one coded line instead of DPDK's usage text.
 */
export interface PortSpec {
  kind: 'vdev' | 'pci';
  /** What rte_dev_probe() takes. */
  devargs: string;
  /** The ethdev name DPDK gives the port (`net_pcap0`, or the full PCI address). */
  name: string;
  driver: string;
  args: Record<string, string>;
}

/** Virtual drivers Debian's DPDK 22.11 ships, with the arguments each needs at least. */
export const KNOWN_VDEV_DRIVERS: Readonly<Record<string, readonly string[][]>> = {
  net_null: [],
  net_pcap: [['tx_pcap', 'tx_iface', 'iface']],
  net_af_packet: [['iface']],
  net_af_xdp: [['iface']],
  net_tap: [],
  net_ring: [],
  net_memif: [],
  net_vhost: [['iface']],
  net_virtio_user: [['path']],
};

const VDEV = /^(net_[a-z0-9_]*?)(\d+)(?:,(.*))?$/;
const PCI = /^((?:[0-9a-f]{4}:)?[0-9a-f]{2}:[0-9a-f]{2}\.[0-7])(?:,(.*))?$/i;

function bad(spec: string, why: string): MemocoError {
  return new MemocoError('TXCORE_ERR_PORT_SPEC', `--port '${spec}': ${why}`);
}

function parseArgs(spec: string, text: string | undefined): Record<string, string> {
  const args: Record<string, string> = {};
  if (text === undefined) return args;
  for (const part of text.split(',')) {
    const eq = part.indexOf('=');
    if (eq <= 0 || eq === part.length - 1) throw bad(spec, `'${part}' is not key=value`);
    args[part.slice(0, eq)] = part.slice(eq + 1);
  }
  return args;
}

export function parsePortSpec(spec: string): PortSpec {
  const text = spec.trim();
  if (text === '') throw bad(spec, 'empty');
  const pci = PCI.exec(text);
  if (pci) {
    const address = pci[1]!.length === 7 ? `0000:${pci[1]!}` : pci[1]!;
    const args = parseArgs(spec, pci[2]);
    return { kind: 'pci', devargs: [address.toLowerCase(), pci[2]].filter(Boolean).join(','), name: address.toLowerCase(), driver: 'pci', args };
  }
  const vdev = VDEV.exec(text);
  if (!vdev) throw bad(spec, 'expected a DPDK vdev like net_null0 or net_pcap0,tx_pcap=FILE, or a PCI address like 0000:3b:00.0');
  const driver = vdev[1]!;
  const required = KNOWN_VDEV_DRIVERS[driver];
  if (required === undefined) throw bad(spec, `unknown driver '${driver}' (known: ${Object.keys(KNOWN_VDEV_DRIVERS).join(', ')})`);
  const args = parseArgs(spec, vdev[3]);
  for (const oneOf of required) {
    if (!oneOf.some((key) => key in args)) throw bad(spec, `${driver} needs ${oneOf.map((k) => `${k}=`).join(' or ')}`);
  }
  return { kind: 'vdev', devargs: text, name: `${driver}${vdev[2]!}`, driver, args };
}
