import type { ErrorRegistry } from '@memoco/protocol';

/**
 * Every code the native TX engine's wrapper throws (issue 3, "Bad input"). Native failures
 * arrive as a stage name (txcore-failure.h) and are mapped by native-failure.ts.
 */
export const TXCORE_ERRORS = {
  TXCORE_ERR_ADDON_MISSING: { description: 'The native addon native/txcore/build/Release/txcore.node is not built: run `npm run build:native` (infra/setup.sh does).' },
  TXCORE_ERR_DPDK_MISSING: { description: 'The DPDK 22.11 runtime libraries (librte_*.so.23) cannot be loaded: install the Debian package dpdk (infra/setup.sh does).' },
  TXCORE_ERR_BAD_OPTION: { description: 'An engine or EAL option is out of range or of the wrong type.', status: 400 },
  TXCORE_ERR_RATE_CONFLICT: { description: 'More than one rate was given: use exactly one of --speed, --pps, --mbps, --topspeed.', status: 400 },
  TXCORE_ERR_PORT_SPEC: { description: 'The --port spec is malformed or names an unknown driver (a DPDK vdev such as net_null0, net_pcap0,tx_pcap=F, net_af_packet0,iface=X, or a PCI address).', status: 400 },
  TXCORE_ERR_EAL_INIT: { description: "DPDK's EAL did not start (the message carries DPDK's reason), or was asked to start twice with different options." },
  TXCORE_ERR_EAL_NOT_READY: { description: 'A run was started before the EAL was initialised (a wrapper bug).' },
  TXCORE_ERR_PORT_PROBE: { description: 'DPDK could not attach the port (unknown driver, missing interface, a tx_pcap file that cannot be created); the message carries DPDK\'s reason.' },
  TXCORE_ERR_PORT_INIT: { description: 'The port attached but could not be configured or started.' },
  TXCORE_ERR_NO_MEMORY: { description: 'Not enough memory for the mbuf pools or trace buffers: raise the EAL memory (-m) or lower --buffer-mb.' },
  TXCORE_ERR_LCORES: { description: 'The run needs more worker lcores than EAL was started with, or one is busy.' },
  TXCORE_ERR_BUSY: { description: 'Another run is active in this process (one run at a time per EAL).', status: 409 },
  TXCORE_ERR_TRACE_OPEN: { description: 'The trace cannot be opened or read.' },
  TXCORE_ERR_TRACE_FORMAT: { description: 'The trace is not a pcap or pcapng file (bad magic).', status: 400 },
  TXCORE_ERR_TRACE_CORRUPT: { description: 'A record of the trace is corrupt; the replay stopped there and reports what it sent (details: offset, record).', status: 400 },
  TXCORE_ERR_TRACE_TRUNCATED: { description: 'The trace ends in the middle of a record; everything before it was sent (details: offset, record).', status: 400 },
  TXCORE_ERR_OPTION_CONFLICT: { description: 'Two time-series replay options contradict each other (e.g. --tight-loop-ns with --fast-forward, --drift-us with --tight-loop-ns 0, --ooo-window-us without --ooo-probability); the message names both.', status: 400 },
  TXCORE_ERR_ARCHIVE_OPEN: { description: 'The time-series archive cannot be opened or read.' },
  TXCORE_ERR_ARCHIVE_CORRUPT: { description: 'A record of the archive is bad (Length below 30, a non-decimal timestamp digit, an impossible date); the replay sent every record before it and reports them (details: offset, record, reason BAD_LENGTH | BAD_BCD | BAD_DATE).', status: 400 },
  TXCORE_ERR_ARCHIVE_TRUNCATED: { description: 'The archive ends inside a record; every record before it was sent (details: offset, record).', status: 400 },
  TXCORE_ERR_FLOW_LIMIT: { description: 'The archive has more devices (65,536) or the flow rule more flows than one replay tells apart, or port-per-device ran out of source ports; records before it were sent.', status: 400 },
  TXCORE_ERR_SYNTH_PLAN: { description: "The model's regeneration plan is inconsistent (tables that do not match, packet counts that are not whole numbers): the model file is damaged or not of this version.", status: 400 },
  TXCORE_ERR_SYNTH_INPUT: { description: 'Count-chunk production failed mid-run (ONNX inference, an inconsistent chunk): the packets before it were sent; the message names the cause (e.g. FLOWMODEL_ERR_INFERENCE).' },
} as const satisfies ErrorRegistry;

export type TxcoreErrorCode = keyof typeof TXCORE_ERRORS;
