/**
 * Plain-text views of the fleet's API answers for `memoco hosts`, `runs`, `runs show` and
 * `run`: aligned columns, times as ISO-8601 UTC, counts with thousands separators.
 */
import type { HostRegistration } from '@memoco/protocol';
import type { RunDetail, RunRecord } from '@memoco/run-store';

export interface HostRow extends HostRegistration {
  lastHeartbeatUnixMs: number;
  heartbeatAgeMs: number;
  alive: boolean;
}

export function table(header: string[], rows: string[][]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: string[]) => cells.map((c, i) => (i === cells.length - 1 ? c : c.padEnd(widths[i]!))).join('  ').trimEnd();
  return [line(header), ...rows.map(line)].join('\n') + '\n';
}

export const count = (n: number) => Math.round(n).toLocaleString('en-US');
const iso = (ms: number | null) => (ms === null ? '-' : new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z'));
const rate = (r: RunRecord['rate']) => (r.unit === 'pps' ? `${count(r.value)} pps` : `x${r.value}`);

export function formatHosts(hosts: HostRow[]): string {
  if (hosts.length === 0) return 'no hosts registered\n';
  return table(
    ['HOST', 'ALIVE', 'CORES', 'PORTS', 'VERSION', 'HEARTBEAT', 'RUNS'],
    hosts.map((h) => [h.host, h.alive ? 'yes' : 'no', String(h.cores), h.ports.map((p) => `${p.id}:${p.name}`).join(','), h.version, `${(h.heartbeatAgeMs / 1000).toFixed(1)} s ago`, h.activeRunIds.join(',') || '-']),
  );
}

export function formatRuns(runs: RunRecord[]): string {
  if (runs.length === 0) return 'no runs recorded\n';
  return table(
    ['RUN', 'STATUS', 'MODEL', 'HOSTS', 'DURATION', 'RATE', 'CREATED'],
    runs.map((r) => [r.id, r.status, r.modelId.slice(0, 12), String(r.hostCount), `${r.durationS} s`, rate(r.rate), iso(r.createdAtUnixMs)]),
  );
}

export function formatRunDetail(d: RunDetail): string {
  const r = d.run;
  const packets = d.hosts.reduce((s, h) => s + h.packets, 0);
  const head = [
    `run       ${r.id}`,
    `status    ${r.status}`,
    `model     ${r.modelId}`,
    `start     ${iso(r.startAtUnixMs)} for ${r.durationS} s at ${rate(r.rate)}, seed ${r.seed}`,
    `plan      ${count(r.flowCount)} rows over ${r.hostCount} hosts (imbalance ${r.hostImbalance.toFixed(3)}), planned in ${r.planMs.toFixed(1)} ms`,
    `sent      ${count(packets)} packets`,
    `finished  ${iso(r.finishedAtUnixMs)}`,
    '',
  ].join('\n');
  const hosts = table(
    ['HOST', 'STATUS', 'ROWS', 'PACKETS', 'BYTES', 'OUT-OF-ORDER', 'ERROR'],
    d.hosts.map((h) => [h.host, h.status, count(h.flowCount), count(h.packets), count(h.bytes), count(h.outOfOrder), h.error ? `${h.error.code}: ${h.error.message}` : '-']),
  );
  const events = d.events.map((e) => `  ${iso(e.atUnixMs)}  ${e.kind.padEnd(15)} ${e.message}`).join('\n');
  return `${head}\n${hosts}\nevents:\n${events}\n`;
}
