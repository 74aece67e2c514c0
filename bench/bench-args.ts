/**
 * What the benches that repeat their measurements share: `--quick` (one run, smaller inputs)
 * and `--runs N` (default 3), a rounding for printed figures, and a progress logger on stderr
 * (stdout is the bench's one JSON object).
 */
export interface BenchArgs {
  quick: boolean;
  runs: number;
}

export function parseRunArgs(args: string[]): BenchArgs {
  const quick = args.includes('--quick');
  const at = args.indexOf('--runs');
  const runs = at >= 0 ? Number(args[at + 1]) : quick ? 1 : 3;
  if (!Number.isInteger(runs) || runs < 1) throw new Error('--runs needs a positive integer');
  return { quick, runs };
}

export const round = (v: number, digits = 3) => Math.round(v * 10 ** digits) / 10 ** digits;

export function benchLog(bench: string): (text: string) => void {
  return (text) => process.stderr.write(`${bench} bench: ${text}\n`);
}
