import { TimestampResolution, MICROSECOND_RESOLUTION } from './pcapng-timestamp.ts';
import { MAX_PACKET_BYTES } from './trace-reader-options.ts';

/** What packet blocks need from their Interface Description Block. */
export interface PcapngInterface {
  linkType: number;
  /** Longest captured length accepted (the IDB snaplen, or the 256 KiB ceiling when 0). */
  maxCapLen: number;
  /** The IDB's snaplen as written (0 = no limit), which also bounds Simple Packet Blocks. */
  snapLen: number;
  resolution: TimestampResolution;
  /** if_tsoffset: seconds added to every timestamp of this interface. */
  offsetSec: number;
}

const OPTION = { END: 0, IF_TSRESOL: 9, IF_TSOFFSET: 14 } as const;
const TWO_32 = 4294967296;

/**
 * Reads an IDB whose body is view[body, blockEnd) (after type and length, before the
 * trailing length). Returns the interface, or a message saying what is wrong.
 */
export function parseInterfaceBlock(view: DataView, body: number, blockEnd: number, le: boolean): PcapngInterface | string {
  if (blockEnd - body < 8) return 'interface description block shorter than its 8 fixed bytes';
  const linkType = view.getUint16(body, le);
  const snapLen = view.getUint32(body + 4, le);
  const iface: PcapngInterface = {
    linkType,
    snapLen,
    maxCapLen: snapLen === 0 ? MAX_PACKET_BYTES : Math.min(snapLen, MAX_PACKET_BYTES),
    resolution: MICROSECOND_RESOLUTION,
    offsetSec: 0,
  };
  let p = body + 8;
  while (blockEnd - p >= 4) {
    const code = view.getUint16(p, le);
    const length = view.getUint16(p + 2, le);
    if (code === OPTION.END) break;
    const value = p + 4;
    if (value + length > blockEnd) return `interface option ${code} runs past the end of its block`;
    if (code === OPTION.IF_TSRESOL && length >= 1) {
      const tsresol = view.getUint8(value);
      if (!TimestampResolution.isSupported(tsresol)) return `unsupported if_tsresol 0x${tsresol.toString(16)}`;
      iface.resolution = new TimestampResolution(tsresol);
    } else if (code === OPTION.IF_TSOFFSET && length >= 8) {
      const first = view.getUint32(value, le);
      const second = view.getUint32(value + 4, le);
      const [hi, lo] = le ? [second, first] : [first, second];
      iface.offsetSec = (hi | 0) * TWO_32 + lo;
    }
    p = value + ((length + 3) & ~3);
  }
  return iface;
}
