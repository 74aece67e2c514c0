/**
 * Maps source names (CSV column names, NET.STA.LOC.CHA) to their 16-byte Device IDs once,
 * and refuses two different names that would share one ID in the same archive (possible
 * only for names over 16 bytes, which are shortened with a 24-bit hash: see device-id.ts).
 */
import { encodeDeviceId, decodeDeviceId } from '../../format/device-id.ts';
import { tsArchiveError } from '../../tsarchive-error.ts';

export interface DeviceMapping {
  /** The source's own name. */
  name: string;
  /** What the archive's Device ID field holds (equal to `name` when 16 bytes or fewer). */
  id: string;
}

export class DeviceRegistry {
  private readonly byName = new Map<string, Uint8Array>();
  private readonly nameById = new Map<string, string>();

  /** The 16 bytes for `name` (the same array every time). */
  idFor(name: string): Uint8Array {
    const known = this.byName.get(name);
    if (known) return known;
    const bytes = encodeDeviceId(name);
    const id = decodeDeviceId(bytes, 0);
    const other = this.nameById.get(id);
    if (other !== undefined) {
      throw tsArchiveError('TSARCHIVE_ERR_DEVICE_ID_COLLISION', `devices '${other}' and '${name}' both map to Device ID '${id}'; rename one of them`);
    }
    this.nameById.set(id, name);
    this.byName.set(name, bytes);
    return bytes;
  }

  /** Every device seen, in first-seen order. */
  mappings(): DeviceMapping[] {
    return Array.from(this.nameById, ([id, name]) => ({ name, id }));
  }
}
