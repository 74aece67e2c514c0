import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { registerCleanup } from './cleanup-registry.ts';

export interface TempDir {
  readonly path: string;
  /** Removes the directory and everything in it (idempotent). */
  remove(): void;
}

/** A fresh directory under the OS temp dir, removed by `remove()` or at process exit. */
export function makeTempDir(prefix: string): TempDir {
  const path = mkdtempSync(join(tmpdir(), `memoco-${prefix}-`));
  const removeNow = () => rmSync(path, { recursive: true, force: true });
  const unregister = registerCleanup(`temp dir ${path}`, removeNow);
  return {
    path,
    remove() {
      unregister();
      removeNow();
    },
  };
}
