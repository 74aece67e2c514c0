/** `memoco fidelity <original> <candidate>`: both traces profiled in one pass each, then compared. */
import { writeFileSync } from 'node:fs';
import { MemocoError } from '@memoco/protocol';
import type { TraceSource } from '@memoco/pcap';
import { compareProfiles, type FidelityMetrics } from './fidelity-metrics.ts';
import { renderFidelityReport } from './fidelity-report.ts';
import { collectTraceProfile } from './trace-profile.ts';

export interface CompareOptions {
  /** Write the HTML report here. */
  reportPath?: string;
  originalName?: string;
  candidateName?: string;
}

export async function compareTraces(original: TraceSource, candidate: TraceSource, options: CompareOptions = {}): Promise<FidelityMetrics> {
  const originalProfile = await collectTraceProfile(original);
  const candidateProfile = await collectTraceProfile(candidate);
  const metrics = compareProfiles(originalProfile, candidateProfile);
  if (options.reportPath) {
    const html = renderFidelityReport({
      originalName: options.originalName ?? (typeof original === 'string' ? original : 'original'),
      candidateName: options.candidateName ?? (typeof candidate === 'string' ? candidate : 'candidate'),
      original: originalProfile,
      candidate: candidateProfile,
      metrics,
    });
    try {
      writeFileSync(options.reportPath, html);
    } catch (error) {
      throw new MemocoError('MEMOCO_ERR_IO', `cannot write the report ${options.reportPath}: ${(error as Error).message}`, { file: options.reportPath }, { cause: error });
    }
  }
  return metrics;
}
