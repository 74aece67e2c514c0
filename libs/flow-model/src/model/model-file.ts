/** Reading a model file: its bytes, the decoded tables and its id (SHA-256 of the bytes). */
import { readFileSync } from 'node:fs';
import { MemocoError } from '@memoco/protocol';
import type { FlowModel } from './flow-model.ts';
import { decodeFlowModel, modelId } from './model-codec.ts';

export interface LoadedModel {
  model: FlowModel;
  bytes: Uint8Array;
  modelId: string;
}

export function loadFlowModel(bytes: Uint8Array): LoadedModel {
  return { model: decodeFlowModel(bytes), bytes, modelId: modelId(bytes) };
}

export function readFlowModelFile(path: string): LoadedModel {
  let bytes: Uint8Array;
  try {
    bytes = new Uint8Array(readFileSync(path));
  } catch (error) {
    throw new MemocoError('MEMOCO_ERR_IO', `cannot read ${path}: ${(error as Error).message}`, { file: path }, { cause: error });
  }
  return loadFlowModel(bytes);
}
