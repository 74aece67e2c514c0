/**
 * The HTTP side of `memoco upload` (issue 6): streams a trace file to a trainer's
 * `POST /v1/traces` chunk by chunk (never read whole; the socket's backpressure paces the
 * reads), reports bytes sent as they go, takes the trainer's answer even when it comes
 * before the body is sent (413, a corrupt trace: then the rest is not sent), and turns
 * failures into coded errors: the trainer's own code and message, or
 * TRAINER_ERR_UNREACHABLE / TRAINER_ERR_BAD_RESPONSE. Also used by bench/trainer-bench.ts.
 */
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { request as httpRequest, type ClientRequest, type IncomingMessage } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { MemocoError } from '@memoco/protocol';

export interface TraceUploadOptions {
  /** Base URL of the trainer, e.g. http://127.0.0.1:7421. */
  trainerUrl: string;
  token?: string | undefined;
  binMs?: number | undefined;
  maxModelBytes?: number | undefined;
  /** The trace's name kept in the model summary (default: the file's base name). */
  traceName?: string | undefined;
  /** Bytes read from the file per step. */
  chunkBytes?: number;
  onProgress?: (sentBytes: number, totalBytes: number) => void;
  signal?: AbortSignal;
}

export interface TraceUploadResult {
  /** The trainer's 201 answer (modelId, bytes, flows, ...). */
  model: Record<string, unknown> & { modelId: string };
  totalBytes: number;
  /** performance.now() at the first byte handed to the socket and when the last was flushed. */
  firstByteAtMs: number;
  lastByteAtMs: number;
  answeredAtMs: number;
}

