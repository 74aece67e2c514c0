/**
 * The per-flow predicted packets of a model, which the planner balances (issue 6). The
 * controller reads the model from the object store, checks that its bytes hash to its id
 * (design.md invariant: a model is identified by the SHA-256 of its bytes) and reads the flow
 * table with the injected reader (@memoco/flow-model's decoder in production). A few recent
 * tables are kept: runs of the same model in a row are the common case.
 */
import { createHash } from 'node:crypto';
import { MemocoError, isMemocoError } from '@memoco/protocol';
import type { FleetGateway } from './fleet-gateway.ts';

/** Reads a model's flow table: predicted packets of row i (a flow, or a class of light flows). */
export type FlowTableReader = (modelBytes: Uint8Array) => Float64Array | Float32Array;

export interface ModelFlowTable {
  modelId: string;
  bytes: number;
  predictedPackets: Float64Array | Float32Array;
}

export class ModelFlowTables {
  private readonly recent = new Map<string, ModelFlowTable>();

  constructor(private readonly fleet: Pick<FleetGateway, 'fetchModel'>, private readonly read: FlowTableReader, private readonly keep = 4) {}

  async get(modelId: string): Promise<ModelFlowTable> {
    const cached = this.recent.get(modelId);
    if (cached) {
      this.recent.delete(modelId);
      this.recent.set(modelId, cached);
      return cached;
    }
    const bytes = await this.fleet.fetchModel(modelId);
    if (!bytes) throw new MemocoError('CONTROLLER_ERR_MODEL_NOT_FOUND', `no model ${modelId} in the model store`, { status: 404 });
    const digest = createHash('sha256').update(bytes).digest('hex');
    if (digest !== modelId) throw new MemocoError('CONTROLLER_ERR_MODEL_CORRUPT', `model ${modelId}'s bytes hash to ${digest}`, { status: 422 });
    let predictedPackets: Float64Array | Float32Array;
    try {
      predictedPackets = this.read(bytes);
    } catch (error) {
      const why = isMemocoError(error) ? `${error.code}: ${error.message}` : (error as Error).message;
      throw new MemocoError('CONTROLLER_ERR_MODEL_CORRUPT', `model ${modelId}'s flow table cannot be read: ${why}`, { status: 422 }, { cause: error });
    }
    const table = { modelId, bytes: bytes.length, predictedPackets };
    this.recent.set(modelId, table);
    while (this.recent.size > this.keep) this.recent.delete(this.recent.keys().next().value!);
    return table;
  }
}
