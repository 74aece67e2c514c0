/**
 * Streams a text file as lines with their 1-based line number and byte offset (for error
 * messages), reading 1 MiB at a time: memory holds one chunk, not the file. Handles \n and
 * \r\n, a UTF-8 BOM, and a CSV quoted field that spans lines (a line with an odd number of
 * `"` is joined with the next).
 */
import { open } from 'node:fs/promises';
import { MemocoError } from '@memoco/protocol';

export interface TextLine {
  text: string;
  /** 1-based number of the line's first physical line. */
  lineNo: number;
  /** Byte offset of the line in the file. */
  offset: number;
}

const NEWLINE = 0x0a;
const CHUNK = 1 << 20;

function countQuotes(text: string): number {
  let n = 0;
  for (let i = text.indexOf('"'); i >= 0; i = text.indexOf('"', i + 1)) n++;
  return n;
}

/** Physical lines of the file, in order, batched (the array is fresh per batch). */
async function* physicalLines(path: string): AsyncGenerator<TextLine[]> {
  let handle;
  try {
    handle = await open(path, 'r');
  } catch (error) {
    throw new MemocoError('MEMOCO_ERR_IO', `cannot open ${path}: ${(error as Error).message}`, { file: path });
  }
  const decoder = new TextDecoder('utf-8', { ignoreBOM: false });
  try {
    const buffer = new Uint8Array(CHUNK);
    let carry = new Uint8Array(0);
    let fileOffset = 0; // offset of carry[0]
    let lineNo = 1;
    for (;;) {
      const { bytesRead } = await handle.read(buffer, 0, CHUNK, null);
      const bytes = new Uint8Array(carry.length + bytesRead);
      bytes.set(carry);
      bytes.set(buffer.subarray(0, bytesRead), carry.length);
      const lines: TextLine[] = [];
      let start = 0;
      for (let nl = bytes.indexOf(NEWLINE); nl >= 0; nl = bytes.indexOf(NEWLINE, start)) {
        const end = nl > start && bytes[nl - 1] === 0x0d ? nl - 1 : nl;
        lines.push({ text: decoder.decode(bytes.subarray(start, end)), lineNo: lineNo++, offset: fileOffset + start });
        start = nl + 1;
      }
      if (bytesRead === 0) {
        if (start < bytes.length) lines.push({ text: decoder.decode(bytes.subarray(start)).replace(/\r$/, ''), lineNo: lineNo++, offset: fileOffset + start });
        if (lines.length) yield lines;
        return;
      }
      carry = bytes.slice(start);
      fileOffset += start;
      if (lines.length) yield lines;
    }
  } finally {
    await handle.close();
  }
}

/** Logical lines: physical lines joined while a quoted field is open. */
export async function* readTextLines(path: string): AsyncGenerator<TextLine[]> {
  let open: TextLine | undefined;
  let quotes = 0;
  for await (const batch of physicalLines(path)) {
    const out: TextLine[] = [];
    for (const line of batch) {
      if (open) {
        open.text += `\n${line.text}`;
        quotes += countQuotes(line.text);
      } else {
        open = { ...line };
        quotes = countQuotes(line.text);
      }
      if (quotes % 2 === 0) {
        out.push(open);
        open = undefined;
      }
    }
    if (out.length) yield out;
  }
  if (open) yield [open];
}
