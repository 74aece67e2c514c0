export { MemocoError, isMemocoError } from './memoco-error.ts';
export type { MemocoErrorDetails, ErrorCodeSpec, ErrorRegistry } from './memoco-error.ts';
export { COMMON_ERRORS, PROTOCOL_ERRORS } from './errors.ts';
export type { CommonErrorCode, ProtocolErrorCode } from './errors.ts';

export { arr, bool, dict, either, int, invalid, nullable, num, obj, oneOf, opt, refine, str, tagged } from './message-schema.ts';
export type { Infer, NumberRule, Schema, StringRule } from './message-schema.ts';

export {
  HOST_NAME_PATTERN,
  MODEL_ID_PATTERN,
  REPORT_KINDS,
  RUN_ID_PATTERN,
  SUBJECTS,
  SUBJECT_PREFIX,
  assertHostName,
  assertModelId,
  assertRunId,
  parseRunSubject,
} from './fleet-subjects.ts';
export type { ParsedRunSubject, ReportKind } from './fleet-subjects.ts';

export { DEFAULT_MAX_PAYLOAD_BYTES, DEFAULT_NATS_RESOURCE_OPTIONS, ERROR_HEADERS, NATS_RESOURCE_NAMES, natsResourceSpecs } from './nats-resources.ts';
export type { KvBucketSpec, NatsResourceOptions, NatsResourceSpecs, ObjectBucketSpec, StreamSpec } from './nats-resources.ts';

export {
  HOST_PART_STATUSES,
  PROGRESS_STATES,
  RESULT_STATUSES,
  RUN_STATUSES,
  deriveRunStatus,
  isFinalHostPartStatus,
  isFinalRunStatus,
} from './fleet-status.ts';
export type { HostPartStatus, ProgressState, ResultStatus, RunStatus } from './fleet-status.ts';

export { FLOW_SET_ENCODINGS, decodeFlowSet, encodeFlowSet } from './flow-set-codec.ts';
export type { EncodedFlowSet, FlowSetEncoding } from './flow-set-codec.ts';

export { hostRegistrationSchema, portInfoSchema } from './host-messages.ts';
export type { HostRegistration, PortInfo } from './host-messages.ts';
export {
  coreShardSchema,
  encodedFlowSetSchema,
  errorInfoSchema,
  runAssignmentSchema,
  runCancelSchema,
  runHostResultSchema,
  runProgressSchema,
  runRateSchema,
} from './run-messages.ts';
export type { CoreShard, ErrorInfo, RunAssignment, RunCancel, RunHostResult, RunProgress, RunRate } from './run-messages.ts';
export { modelAnnouncementSchema } from './model-messages.ts';
export type { ModelAnnouncement } from './model-messages.ts';

export { FLEET_MESSAGE_SCHEMAS, decodeMessage, encodeMessage, validateMessage } from './message-codec.ts';
export type { EncodeOptions, FleetMessageKind, FleetMessageTypes } from './message-codec.ts';

export { errorFromHeaders, errorToHeaders, throwIfErrorReply } from './error-headers.ts';
export type { ErrorHeaderMap, HeaderSource } from './error-headers.ts';
