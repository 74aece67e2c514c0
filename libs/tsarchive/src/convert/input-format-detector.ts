/**
 * Recognises the input of `ts convert` from its first bytes: miniSEED 2 (a data record
 * header, or a SEED volume's control header), the NREL MIDC and UO SRML solar formats
 * (their header lines), else CSV.
 */
import { open } from 'node:fs/promises';
import { MemocoError } from '@memoco/protocol';
import { tsArchiveError } from '../tsarchive-error.ts';
import type { DetectedFormat } from './convert-options.ts';
import { looksLikeMseedRecord } from './mseed/mseed-record-header.ts';
import { looksLikeMidcHeader } from './solar/midc-adapter.ts';
import { looksLikeSrmlHeader } from './solar/srml-converter.ts';

const PEEK = 4096;

export async function detectInputFormat(path: string): Promise<DetectedFormat> {
  const head = new Uint8Array(PEEK);
  let length: number;
  try {
    const handle = await open(path, 'r');
    try {
      length = (await handle.read(head, 0, PEEK, 0)).bytesRead;
    } finally {
      await handle.close();
    }
  } catch (error) {
    throw new MemocoError('MEMOCO_ERR_IO', `cannot read ${path}: ${(error as Error).message}`, { file: path });
  }
  const bytes = head.subarray(0, length);
  if (looksLikeMseedRecord(bytes, 0) || /^\d{6}V /.test(String.fromCharCode(...bytes.subarray(0, 8)))) return 'mseed';
  if (bytes.includes(0)) throw tsArchiveError('TSARCHIVE_ERR_UNKNOWN_FORMAT', `${path} is binary but not miniSEED 2; give --format`, { file: path, offset: 0 });
  const firstLine = new TextDecoder().decode(bytes).split(/\r?\n/, 1)[0] ?? '';
  if (looksLikeMidcHeader(firstLine)) return 'midc';
  if (looksLikeSrmlHeader(firstLine)) return 'srml';
  return 'csv';
}
