/**
 * The flow map of time-series replay (paper 2, section V.C.2, multi-flow simulation): which
 * UDP 5-tuple each device's records are sent on. `memoco ts replay --flows map.json`:
 *
 *   { "flows": [
 *       { "devices": ["CH.BALST..LHE", "CH.BALST..LHZ"], "src": "10.1.0.1:4000", "dst": "10.9.0.1:5000" },
 *       { "device": "synth-7", "src": "10.1.0.2:4001", "dst": "10.9.0.1:5000",
 *         "srcMac": "02:00:00:00:01:02", "dstMac": "02:00:00:00:09:01", "proto": "udp" } ] }
 *
 * A device is named as in the archive (`ts inspect --per-device`) and stored as its 16-byte
 * Device ID (names over 16 bytes are shortened as the converters do). Several devices may
 * share a flow; a device may appear once. MACs default to the caller's; the protocol can
 * only be UDP (records are UDP payloads). Devices the map does not name follow the
 * replay's rule (--flow-rule). Errors name the file and the JSON path.
 */
import { encodeDeviceId } from '../format/device-id.ts';
import { tsArchiveError } from '../tsarchive-error.ts';

export interface FlowMapTuple {
  srcIp: string;
  srcPort: number;
  dstIp: string;
  dstPort: number;
  srcMac: string;
  dstMac: string;
}

export interface FlowMap {
  flows: FlowMapTuple[];
  /** `flow` indexes `flows`. */
  devices: { device: string; id: Uint8Array; flow: number }[];
}

export interface FlowMapDefaults {
  srcMac: string;
  dstMac: string;
}

const IPV4 = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/;
const MAC = /^[0-9a-f]{2}(:[0-9a-f]{2}){5}$/i;
const KEYS = new Set(['device', 'devices', 'src', 'dst', 'srcMac', 'dstMac', 'proto']);

function fail(file: string, path: string, why: string): never {
  throw tsArchiveError('TSARCHIVE_ERR_BAD_FLOW_MAP', `${file}: ${path}: ${why}`, { file });
}

function endpoint(file: string, path: string, value: unknown): { ip: string; port: number } {
  const text = typeof value === 'string' ? value : '';
  const colon = text.lastIndexOf(':');
  const ip = text.slice(0, colon), port = Number(text.slice(colon + 1));
  const m = IPV4.exec(ip);
  if (colon < 0 || !m || m.slice(1).some((o) => Number(o) > 255) || !Number.isInteger(port) || port < 0 || port > 65535 || text.slice(colon + 1) === '') {
    fail(file, path, `${JSON.stringify(value)} is not "IPv4:PORT" (like "10.0.0.1:4000")`);
  }
  return { ip, port };
}

function mac(file: string, path: string, value: unknown, fallback: string): string {
  if (value === undefined) return fallback;
  if (typeof value !== 'string' || !MAC.test(value)) fail(file, path, `${JSON.stringify(value)} is not a MAC address like "02:00:00:00:00:01"`);
  return value.toLowerCase();
}

function deviceNames(file: string, path: string, entry: Record<string, unknown>): string[] {
  if ((entry.device === undefined) === (entry.devices === undefined)) fail(file, path, 'give "device": NAME or "devices": [NAME, ...] (one of them)');
  const names = entry.devices === undefined ? [entry.device] : entry.devices;
  if (!Array.isArray(names) || names.length === 0) fail(file, `${path}.devices`, 'must be a non-empty array of device names');
  return names.map((n, i) => (typeof n === 'string' && n !== '' ? n : fail(file, `${path}.devices[${i}]`, 'must be a non-empty string')));
}

/** Parses the text of a flow map; `file` is only used in messages. */
export function parseFlowMap(text: string, file: string, defaults: FlowMapDefaults): FlowMap {
  let root: unknown;
  try {
    root = JSON.parse(text);
  } catch (error) {
    fail(file, '$', `not JSON (${(error as Error).message})`);
  }
  const list = (root as { flows?: unknown } | null)?.flows;
  if (!Array.isArray(list)) fail(file, '$.flows', 'must be an array of flows');
  const map: FlowMap = { flows: [], devices: [] };
  const ids = new Map<string, string>();
  list.forEach((raw, i) => {
    const path = `$.flows[${i}]`;
    if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) fail(file, path, 'must be an object');
    const entry = raw as Record<string, unknown>;
    const unknown = Object.keys(entry).find((k) => !KEYS.has(k));
    if (unknown) fail(file, `${path}.${unknown}`, `unknown key (expected ${[...KEYS].join(', ')})`);
    if (entry.proto !== undefined && String(entry.proto).toLowerCase() !== 'udp') fail(file, `${path}.proto`, 'records are sent as UDP payloads: only "udp"');
    const src = endpoint(file, `${path}.src`, entry.src), dst = endpoint(file, `${path}.dst`, entry.dst);
    map.flows.push({ srcIp: src.ip, srcPort: src.port, dstIp: dst.ip, dstPort: dst.port, srcMac: mac(file, `${path}.srcMac`, entry.srcMac, defaults.srcMac), dstMac: mac(file, `${path}.dstMac`, entry.dstMac, defaults.dstMac) });
    for (const device of deviceNames(file, path, entry)) {
      const id = encodeDeviceId(device);
      const key = Buffer.from(id).toString('hex');
      const before = ids.get(key);
      if (before !== undefined) fail(file, path, before === device ? `device "${device}" is mapped twice` : `devices "${before}" and "${device}" have the same 16-byte Device ID`);
      ids.set(key, device);
      map.devices.push({ device, id, flow: i });
    }
  });
  return map;
}
