/** Test support: where the shared capture corpus is, and what its MANIFEST.md says of each file. */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** `<repo>/../shared/data/pcaps` (beside the checkout in CI; absent on a fresh clone). */
export const CORPUS_DIR = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..', '..', '..', 'shared', 'data', 'pcaps');
export const CORPUS_PRESENT = existsSync(join(CORPUS_DIR, 'MANIFEST.md'));
export const FIXTURES_DIR = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'fixtures');

export interface ManifestEntry {
  file: string;
  format: string;
  linkType: number;
  packets: number;
  flowsBi: number;
  tcpFlows: number;
  udpFlows: number;
  nonIp: number;
  /** capinfos' first packet time, "yyyy-mm-dd hh:mm:ss.fraction" (UTC). */
  firstPacket: string;
  durationSeconds: number;
}

const int = (text: string) => Number(text.replace(/,/g, ''));

export function readManifest(dir = CORPUS_DIR): ManifestEntry[] {
  const text = readFileSync(join(dir, 'MANIFEST.md'), 'utf8');
  const entries: ManifestEntry[] = [];
  for (const line of text.split('\n')) {
    const cells = line.split('|').map((c) => c.trim());
    if (cells.length < 12 || !/^\d+$/.test(cells[1])) continue;
    const file = cells[2].replace(/`/g, '');
    const [tcp, udp] = cells[8].split('/').map((s) => int(s));
    const details = text.slice(text.indexOf(`### ${cells[1]}. \`${file}\``));
    const summary = /Packets \d+ \(tshark read \d+, (\d+) non-IP\); first packet ([\d-]+ [\d:.]+); duration ([\d.]+) seconds/.exec(details);
    if (!summary) throw new Error(`MANIFEST.md: no packet summary for ${file}`);
    entries.push({
      file,
      format: cells[4].replace(/\*/g, ''),
      linkType: int(/\((\d+)\)/.exec(cells[5])?.[1] ?? 'NaN'),
      packets: int(cells[6]),
      flowsBi: int(cells[7].split('(')[0]),
      tcpFlows: tcp,
      udpFlows: udp,
      nonIp: int(summary[1]),
      firstPacket: summary[2],
      durationSeconds: Number(summary[3]),
    });
  }
  return entries;
}
