import { describe, expect, it } from 'vitest';
import { decodeDeviceId, encodeDeviceId } from './device-id.ts';

describe('device id field', () => {
  it('stores names of up to 16 bytes right-padded with NUL, and reads them back', () => {
    const bytes = encodeDeviceId('IU.ANMO.00.LHZ');
    expect(Array.from(bytes.subarray(14))).toEqual([0, 0]);
    expect(decodeDeviceId(bytes, 0)).toBe('IU.ANMO.00.LHZ');
    expect(decodeDeviceId(encodeDeviceId('exactly16bytes!!'), 0)).toBe('exactly16bytes!!');
  });

  it('shortens longer names to 9 bytes, ~ and 6 hex digits of their hash, keeping look-alikes apart', () => {
    const a = decodeDeviceId(encodeDeviceId('temperature_sensor_north_01'), 0);
    const b = decodeDeviceId(encodeDeviceId('temperature_sensor_north_02'), 0);
    expect(a).toMatch(/^temperatu~[0-9a-f]{6}$/);
    expect(b).toMatch(/^temperatu~[0-9a-f]{6}$/);
    expect(a).not.toBe(b);
    expect(decodeDeviceId(encodeDeviceId('temperature_sensor_north_01'), 0)).toBe(a);
  });

  it('never cuts a UTF-8 character in half', () => {
    const name = 'ääääääääää'; // 20 bytes
    expect(decodeDeviceId(encodeDeviceId(name), 0)).toMatch(/^ää(ää)~[0-9a-f]{6}$/);
  });

  it('rejects empty names and names with NUL', () => {
    expect(() => encodeDeviceId('')).toThrow(/empty or contains a NUL/);
    expect(() => encodeDeviceId('a\0b')).toThrow(/empty or contains a NUL/);
  });
});
