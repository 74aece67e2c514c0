/**
 * The production flow-table reader: a model's per-row predicted packets, which the planner
 * balances (docs/flow-models.md: `predictedRowPackets(model)` "gives the per-row packet
 * counts planners use to split rows among hosts and cores"). Tests inject their own reader
 * (see app.ts ControllerDeps).
 */
import { decodeFlowModel, predictedRowPackets } from '@memoco/flow-model';
import type { FlowTableReader } from './model-flow-tables.ts';

export const readFlowTable: FlowTableReader = (bytes) => predictedRowPackets(decodeFlowModel(bytes));
