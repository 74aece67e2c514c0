import type { OrderExample, VerifyResult } from './verify-result.ts';

export interface ReportInputs {
  capture: string;
  /** The trace path (against mode). */
  against?: string;
}

/**
 * The human report of `memoco verify-order`: the counts, a verdict line, then the first
 * examples of each problem, numbered as record numbers (0-based, as tshark's frame.number - 1).
 */
export function formatVerifyReport(result: VerifyResult, inputs: ReportInputs): string {
  const reference = result.mode === 'against' ? `against ${inputs.against ?? 'the trace'}` : 'by sequence tags';
  const expectedName = result.mode === 'against' ? 'trace' : 'seq';
  const lines = [
    `verify-order ${inputs.capture} ${reference}`,
    `  expected ${result.expected}  received ${result.received}  matched ${result.matched}  unexpected ${result.unexpected}`,
    `  missing ${result.missing}  duplicates ${result.duplicates}  outOfOrder ${result.outOfOrder}  flowOutOfOrder ${result.flowOutOfOrder} (${result.flows} flows)`,
    verdict(result),
  ];
  const ex = result.examples;
  if (ex.missing.length) lines.push(`  missing: ${ex.missing.map((p) => `${expectedName} #${p}`).join(', ')}${more(result.missing, ex.missing.length)}`);
  for (const d of ex.duplicates) lines.push(`  duplicate: capture #${d.received} repeats ${expectedName} #${d.expected}`);
  for (const o of ex.outOfOrder) lines.push(`  out of order: ${orderLine(o, expectedName)}`);
  for (const o of ex.flowOutOfOrder) lines.push(`  out of order in flow ${o.flow}: ${orderLine(o, expectedName)}`);
  if (ex.unexpected.length) lines.push(`  unexpected (not in the replay, ignored): capture ${ex.unexpected.map((r) => `#${r}`).join(', ')}${more(result.unexpected, ex.unexpected.length)}`);
  return `${lines.join('\n')}\n`;
}

function verdict(result: VerifyResult): string {
  if (result.ok) return 'OK: every expected packet arrived once, in order';
  const problems = [
    result.missing && `${result.missing} missing`,
    result.duplicates && `${result.duplicates} duplicated`,
    result.outOfOrder && `${result.outOfOrder} out of order`,
  ].filter(Boolean);
  return `FAIL: ${problems.join(', ')}`;
}

function orderLine(o: OrderExample, expectedName: string): string {
  return `capture #${o.received} is ${expectedName} #${o.expected}, after ${expectedName} #${o.after}`;
}

function more(total: number, shown: number): string {
  return total > shown ? ` (+${total - shown} more)` : '';
}
