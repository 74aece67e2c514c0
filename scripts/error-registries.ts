/**
 * Finds every package's error registry (the `*_ERRORS` objects exported by each
 * `src/errors.ts` under apps/, libs/ and native/) so docs/errors.md can be generated and
 * checked without a central list that every package would have to edit.
 */
import { existsSync, readdirSync } from 'node:fs';
import { join, relative } from 'node:path';
import type { ErrorRegistry } from '@memoco/protocol';

export interface FoundRegistry {
  /** The file it came from, relative to the repo root. */
  file: string;
  /** The exported name, e.g. PCAP_ERRORS. */
  name: string;
  registry: ErrorRegistry;
}

export async function findErrorRegistries(root: string): Promise<FoundRegistry[]> {
  const found: FoundRegistry[] = [];
  for (const group of ['libs', 'native', 'apps']) {
    const dir = join(root, group);
    if (!existsSync(dir)) continue;
    for (const pkg of readdirSync(dir).sort()) {
      const file = join(dir, pkg, 'src', 'errors.ts');
      if (!existsSync(file)) continue;
      const mod = (await import(file)) as Record<string, unknown>;
      for (const [name, value] of Object.entries(mod)) {
        if (name.endsWith('_ERRORS') && value && typeof value === 'object') {
          found.push({ file: relative(root, file), name, registry: value as ErrorRegistry });
        }
      }
    }
  }
  return found;
}

export function renderErrorsDoc(registries: FoundRegistry[]): string {
  const parts = [
    '# Error codes',
    '',
    'Every expected failure in Memoco carries one of these codes: on the command line as',
    '`memoco <command>: CODE: message` (exit 1, or 2 for usage errors), across HTTP as',
    '`{"error": {"code", "message"}}` with the status below, across NATS in the error',
    'headers. Parse errors add the byte offset and record number.',
    '',
    'This file is generated from each package\'s `src/errors.ts` by',
    '`npx tsx scripts/gen-errors-doc.ts`; a test fails when it is out of date.',
    '',
  ];
  for (const { file, name, registry } of registries) {
    parts.push(`## ${name} (\`${file}\`)`, '', '| code | HTTP | meaning |', '|---|---|---|');
    for (const [code, spec] of Object.entries(registry)) {
      parts.push(`| \`${code}\` | ${spec.status ?? 500} | ${spec.description.replace(/\|/g, '\\|')} |`);
    }
    parts.push('');
  }
  return parts.join('\n');
}
