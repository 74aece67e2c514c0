/**
 * `memoco generate -o`: regenerates a model's traffic into a nanosecond pcap with the
 * scheduled timestamps, as fast as it can (issue 4), written aside and renamed at the end.
 */
import { MemocoError } from '@memoco/protocol';
import { PcapWriter } from '@memoco/pcap';
import { produceFileAtomically } from '../model/atomic-file.ts';
import type { LoadedModel } from '../model/model-file.ts';
import type { GenerateOptions } from './generate-options.ts';
import { generateTraffic, type GenerateSummary } from './traffic-generator.ts';

export interface GenerateFileResult extends GenerateSummary {
  modelId: string;
  generateSeconds: number;
  pps: number;
}

export async function generateTraceFile(loaded: LoadedModel, outPath: string, options: Partial<GenerateOptions> = {}, hooks: { onProgress?: (fraction: number) => void; signal?: AbortSignal } = {}): Promise<GenerateFileResult> {
  const started = performance.now();
  const summary = await produceFileAtomically(outPath, async (aside) => {
    const writer = new PcapWriter(aside, { nanosecond: true });
    try {
      return await generateTraffic(loaded.model, loaded.bytes, writer, options, (fraction) => {
        if (hooks.signal?.aborted) throw new MemocoError('FLOWMODEL_ERR_ABORTED', 'generation stopped on request; no trace written');
        hooks.onProgress?.(fraction);
      });
    } finally {
      await writer.close();
    }
  });
  const generateSeconds = (performance.now() - started) / 1000;
  return { ...summary, modelId: loaded.modelId, generateSeconds, pps: summary.packets / Math.max(generateSeconds, 1e-9) };
}
