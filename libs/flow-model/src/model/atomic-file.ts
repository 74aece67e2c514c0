/**
 * Write aside, rename at the end (issue 4: "no partial model left behind"): the output path
 * either keeps its old content or gets the complete new file, never a half-written one.
 */
import { randomBytes } from 'node:crypto';
import { closeSync, fsyncSync, openSync, renameSync, rmSync, writeSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { MemocoError } from '@memoco/protocol';

/** A sibling temporary path in the same directory (so the final rename stays on one file system). */
export function asidePath(path: string): string {
  return join(dirname(path), `.${basename(path)}.${process.pid}.${randomBytes(4).toString('hex')}.part`);
}

export function writeFileAtomically(path: string, bytes: Uint8Array): void {
  const aside = asidePath(path);
  try {
    const fd = openSync(aside, 'w');
    try {
      let done = 0;
      while (done < bytes.length) done += writeSync(fd, bytes, done, bytes.length - done);
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    renameSync(aside, path);
  } catch (error) {
    rmSync(aside, { force: true });
    throw new MemocoError('MEMOCO_ERR_IO', `cannot write ${path}: ${(error as Error).message}`, { file: path }, { cause: error });
  }
}

/** Runs `produce(aside)` then renames the aside file to `path`; removes it when `produce` fails. */
export async function produceFileAtomically<T>(path: string, produce: (aside: string) => Promise<T>): Promise<T> {
  const aside = asidePath(path);
  try {
    const result = await produce(aside);
    renameSync(aside, path);
    return result;
  } catch (error) {
    rmSync(aside, { force: true });
    throw error;
  }
}
