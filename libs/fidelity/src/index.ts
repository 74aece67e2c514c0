export { FIDELITY_ERRORS } from './errors.ts';
export type { FidelityErrorCode } from './errors.ts';
