import type { InspectResult } from './inspect-trace.ts';
import { linkTypeName } from './link-types.ts';

/** `memoco inspect` without --json: one aligned `name  value` line per figure. */
export function formatInspectReport(trace: string, result: InspectResult): string {
  const count = (n: number) => n.toLocaleString('en-US');
  const rows: [string, string][] = [
    ['trace', trace],
    ['format', result.format ?? 'unknown'],
    ['link types', result.linkTypes.map((t) => `${linkTypeName(t)} (${t})`).join(', ') || '-'],
    ['packets', count(result.packets)],
    ['bytes', `${count(result.bytes)} captured, ${count(result.wireBytes)} on the wire`],
    ['IP packets', count(result.ipPackets)],
    ['flows', `${count(result.flows)} (TCP ${count(result.tcpFlows)}, UDP ${count(result.udpFlows)}, other ${count(result.flows - result.tcpFlows - result.udpFlows)})`],
    ['first packet', result.firstTimestamp ?? '-'],
    ['last packet', result.lastTimestamp ?? '-'],
    ['duration', `${result.durationSeconds.toFixed(6)} s`],
    ['complete', result.complete ? 'yes' : `no: ${result.error?.code} at offset ${result.error?.offset}, record ${result.error?.record}`],
  ];
  const width = Math.max(...rows.map(([name]) => name.length));
  return rows.map(([name, value]) => `${name.padEnd(width)}  ${value}\n`).join('');
}

/** One progress line (drawn over itself with \r on a terminal). */
export function formatInspectProgress(bytesRead: number, totalBytes: number | undefined, packets: number, elapsedMs: number): string {
  const mb = bytesRead / 1e6;
  const rate = elapsedMs > 0 ? (mb / elapsedMs) * 1000 : 0;
  const share = totalBytes ? ` ${((100 * bytesRead) / totalBytes).toFixed(0).padStart(3)}%` : '';
  return `inspect:${share} ${mb.toFixed(0)} MB, ${packets.toLocaleString('en-US')} packets, ${rate.toFixed(0)} MB/s`;
}
