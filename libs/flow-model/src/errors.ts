import type { ErrorRegistry } from '@memoco/protocol';

/**
 * Every code the flow-model trainer, model reader and regenerator throw (issue 4). Trace
 * faults keep the reader's own PCAP_ERR_* codes; these cover what is specific to models.
 */
export const FLOWMODEL_ERRORS = {
  FLOWMODEL_ERR_EMPTY_TRACE: { description: 'The trace holds no packets at all: there is nothing to learn, so no model file is written.', status: 400 },
  FLOWMODEL_ERR_NO_IP_PACKETS: { description: 'The trace holds no IPv4 or IPv6 packet (only ARP, LLDP, ...): flows are keyed by IP 5-tuples, so no model file is written.', status: 400 },
  FLOWMODEL_ERR_BAD_OPTIONS: { description: 'Training or generation options are invalid (bin width, model byte budget, seed, duration, speed out of range or contradicting each other).', status: 400 },
  FLOWMODEL_ERR_BUDGET_TOO_SMALL: { description: 'The --max-model-bytes budget cannot hold even the smallest model of this trace (the graph, the activity profile at its coarsest and one flow class).', status: 400 },
  FLOWMODEL_ERR_BAD_MODEL: { description: 'The file is not a Memoco flow model: not ONNX, a missing or malformed table, or an unsupported model format version.', status: 400 },
  FLOWMODEL_ERR_ABORTED: { description: 'Training or generation was stopped on request (Ctrl-C) before the end; no model or trace file is left behind.', status: 499 },
  FLOWMODEL_ERR_INFERENCE: { description: 'onnxruntime could not load the model graph or run it (a corrupt graph, or the runtime failed).', status: 500 },
} as const satisfies ErrorRegistry;

export type FlowModelErrorCode = keyof typeof FLOWMODEL_ERRORS;
