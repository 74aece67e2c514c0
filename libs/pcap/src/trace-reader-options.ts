import { MemocoError } from '@memoco/protocol';

/** Longest packet (captured bytes) accepted in any capture: libpcap's own ceiling, 256 KiB. */
export const MAX_PACKET_BYTES = 262_144;
/**
 * Longest pcapng block the reader holds whole (a packet block with its options, a section or
 * interface header). Longer blocks of kinds the reader does not use are skipped unread.
 */
export const MAX_BLOCK_BYTES = MAX_PACKET_BYTES + 65_536;

export interface TraceReaderOptions {
  /** Packets per batch (the PacketBatch arrays' length). */
  batchSize?: number;
  /** Bytes read from the source per step; two buffers of this plus MAX_BLOCK_BYTES are held. */
  chunkBytes?: number;
  /** Decode link/IP/transport headers and assign flow ids (off: container parsing only). */
  decode?: boolean;
}

export const DEFAULT_TRACE_READER_OPTIONS: Required<TraceReaderOptions> = {
  batchSize: 8192,
  chunkBytes: 4 * 1024 * 1024,
  decode: true,
};

const LIMITS = {
  batchSize: { min: 1, max: 1 << 20 },
  chunkBytes: { min: 1, max: 256 * 1024 * 1024 },
} as const;

/** Fills in defaults and rejects sizes out of range with exact messages. */
export function parseTraceReaderOptions(options: TraceReaderOptions = {}): Required<TraceReaderOptions> {
  const parsed = { ...DEFAULT_TRACE_READER_OPTIONS };
  for (const name of ['batchSize', 'chunkBytes'] as const) {
    const value = options[name];
    if (value === undefined) continue;
    const { min, max } = LIMITS[name];
    if (!Number.isInteger(value) || value < min || value > max) {
      throw new MemocoError('PCAP_ERR_BAD_OPTIONS', `${name} must be an integer from ${min} to ${max}, got ${value}`);
    }
    parsed[name] = value;
  }
  if (options.decode !== undefined) parsed.decode = options.decode;
  return parsed;
}
