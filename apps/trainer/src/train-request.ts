/**
 * The train options of `POST /v1/traces`, from the query (`?binMs=10&maxModelBytes=65536`)
 * or headers (`Memoco-Bin-Ms`, `Memoco-Max-Model-Bytes`), checked before a byte of the body
 * is read: a bad value is refused with a message naming it, the ranges are those of
 * `memoco train` (@memoco/flow-model's parseTrainOptions).
 */
import { MemocoError } from '@memoco/protocol';
import { parseTrainOptions, type TrainOptions } from '@memoco/flow-model';

export interface TrainRequest {
  train: Pick<TrainOptions, 'binMs' | 'maxModelBytes'>;
  /** The client's name for the trace (e.g. its file name), kept in the model's summary. */
  traceName: string | undefined;
}

interface Param {
  header: string;
  kind: 'number' | 'integer' | 'name';
}

export const TRAIN_REQUEST_PARAMS: Record<'binMs' | 'maxModelBytes' | 'name', Param> = {
  binMs: { header: 'memoco-bin-ms', kind: 'number' },
  maxModelBytes: { header: 'memoco-max-model-bytes', kind: 'integer' },
  name: { header: 'memoco-trace-name', kind: 'name' },
};

type ParamName = keyof typeof TRAIN_REQUEST_PARAMS;
const NAMES = Object.keys(TRAIN_REQUEST_PARAMS) as ParamName[];

function bad(message: string): MemocoError {
  return new MemocoError('TRAINER_ERR_BAD_REQUEST', message, { status: 400 });
}

/** One raw value from the query or a header; given in both it must be the same. */
function rawValue(name: ParamName, query: Record<string, unknown>, headers: Record<string, unknown>): string | undefined {
  const fromQuery = query[name];
  const fromHeader = headers[TRAIN_REQUEST_PARAMS[name].header];
  if (Array.isArray(fromQuery)) throw bad(`query parameter ${name} is given ${fromQuery.length} times; give it once`);
  if (Array.isArray(fromHeader)) throw bad(`header ${TRAIN_REQUEST_PARAMS[name].header} is given ${fromHeader.length} times; give it once`);
  const q = fromQuery === undefined ? undefined : String(fromQuery);
  const h = fromHeader === undefined ? undefined : String(fromHeader);
  if (q !== undefined && h !== undefined && q !== h) {
    throw bad(`${name} is given twice, as query ${q} and header ${TRAIN_REQUEST_PARAMS[name].header} ${h}; give it once`);
  }
  return q ?? h;
}

function readNumber(name: ParamName, raw: string | undefined): number | undefined {
  if (raw === undefined) return undefined;
  const integer = TRAIN_REQUEST_PARAMS[name].kind === 'integer';
  const pattern = integer ? /^\d+$/ : /^(\d+\.?\d*|\.\d+)(e[+-]?\d+)?$/i;
  if (!pattern.test(raw.trim())) throw bad(`${name} must be ${integer ? 'a whole number of bytes' : 'a number of milliseconds'}, got "${raw}"`);
  return Number(raw);
}

function readName(raw: string | undefined): string | undefined {
  if (raw === undefined) return undefined;
  if (!/^[^\x00-\x1f\x7f]{1,200}$/.test(raw)) throw bad(`name must be 1..200 characters without control characters, got ${JSON.stringify(raw.slice(0, 40))}`);
  return raw;
}

/** Reads and checks the options; `maxModelBytesLimit` is this trainer's ceiling. */
export function parseTrainRequest(query: Record<string, unknown>, headers: Record<string, unknown>, maxModelBytesLimit: number): TrainRequest {
  for (const key of Object.keys(query)) {
    if (!(NAMES as string[]).includes(key)) throw bad(`unknown query parameter "${key}" (known: ${NAMES.join(', ')})`);
  }
  const binMs = readNumber('binMs', rawValue('binMs', query, headers));
  const maxModelBytes = readNumber('maxModelBytes', rawValue('maxModelBytes', query, headers));
  const traceName = readName(rawValue('name', query, headers));
  if (maxModelBytes !== undefined && maxModelBytes > maxModelBytesLimit) {
    throw bad(`maxModelBytes ${maxModelBytes} is over this trainer's limit of ${maxModelBytesLimit} (MEMOCO_TRAINER_MAX_MODEL_BYTES)`);
  }
  const checked = parseTrainOptions({ binMs, maxModelBytes });
  return { train: { binMs: checked.binMs, maxModelBytes: checked.maxModelBytes }, traceName };
}
