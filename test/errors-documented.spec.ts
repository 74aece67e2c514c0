import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { findErrorRegistries, renderErrorsDoc } from '../scripts/error-registries.ts';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');

describe('error codes', () => {
  it('docs/errors.md lists every code of every package (regenerate: npx tsx scripts/gen-errors-doc.ts)', async () => {
    const registries = await findErrorRegistries(root);
    expect(registries.length).toBeGreaterThan(0);
    const doc = readFileSync(join(root, 'docs', 'errors.md'), 'utf8');
    expect(doc).toBe(renderErrorsDoc(registries));
  });

  it('no code is defined twice and every code names its package', async () => {
    const seen = new Map<string, string>();
    for (const { file, registry } of await findErrorRegistries(root)) {
      for (const code of Object.keys(registry)) {
        expect(seen.has(code), `${code} in ${file} and ${seen.get(code)}`).toBe(false);
        expect(code).toMatch(/^[A-Z0-9]+_ERR_[A-Z0-9_]+$/);
        seen.set(code, file);
      }
    }
  });
});
