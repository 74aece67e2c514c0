export { FLOWMODEL_ERRORS } from './errors.ts';
export type { FlowModelErrorCode } from './errors.ts';
