import { describe, expect, it } from 'vitest';
import { decodeDeviceId, encodeDeviceId } from '../../format/device-id.ts';
import { DeviceRegistry } from './device-registry.ts';

/** Two long names with the same 9-byte head whose 24-bit hashes collide (found by search). */
function collidingNames(): [string, string] {
  const seen = new Map<string, string>();
  for (let i = 0; ; i++) {
    const name = `sensor_north_${i}`;
    const id = decodeDeviceId(encodeDeviceId(name), 0);
    const other = seen.get(id);
    if (other) return [other, name];
    seen.set(id, name);
  }
}

describe('device registry', () => {
  it('maps each name once and lists the mapping in first-seen order', () => {
    const registry = new DeviceRegistry();
    expect(registry.idFor('a')).toBe(registry.idFor('a'));
    registry.idFor('Accelerometer1RMS');
    expect(registry.mappings()).toEqual([{ name: 'a', id: 'a' }, { name: 'Accelerometer1RMS', id: decodeDeviceId(encodeDeviceId('Accelerometer1RMS'), 0) }]);
  });

  it('refuses two names that shorten to the same Device ID', () => {
    const [a, b] = collidingNames();
    const registry = new DeviceRegistry();
    registry.idFor(a);
    expect(() => registry.idFor(b)).toThrow(expect.objectContaining({ code: 'TSARCHIVE_ERR_DEVICE_ID_COLLISION' }));
  });
});
