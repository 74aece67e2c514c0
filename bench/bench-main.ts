/**
 * `npm run bench -- <name> [args]`: runs bench/<name>-bench.ts, which prints one JSON
 * object on stdout (Memoco's figures, its anchor's figures measured in the same run, and
 * their ratios). With no name, runs every bench in turn. Progress goes to stderr.
 */
import { readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const available = readdirSync(here)
  .filter((f) => f.endsWith('-bench.ts'))
  .map((f) => f.slice(0, -'-bench.ts'.length))
  .sort();

const [name, ...rest] = process.argv.slice(2);
if (name === '--help' || name === '-h') {
  process.stdout.write(`Usage: npm run bench -- [${available.join('|')}] [bench options]\n`);
  process.exit(0);
}
const chosen = name ? [name] : available;
for (const bench of chosen) {
  if (!available.includes(bench)) {
    process.stderr.write(`bench: no bench '${bench}' (have: ${available.join(', ')})\n`);
    process.exit(2);
  }
  const mod = (await import(join(here, `${bench}-bench.ts`))) as { runBench(args: string[]): Promise<unknown> };
  const result = await mod.runBench(rest);
  process.stdout.write(`${JSON.stringify({ bench, ...(result as object) }, null, 2)}\n`);
}
