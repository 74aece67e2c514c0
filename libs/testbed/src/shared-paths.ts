import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The repository root (this file is libs/testbed/src/shared-paths.ts). */
export function repoRoot(): string {
  return resolve(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
}

/** `<repo>/../shared/data` when present (developers and CI have it), else undefined. */
export function sharedDataDir(): string | undefined {
  const dir = join(repoRoot(), '..', 'shared', 'data');
  return existsSync(dir) ? dir : undefined;
}

/** `<repo>/../shared/anchors` when present, else undefined. */
export function sharedAnchorsDir(): string | undefined {
  const dir = join(repoRoot(), '..', 'shared', 'anchors');
  return existsSync(dir) ? dir : undefined;
}

/** A file of the shared pcap corpus (`shared/data/pcaps/NAME`) when present, else undefined. */
export function sharedPcap(name: string): string | undefined {
  const data = sharedDataDir();
  const file = data && join(data, 'pcaps', name);
  return file && existsSync(file) ? file : undefined;
}
