/**
 * Paper 2's Table II on this machine (net_null): synthetic files of 70-byte records (the
 * Data field, as `ts synth` reads the paper), replayed time-conforming with drift windows,
 * dropped records (time violations) beside the paper's trafgen-exo SSD column, which the
 * paper's text gives as 482 / 32 / 0 for the first file (section VI.F.1, Table II).
 * Each run is its own `memoco ts replay` process; figures are medians of `runs` runs. Beside
 * each row: the machine's floor, what a spin loop alone loses on the TX thread's CPU over
 * the same time (bench/ts-spin-probe.c), so a row can be read against the noise.
 */
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { median } from '@memoco/testbed';
import { load, round, say, spinProbe, synth, tsReplay, type TsBenchArgs } from './ts-bench-support.ts';

interface Table2File {
  name: string;
  records: number;
  devices: number;
  intervalNs: number;
  seconds: number;
  /** The paper's trafgen-exo SSD column, per drift window (us). */
  paper: Record<number, number>;
}

/** Table II's four files and the paper's trafgen-exo SSD drops (HDD / SSD in the paper; SSD here). */
export const TABLE_II: readonly Table2File[] = [
  { name: '1M x 1 device, 1/us, 1 s', records: 1_000_000, devices: 1, intervalNs: 1000, seconds: 1, paper: { 0: 482, 5: 32, 10: 0 } },
  { name: '5M x 1 device, 1/us, 5 s', records: 5_000_000, devices: 1, intervalNs: 1000, seconds: 5, paper: { 0: 2700, 10: 128, 20: 0 } },
  { name: '5M x 100 devices, 1/us, 5 s', records: 5_000_000, devices: 100, intervalNs: 1000, seconds: 5, paper: { 0: 2700, 10: 151, 20: 0 } },
  { name: '5M x 2 devices, 2/us, 2.5 s', records: 5_000_000, devices: 2, intervalNs: 500, seconds: 2.5, paper: { 0: 12_000, 10: 732, 20: 104, 25: 0 } },
];

async function row(file: Table2File, archive: string, priority: string, args: TsBenchArgs, probe: Awaited<ReturnType<typeof spinProbe>>) {
  const drifts = Object.keys(file.paper).map(Number);
  const out = [];
  for (const drift of drifts) {
    const dropped: number[] = [];
    const floor: number[] = [];
    const p99: number[] = [];
    for (let r = 0; r < args.runs; r++) {
      const result = await tsReplay(archive, ['--drift-us', String(drift), '--tx-priority', priority]);
      dropped.push(result.dropped);
      p99.push(result.lateness.p99Us);
      floor.push(Math.round((await probe(file.seconds, [drift], priority !== 'nice'))[String(drift)]! * (1000 / file.intervalNs)));
      say(`${file.name}, drift ${drift} us, ${priority}: dropped ${result.dropped} (floor ${floor.at(-1)}), load ${load()}`);
    }
    out.push({
      driftUs: drift, memocoDropped: median(dropped), runs: dropped, paperTrafgenExoSsd: file.paper[drift]!, met: median(dropped) <= file.paper[drift]!,
      machineFloorRecords: median(floor), floorRuns: floor, latenessP99Us: round(median(p99), 2),
    });
  }
  return { file: file.name, records: file.records, devices: file.devices, seconds: file.seconds, rows: out };
}

/** Every Table II row with the default priority (auto: SCHED_FIFO here), row 1 also with nice -20. */
export async function tableII(temp: string, args: TsBenchArgs) {
  const probe = await spinProbe(temp);
  const files = args.quick ? TABLE_II.slice(0, 1) : TABLE_II;
  const rows = [];
  let nice;
  for (const file of files) {
    const archive = await synth(join(temp, 'table2.tsa'), { records: file.records, devices: file.devices, intervalNs: file.intervalNs, dataBytes: 70 });
    rows.push(await row(file, archive, 'auto', args, probe));
    if (file === TABLE_II[0]) nice = await row(file, archive, 'nice', args, probe);
    rmSync(archive, { force: true });
  }
  return {
    port: 'net_null0', recordDataBytes: 70, threads: '1 IO, 1 worker, 1 TX', tables: rows, firstFileWithNice: nice,
    note: 'memocoDropped: median of runs; machineFloorRecords: records due while a bare spin loop on the TX CPU, at the same priority, was kept from running for longer than the window (gaps summed over the same time x records per us): about what no sender on that CPU can avoid',
  };
}
