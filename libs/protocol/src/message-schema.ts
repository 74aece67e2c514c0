/**
 * A tiny runtime schema helper for the fleet messages (no new npm dependency; the issue asks
 * for validation at every NATS edge). A `Schema<T>` checks an unknown JSON value and returns
 * it typed, or throws PROTOCOL_ERR_INVALID_MESSAGE naming the first bad field path. Objects
 * drop unknown fields, so a v1 reader accepts a v1 message that later gained optional fields.
 */
import { MemocoError } from './memoco-error.ts';

export type Schema<T> = (value: unknown, path: string) => T;

/** The type a schema produces. */
export type Infer<S> = S extends Schema<infer T> ? T : never;

const OPTIONAL = Symbol('optional');
type OptionalSchema<T> = Schema<T | undefined> & { [OPTIONAL]: true };

export function invalid(path: string, expected: string, value: unknown): MemocoError {
  return new MemocoError('PROTOCOL_ERR_INVALID_MESSAGE', `${path}: expected ${expected}, got ${describe(value)}`, { path, status: 400 });
}

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'string') return `"${value.length > 40 ? `${value.slice(0, 40)}...` : value}"`;
  if (typeof value === 'object') return 'an object';
  return String(value);
}

export interface StringRule {
  pattern?: RegExp;
  minLength?: number;
  maxLength?: number;
  /** Words for the error message when `pattern` fails, e.g. "a SHA-256 hex digest". */
  what?: string;
}

export function str(rule: StringRule = {}): Schema<string> {
  const { pattern, minLength = 0, maxLength = 1 << 20, what } = rule;
  return (value, path) => {
    if (typeof value !== 'string') throw invalid(path, what ?? 'a string', value);
    if (value.length < minLength || value.length > maxLength) {
      throw invalid(path, what ?? `a string of ${minLength}..${maxLength} characters`, value);
    }
    if (pattern && !pattern.test(value)) throw invalid(path, what ?? `a string matching ${pattern}`, value);
    return value;
  };
}

export interface NumberRule {
  min?: number;
  max?: number;
  /** Reject fractions (and anything beyond Number.MAX_SAFE_INTEGER). */
  integer?: boolean;
  /** Reject `min` itself (for "strictly positive"). */
  exclusiveMin?: boolean;
}

export function num(rule: NumberRule = {}): Schema<number> {
  const { min = -Number.MAX_VALUE, max = Number.MAX_VALUE, integer = false, exclusiveMin = false } = rule;
  const words = `${integer ? 'an integer' : 'a number'} ${exclusiveMin ? '>' : '>='} ${min} and <= ${max}`;
  return (value, path) => {
    if (typeof value !== 'number' || !Number.isFinite(value)) throw invalid(path, words, value);
    if (integer && !Number.isSafeInteger(value)) throw invalid(path, words, value);
    if (value < min || value > max || (exclusiveMin && value === min)) throw invalid(path, words, value);
    return value;
  };
}

export function int(rule: Omit<NumberRule, 'integer'> = {}): Schema<number> {
  return num({ ...rule, integer: true });
}

export function bool(): Schema<boolean> {
  return (value, path) => {
    if (typeof value !== 'boolean') throw invalid(path, 'true or false', value);
    return value;
  };
}

/** One of a fixed set of strings (use with an `as const` array). */
export function oneOf<const V extends readonly string[]>(values: V): Schema<V[number]> {
  const allowed = new Set<string>(values);
  return (value, path) => {
    if (typeof value !== 'string' || !allowed.has(value)) throw invalid(path, `one of ${values.join('|')}`, value);
    return value as V[number];
  };
}

export function arr<T>(item: Schema<T>, rule: { minLength?: number; maxLength?: number } = {}): Schema<T[]> {
  const { minLength = 0, maxLength = Number.MAX_SAFE_INTEGER } = rule;
  return (value, path) => {
    if (!Array.isArray(value)) throw invalid(path, 'an array', value);
    if (value.length < minLength || value.length > maxLength) {
      throw invalid(path, `an array of ${minLength}..${maxLength} items`, `${value.length} items`);
    }
    return value.map((element, i) => item(element, `${path}[${i}]`));
  };
}

/** Marks an object field as optional: absent (or undefined) is accepted and left out. */
export function opt<T>(schema: Schema<T>): OptionalSchema<T> {
  const wrapped = ((value: unknown, path: string) => (value === undefined ? undefined : schema(value, path))) as OptionalSchema<T>;
  wrapped[OPTIONAL] = true;
  return wrapped;
}

export function nullable<T>(schema: Schema<T>): Schema<T | null> {
  return (value, path) => (value === null ? null : schema(value, path));
}

type Shape<T> = { [K in keyof T]-?: Schema<T[K]> };

/** A plain JSON object with exactly the listed fields (unknown ones are dropped). */
export function obj<T extends object>(shape: Shape<T>): Schema<T> {
  const entries = Object.entries(shape) as [string, Schema<unknown>][];
  return (value, path) => {
    if (typeof value !== 'object' || value === null || Array.isArray(value)) throw invalid(path, 'an object', value);
    const source = value as Record<string, unknown>;
    const out: Record<string, unknown> = {};
    for (const [key, schema] of entries) {
      const field = schema(source[key], `${path}.${key}`);
      if (field !== undefined || !(OPTIONAL in schema)) out[key] = field;
    }
    return out as T;
  };
}

/** An object whose `key` field picks one of several object schemas. */
export function tagged<K extends string, T extends Record<K, string>>(key: K, variants: Record<T[K], Schema<T>>): Schema<T> {
  const names = Object.keys(variants);
  return (value, path) => {
    if (typeof value !== 'object' || value === null || Array.isArray(value)) throw invalid(path, 'an object', value);
    const tag = (value as Record<string, unknown>)[key];
    if (typeof tag !== 'string' || !Object.hasOwn(variants, tag)) throw invalid(`${path}.${key}`, `one of ${names.join('|')}`, tag);
    return variants[tag as T[K]](value, path);
  };
}

/** Adds a check across fields after the shape is valid (e.g. "end after start"). */
export function refine<T>(schema: Schema<T>, check: (value: T) => string | undefined): Schema<T> {
  return (value, path) => {
    const typed = schema(value, path);
    const problem = check(typed);
    if (problem) throw new MemocoError('PROTOCOL_ERR_INVALID_MESSAGE', `${path}: ${problem}`, { path, status: 400 });
    return typed;
  };
}

/** A JSON object used as a map from string keys to values of one schema. */
export function dict<T>(value: Schema<T>, rule: { maxKeys?: number } = {}): Schema<Record<string, T>> {
  const { maxKeys = 256 } = rule;
  return (input, path) => {
    if (typeof input !== 'object' || input === null || Array.isArray(input)) throw invalid(path, 'an object', input);
    const keys = Object.keys(input);
    if (keys.length > maxKeys) throw invalid(path, `at most ${maxKeys} keys`, `${keys.length} keys`);
    const out: Record<string, T> = {};
    for (const key of keys) out[key] = value((input as Record<string, unknown>)[key], `${path}.${key}`);
    return out;
  };
}

/** The first schema that accepts the value (for small unions like number | string). */
export function either<A, B>(first: Schema<A>, second: Schema<B>, expected: string): Schema<A | B> {
  return (value, path) => {
    try {
      return first(value, path);
    } catch {
      try {
        return second(value, path);
      } catch {
        throw invalid(path, expected, value);
      }
    }
  };
}
