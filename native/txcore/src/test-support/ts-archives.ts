import { readFileSync, writeFileSync } from 'node:fs';
import { decodeArchiveBytes, encodeArchiveBytes, parseTsSynthOptions, synthesizeArchive, type TsRecord, type TsRecordInput, type TsSynthOptionsInput } from '@memoco/tsarchive';

/** 2024-01-01T00:00:00Z in us: the start of `ts synth` files. */
export const SYNTH_START_US = 1_704_067_200_000_000n;

/** A `ts synth` archive (paper 2's synthetic files) at `path`. */
export async function synthArchive(path: string, options: TsSynthOptionsInput): Promise<string> {
  await synthesizeArchive(path, parseTsSynthOptions(options));
  return path;
}

/** An archive of exactly these records. */
export function writeArchive(path: string, records: readonly TsRecordInput[]): string {
  writeFileSync(path, encodeArchiveBytes(records));
  return path;
}

/** Every record of a (small) archive, with the byte offset of each. */
export function archiveRecords(path: string): { records: TsRecord[]; offsets: number[]; bytes: Uint8Array } {
  const bytes = new Uint8Array(readFileSync(path));
  const offsets: number[] = [];
  for (let at = 0; at + 2 <= bytes.length; at += (bytes[at]! << 8) | bytes[at + 1]!) offsets.push(at);
  return { records: decodeArchiveBytes(bytes), offsets, bytes };
}

/** Data bytes whose first 8 are `n` (little-endian), the rest a pattern of n. */
export function numberedData(n: number, size: number): Uint8Array {
  const data = new Uint8Array(size);
  new DataView(data.buffer).setBigUint64(0, BigInt(n), true);
  for (let i = 8; i < size; i++) data[i] = (n * 7 + i) & 0xff;
  return data;
}
