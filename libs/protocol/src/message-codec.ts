/**
 * JSON encode/decode of every fleet message, validated both ways: the sender finds its own
 * bugs before they leave, the receiver gets a typed value or a PROTOCOL_ERR_* error.
 */
import { MemocoError } from './memoco-error.ts';
import { hostRegistrationSchema, type HostRegistration } from './host-messages.ts';
import { modelAnnouncementSchema, type ModelAnnouncement } from './model-messages.ts';
import {
  runAssignmentSchema,
  runCancelSchema,
  runHostResultSchema,
  runProgressSchema,
  type RunAssignment,
  type RunCancel,
  type RunHostResult,
  type RunProgress,
} from './run-messages.ts';
import type { Schema } from './message-schema.ts';

export interface FleetMessageTypes {
  hostRegistration: HostRegistration;
  assignment: RunAssignment;
  cancel: RunCancel;
  progress: RunProgress;
  result: RunHostResult;
  modelAnnouncement: ModelAnnouncement;
}

export type FleetMessageKind = keyof FleetMessageTypes;

export const FLEET_MESSAGE_SCHEMAS: { [K in FleetMessageKind]: Schema<FleetMessageTypes[K]> } = {
  hostRegistration: hostRegistrationSchema,
  assignment: runAssignmentSchema,
  cancel: runCancelSchema,
  progress: runProgressSchema,
  result: runHostResultSchema,
  modelAnnouncement: modelAnnouncementSchema,
};

export interface EncodeOptions {
  /** Reject an encoding longer than this (the server's max_payload); default: no limit. */
  maxBytes?: number;
}

const encoder = new TextEncoder();
const decoder = new TextDecoder('utf-8', { fatal: true });

/** Checks a value against its kind's schema and returns it typed (no JSON involved). */
export function validateMessage<K extends FleetMessageKind>(kind: K, value: unknown): FleetMessageTypes[K] {
  return FLEET_MESSAGE_SCHEMAS[kind](value, kind);
}

export function encodeMessage<K extends FleetMessageKind>(kind: K, value: FleetMessageTypes[K], options: EncodeOptions = {}): Uint8Array {
  const bytes = encoder.encode(JSON.stringify(validateMessage(kind, value)));
  if (options.maxBytes !== undefined && bytes.length > options.maxBytes) {
    throw new MemocoError('PROTOCOL_ERR_MESSAGE_TOO_LARGE', `${kind} message is ${bytes.length} bytes, over the ${options.maxBytes}-byte limit`, {
      status: 413,
      bytes: bytes.length,
      limit: options.maxBytes,
    });
  }
  return bytes;
}

export function decodeMessage<K extends FleetMessageKind>(kind: K, bytes: Uint8Array): FleetMessageTypes[K] {
  let value: unknown;
  try {
    value = JSON.parse(decoder.decode(bytes));
  } catch (error) {
    throw new MemocoError('PROTOCOL_ERR_INVALID_JSON', `${kind} message is not valid JSON: ${(error as Error).message}`, { status: 400 }, { cause: error });
  }
  return validateMessage(kind, value);
}
