/**
 * The production flow-table reader: a model's per-row predicted packets, which the planner
 * balances. The ONNX decoder lives in @memoco/flow-model, which does not export it yet; until
 * it does, planning a run in the running service fails with this explicit error instead of
 * guessing at the model format. Tests inject their own reader (see app.ts ControllerDeps).
 *
 * TODO(issue 6, fleet pass 2): `return decodeFlowModel(bytes).tables.packets` once
 * @memoco/flow-model exports decodeFlowModel.
 */
import { MemocoError } from '@memoco/protocol';
import type { FlowTableReader } from './model-flow-tables.ts';

export const readFlowTable: FlowTableReader = () => {
  throw new MemocoError('CONTROLLER_ERR_MODEL_CORRUPT', 'this build cannot read flow tables yet (@memoco/flow-model does not export its decoder)', { status: 422 });
};
