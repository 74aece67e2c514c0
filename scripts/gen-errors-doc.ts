// Regenerates docs/errors.md from every package's src/errors.ts.
import { writeFileSync } from 'node:fs';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { findErrorRegistries, renderErrorsDoc } from './error-registries.ts';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
writeFileSync(join(root, 'docs', 'errors.md'), renderErrorsDoc(await findErrorRegistries(root)));
process.stdout.write('docs/errors.md written\n');