export function uploadUrl(base: string, options: Pick<TraceUploadOptions, 'binMs' | 'maxModelBytes' | 'traceName'>): URL {
  let url: URL;
  try {
    url = new URL(base);
  } catch {
    throw new MemocoError('CLI_ERR_USAGE', `upload: --trainer must be an http(s) URL, got '${base}'`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new MemocoError('CLI_ERR_USAGE', `upload: --trainer must be an http(s) URL, got '${base}'`);
  url.pathname = `${url.pathname.replace(/\/+$/, '')}/v1/traces`;
  if (options.binMs !== undefined) url.searchParams.set('binMs', String(options.binMs));
  if (options.maxModelBytes !== undefined) url.searchParams.set('maxModelBytes', String(options.maxModelBytes));
  if (options.traceName !== undefined) url.searchParams.set('name', options.traceName);
  return url;
}

async function fileSize(path: string): Promise<number> {
  try {
    const s = await stat(path);
    if (!s.isFile()) throw new MemocoError('MEMOCO_ERR_IO', `${path} is not a file`, { file: path });
    return s.size;
  } catch (error) {
    if (error instanceof MemocoError) throw error;
    const code = (error as NodeJS.ErrnoException).code;
    throw new MemocoError('MEMOCO_ERR_IO', `cannot read ${path}: ${code === 'ENOENT' ? 'no such file' : code ?? (error as Error).message}`, { file: path });
  }
}

/** Reads the whole answer; a Memoco error body becomes that error. */
async function readAnswer(res: IncomingMessage, url: URL): Promise<Record<string, unknown>> {
  let text = '';
  res.setEncoding('utf8');
  for await (const chunk of res) text += chunk;
  let body: any;
  try {
    body = JSON.parse(text);
  } catch {
    throw new MemocoError('TRAINER_ERR_BAD_RESPONSE', `${url.origin} answered HTTP ${res.statusCode} with a body that is not JSON; is it a Memoco trainer?`, { status: 502 });
  }
  if (res.statusCode === 201 && typeof body?.modelId === 'string') return body;
  const error = body?.error;
  if (error && typeof error.code === 'string' && typeof error.message === 'string') {
    throw new MemocoError(error.code, error.message, { status: res.statusCode, ...(error.offset !== undefined ? { offset: error.offset, record: error.record } : {}) });
  }
  throw new MemocoError('TRAINER_ERR_BAD_RESPONSE', `${url.origin} answered HTTP ${res.statusCode} without a model id or a Memoco error; is it a Memoco trainer?`, { status: 502 });
}

function unreachable(url: URL, error: NodeJS.ErrnoException, sent: number): MemocoError {
  const why = error.code ?? error.message;
  const message = sent === 0 && (error.code === 'ECONNREFUSED' || error.code === 'ENOTFOUND' || error.code === 'EAI_AGAIN')
    ? `cannot reach the trainer at ${url.origin} (${why}); is it running? (--trainer, MEMOCO_TRAINER_URL)`
    : `the connection to the trainer at ${url.origin} broke after ${sent} bytes (${why}); nothing was stored`;
  return new MemocoError('TRAINER_ERR_UNREACHABLE', message, { status: 503 }, { cause: error });
}

/** Streams `path` to the trainer and resolves with its answer. */
export async function uploadTrace(path: string, options: TraceUploadOptions): Promise<TraceUploadResult> {
  const url = uploadUrl(options.trainerUrl, options);
  const totalBytes = await fileSize(path);
  if (options.signal?.aborted) throw interrupted(0, totalBytes);
  const headers: Record<string, string> = { 'content-type': 'application/octet-stream', 'content-length': String(totalBytes) };
  if (options.token) headers.authorization = `Bearer ${options.token}`;
  const req = (url.protocol === 'https:' ? httpsRequest : httpRequest)(url, { method: 'POST', headers });
  const state = { sent: 0, first: 0, last: 0, responded: false, settled: false };
  const answer = new Promise<{ body: Record<string, unknown>; at: number }>((resolve, reject) => {
    req.once('response', (res) => {
      state.responded = true;
      readAnswer(res, url).then((body) => resolve({ body, at: performance.now() }), reject);
    });
    req.once('error', (error) => reject(options.signal?.aborted ? interrupted(state.sent, totalBytes) : unreachable(url, error, state.sent)));
  });
  void answer.then(() => (state.settled = true), () => (state.settled = true));
  const onAbort = () => req.destroy();
  options.signal?.addEventListener('abort', onAbort, { once: true });
  try {
    await sendFile(req, path, options, totalBytes, state);
    const { body, at } = await answer;
    return { model: body as TraceUploadResult['model'], totalBytes, firstByteAtMs: state.first, lastByteAtMs: state.last, answeredAtMs: at };
  } catch (error) {
    req.destroy();
    // An answer that came while the body was going out (413, a corrupt trace) says why.
    if (state.responded) await answer;
    throw options.signal?.aborted ? interrupted(state.sent, totalBytes) : error;
  } finally {
    options.signal?.removeEventListener('abort', onAbort);
  }
}

function interrupted(sent: number, total: number): MemocoError {
  return new MemocoError('TRAINER_ERR_UPLOAD_ABORTED', `upload stopped on request after ${sent} of ${total} bytes; the trainer stores nothing`, { status: 400 });
}

interface SendState {
  sent: number;
  first: number;
  last: number;
  /** The trainer answered (or the request failed): stop sending. */
  settled: boolean;
}

/** Writes the file into the request, waiting for the socket to drain; stops once an answer came. */
async function sendFile(req: ClientRequest, path: string, options: TraceUploadOptions, totalBytes: number, state: SendState): Promise<void> {
  const file = createReadStream(path, { highWaterMark: options.chunkBytes ?? 1024 * 1024 });
  const stopped = () => state.settled || req.destroyed;
  try {
    for await (const chunk of file as AsyncIterable<Buffer>) {
      if (stopped()) return;
      if (state.sent === 0) state.first = performance.now();
      const flushed = req.write(chunk);
      state.sent += chunk.length;
      options.onProgress?.(state.sent, totalBytes);
      if (!flushed) await drained(req);
    }
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new MemocoError('MEMOCO_ERR_IO', `cannot read ${path}: ${code ?? (error as Error).message}`, { file: path }, { cause: error });
  } finally {
    file.destroy();
  }
  if (stopped()) return;
  // end()'s callback runs once the last byte is handed to the kernel.
  await new Promise<void>((resolve) => {
    req.once('close', () => resolve());
    req.end(() => resolve());
  });
  state.last = performance.now();
  if (state.sent === 0) state.first = state.last;
}

function drained(req: ClientRequest): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      req.off('drain', done);
      req.off('close', done);
      resolve();
    };
    req.on('drain', done);
    req.on('close', done);
  });
}
