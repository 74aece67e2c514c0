import type { ErrorRegistry } from '@memoco/protocol';

/**
 * Every code the trace reader and writer throw (issue 2). Parse errors carry
 * `details.offset` (byte offset of the bad header or record in the input) and
 * `details.record` (0-based index of the packet record being read, which is also the number
 * of complete packets before it). Status 400: a bad upload crosses HTTP as a client error.
 */
export const PCAP_ERRORS = {
  PCAP_ERR_BAD_MAGIC: { description: 'The input is not a pcap or pcapng capture (unknown magic number, or empty).', status: 400 },
  PCAP_ERR_BAD_HEADER: { description: 'The pcap file header or a pcapng section/interface header is malformed (version, byte-order mark, snap length, options).', status: 400 },
  PCAP_ERR_BAD_BLOCK: { description: 'A pcapng block is malformed: bad length, trailer length mismatch, unknown interface, or a packet that does not fit its block.', status: 400 },
  PCAP_ERR_RECORD_TOO_LONG: { description: 'A packet record is longer than the snap length or the 256 KiB limit (a corrupt length field).', status: 400 },
  PCAP_ERR_TRUNCATED_HEADER: { description: 'The input ends inside the file header.', status: 400 },
  PCAP_ERR_TRUNCATED_RECORD: { description: 'The input ends inside a record (the file was cut short).', status: 400 },
  PCAP_ERR_IO: { description: 'The capture file could not be opened or read (missing file, permissions), or the writer could not write.', status: 500 },
  PCAP_ERR_ABORTED: { description: 'Reading stopped on request (SIGINT/SIGTERM or an abort signal) before the end of the capture.', status: 499 },
  PCAP_ERR_WRITE_RANGE: { description: 'A packet given to the pcap writer has a timestamp or length the pcap format cannot hold.', status: 400 },
  PCAP_ERR_BAD_OPTIONS: { description: 'Reader or writer options are invalid (sizes out of range, contradictions).', status: 400 },
} as const satisfies ErrorRegistry;

export type PcapErrorCode = keyof typeof PCAP_ERRORS;
