/**
 * Splits one CSV line into fields (RFC 4180 quoting: `"a;b"`, `"say ""hi"""`), with a
 * chosen one-character separator, and detects the separator from a header line.
 */
export const CSV_SEPARATORS = [',', ';', '\t'] as const;

/** Fields of `line`; returns undefined when a quote is left open. Fields are not trimmed. */
export function splitCsvLine(line: string, separator: string): string[] | undefined {
  if (!line.includes('"')) return line.split(separator);
  const fields: string[] = [];
  let field = '';
  let quoted = false;
  for (let i = 0; i < line.length; i++) {
    const c = line[i]!;
    if (quoted) {
      if (c === '"' && line[i + 1] === '"') { field += '"'; i++; }
      else if (c === '"') quoted = false;
      else field += c;
    } else if (c === '"') quoted = true;
    else if (c === separator) { fields.push(field); field = ''; }
    else field += c;
  }
  if (quoted) return undefined;
  fields.push(field);
  return fields;
}

/** The separator that splits the header line into the most fields (`,` when none does). */
export function detectSeparator(header: string): string {
  let best: string = ',';
  let bestCount = 1;
  for (const sep of CSV_SEPARATORS) {
    const count = splitCsvLine(header, sep)?.length ?? 0;
    if (count > bestCount) { best = sep; bestCount = count; }
  }
  return best;
}
