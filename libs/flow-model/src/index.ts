export { FLOWMODEL_ERRORS } from './errors.ts';
export type { FlowModelErrorCode } from './errors.ts';
// The model and its file
export { FLOW_MODEL_FORMAT, ROW_KIND, rowCount, predictedRowPackets } from './model/flow-model.ts';
export type { FlowModel, FlowModelInfo, FlowModelTables, RowKind } from './model/flow-model.ts';
export { encodeFlowModel, decodeFlowModel, modelId, validateFlowModel } from './model/model-codec.ts';
export { loadFlowModel, readFlowModelFile } from './model/model-file.ts';
export type { LoadedModel } from './model/model-file.ts';
export { COUNT_GRAPH_NODES, COUNT_GRAPH_INPUTS, COUNT_GRAPH_OUTPUT, referenceCount } from './model/count-graph.ts';
export { GAP_BUCKETS, COUNT_BUCKETS, gapBucket, gapBucketRange, countBucket, countBucketRange } from './model/log2-buckets.ts';
export { writeFileAtomically, produceFileAtomically } from './model/atomic-file.ts';
export { CountSession } from './onnx/count-session.ts';
// Training
export { FlowTrainer } from './train/flow-trainer.ts';
export { typescriptPacketPass } from './train/flow-accumulator.ts';
export { restoreSettledPass, restoreProfile } from './train/packet-pass.ts';
export { RowSet } from './train/row-set.ts';
export { chooseRows } from './train/row-choice.ts';
export type { RowSetFields } from './train/row-set.ts';
export { fitRowsToProfile } from './train/profile-fit.ts';
export type { FitRows, ProfileFit, ProfileFitter } from './train/profile-fit.ts';
export type { PacketPass, PacketPassConfig, PacketPassFactory, PassState, PassTotals, SettledPass, CountersState } from './train/packet-pass.ts';
export { captureTemplate } from './train/header-template.ts';
export type { HeaderTemplate } from './train/header-template.ts';
export type { TrainedModel } from './train/flow-trainer.ts';
export { DEFAULT_TRAIN_OPTIONS, parseTrainOptions, MIN_MODEL_BYTES, MAX_BIN_MS, MIN_BIN_MS } from './train/train-options.ts';
export type { TrainOptions } from './train/train-options.ts';
export { trainModel, trainTraceToFile } from './train/train-trace.ts';
export type { TrainResult, TrainProgress, TrainHooks } from './train/train-trace.ts';
// Regeneration
export type { RegenerationPlan, PlanTemplates, PlanInstances, CountChunk } from './regen/regeneration-plan.ts';
export { planTemplates, rowInstances, pickEntry } from './regen/plan-templates.ts';
export { PlanBuilder, MEMBER_STREAM, chunkSpans, chunkPairs, memberSizeCum, classLanes } from './regen/plan-builder.ts';
export { CoupledRounder } from './regen/coupled-rounding.ts';
export { expandEntry, ExpandedPackets } from './regen/bin-expander.ts';
export { directionOf, reverseBefore } from './regen/direction-sequence.ts';
export { synthesizePacket, InstanceState, variantPort, TAG_BYTES } from './regen/packet-synthesizer.ts';
export { Xoshiro128ss, streamKey, fmix32, mulHi32 } from './regen/prng.ts';
export { DEFAULT_GENERATE_OPTIONS, parseGenerateOptions, MAX_DURATION_S } from './regen/generate-options.ts';
export type { GenerateOptions } from './regen/generate-options.ts';
export { createPlan, generateTraffic } from './regen/traffic-generator.ts';
export type { PacketSink, GenerateSummary } from './regen/traffic-generator.ts';
export { generateTraceFile } from './regen/generate-trace-file.ts';
export type { GenerateFileResult } from './regen/generate-trace-file.ts';
// Benchmark support
export { writeSyntheticTrace } from './test-support/synthetic-trace.ts';
export type { SyntheticTraceOptions } from './test-support/synthetic-trace.ts';
