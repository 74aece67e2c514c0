import type { ErrorRegistry } from '@memoco/protocol';

/** Codes of `memoco fidelity` and the fidelity library (issue 4). Trace faults keep their PCAP_ERR_* codes. */
export const FIDELITY_ERRORS = {
  FIDELITY_ERR_NO_IP_PACKETS: { description: 'The original trace holds no IP packet, so there is no traffic to compare the candidate against.', status: 400 },
  FIDELITY_ERR_BAD_OPTIONS: { description: 'Fidelity options are invalid (an unwritable report path, a baseline of an empty trace).', status: 400 },
} as const satisfies ErrorRegistry;

export type FidelityErrorCode = keyof typeof FIDELITY_ERRORS;
