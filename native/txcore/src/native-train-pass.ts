/**
 * The trainer's per-packet pass in native code (issue 4, train speed): a PacketPass
 * (libs/flow-model packet-pass.ts) over the addon's TrainPass (train-pass.cc), which keeps the
 * same statistics as the TypeScript FlowAccumulator number for number. The one part left here
 * is capturing header templates: the native pass says which packets, this copies their header
 * bytes from the batch while it is still the reader's (train-pass.spec.ts: byte-identical
 * models both ways).
 */
import { captureTemplate, restoreSettledPass, typescriptPacketPass, type HeaderTemplate, type PacketPass, type PacketPassConfig, type PacketPassFactory, type PassState } from '@memoco/flow-model';
import { MemocoError } from '@memoco/protocol';
import type { PacketBatch } from '@memoco/pcap';
import { loadAddon } from './native-binding.ts';

/** The addon's TrainPass object (napi-train-pass.cc). */
export interface NativeTrainPass {
  /** (slot, packet index, version << 8 | protocol) triples of the packets to take templates from, or null. */
  addBatch(batch: PacketBatch): Uint32Array | null;
  settle(): PassState;
  /** Stops the pass's thread and frees its statistics (no settle() after it). */
  close(): void;
}

export type NativeTrainPassConstructor = new (binNs: number, maxBins: number, sizeAtoms: number, maxProfileEntries: number) => NativeTrainPass;

/** A PacketPassFactory running the pass natively. Throws TXCORE_ERR_ADDON_MISSING / _DPDK_MISSING when the addon cannot be loaded. */
export function nativePacketPass(config: PacketPassConfig): PacketPass {
  const pass = new (loadAddon().TrainPass)(config.binNs, config.maxBins, config.sizeAtoms, config.maxProfileEntries);
  const templates: (HeaderTemplate | undefined)[] = [];
  return {
    addBatch(batch) {
      const take = pass.addBatch(batch);
      if (take === null) return;
      for (let k = 0; k < take.length; k += 3) {
        const i = take[k + 1]!;
        const kind = take[k + 2]!;
        templates[take[k]!] = captureTemplate(batch.data, batch.dataOffset[i]!, batch.capLen[i]!, batch.linkType[i]!, kind >>> 8, kind & 0xff, batch.l3Offset[i]!, batch.l4Offset[i]!);
      }
    },
    settle: () => restoreSettledPass(pass.settle(), config, templates),
    close: () => pass.close(),
  };
}

export const TRAIN_PASSES = ['auto', 'native', 'typescript'] as const;
export type TrainPassChoice = (typeof TRAIN_PASSES)[number];

/**
 * The pass for `choice`: `native` needs the addon (its load error otherwise), `typescript` never
 * does, `auto` is native when the addon loads and TypeScript when it does not (the models are
 * the same; only the speed differs). `used` says which one it is.
 */
export function trainPassFor(choice: TrainPassChoice): { pass: PacketPassFactory; used: 'native' | 'typescript' } {
  if (!(TRAIN_PASSES as readonly string[]).includes(choice)) {
    throw new MemocoError('TXCORE_ERR_BAD_OPTION', `the training pass must be one of ${TRAIN_PASSES.join(', ')}, got '${String(choice)}'`);
  }
  if (choice === 'typescript') return { pass: typescriptPacketPass, used: 'typescript' };
  try {
    loadAddon();
  } catch (error) {
    if (choice === 'native') throw error;
    return { pass: typescriptPacketPass, used: 'typescript' };
  }
  return { pass: nativePacketPass, used: 'native' };
}
