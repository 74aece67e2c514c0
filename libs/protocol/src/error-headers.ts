/**
 * Errors across NATS request/reply (style.md "Across NATS: service error headers, rebuilt
 * into the typed error by libs/protocol"). A failed reply has an empty body and headers:
 *
 *   Memoco-Error-Code:       PCAP_ERR_TRUNCATED_RECORD
 *   Memoco-Error-Message:    percent-encoded one-line message (UTF-8 safe)
 *   Nats-Service-Error-Code: 400   (the HTTP-like status, NATS micro-service convention)
 *   Nats-Service-Error:      the message, ASCII only, for generic NATS tools
 *
 * Headers are plain maps here; the NATS edge copies them into/out of `MsgHdrs`, so this
 * package does not import the client.
 */
import { MemocoError, isMemocoError } from './memoco-error.ts';
import { ERROR_HEADERS } from './nats-resources.ts';

export type ErrorHeaderMap = Record<string, string>;

/** Anything headers can be read from: a plain map, or an object with `get` (NATS MsgHdrs). */
export type HeaderSource = Readonly<Record<string, string | undefined>> | { get(name: string): string | undefined | null };

const MAX_MESSAGE_CHARS = 2000;

/** The headers that carry `error` over NATS. Unknown (non-Memoco) errors become MEMOCO_ERR_INTERNAL. */
export function errorToHeaders(error: unknown): ErrorHeaderMap {
  const typed = isMemocoError(error) ? error : new MemocoError('MEMOCO_ERR_INTERNAL', error instanceof Error ? error.message : String(error));
  const oneLine = typed.message.replace(/[\r\n]+/g, ' ').slice(0, MAX_MESSAGE_CHARS);
  const status = typeof typed.details.status === 'number' ? typed.details.status : 500;
  return {
    [ERROR_HEADERS.code]: typed.code,
    [ERROR_HEADERS.message]: encodeURIComponent(oneLine),
    [ERROR_HEADERS.serviceCode]: String(status),
    // eslint-disable-next-line no-control-regex
    [ERROR_HEADERS.serviceMessage]: oneLine.replace(/[^\x20-\x7e]/g, '?'),
  };
}

function read(source: HeaderSource | undefined, name: string): string | undefined {
  if (!source) return undefined;
  const value = typeof source.get === 'function' ? (source as { get(n: string): string | undefined | null }).get(name) : (source as Record<string, string | undefined>)[name];
  return value === null || value === undefined || value === '' ? undefined : value;
}

function decodeMessage(raw: string): string {
  try {
    return decodeURIComponent(raw);
  } catch {
    return raw;
  }
}

/**
 * The typed error a reply carries, or undefined when it carries none. A reply with only the
 * NATS service headers (from a non-Memoco responder) becomes PROTOCOL_ERR_REMOTE.
 */
export function errorFromHeaders(source: HeaderSource | undefined): MemocoError | undefined {
  const serviceCode = read(source, ERROR_HEADERS.serviceCode);
  const parsedStatus = serviceCode === undefined ? undefined : Number.parseInt(serviceCode, 10);
  const status = parsedStatus !== undefined && Number.isFinite(parsedStatus) ? parsedStatus : undefined;
  const code = read(source, ERROR_HEADERS.code);
  if (code !== undefined) {
    const rawMessage = read(source, ERROR_HEADERS.message);
    const message = rawMessage === undefined ? code : decodeMessage(rawMessage);
    return new MemocoError(code, message, status === undefined ? { remote: true } : { remote: true, status });
  }
  if (serviceCode === undefined) return undefined;
  const text = read(source, ERROR_HEADERS.serviceMessage) ?? `remote error ${serviceCode}`;
  return new MemocoError('PROTOCOL_ERR_REMOTE', text, { remote: true, status: 502, remoteStatus: status });
}

/** Throws the typed error a reply carries; returns quietly when it carries none. */
export function throwIfErrorReply(source: HeaderSource | undefined): void {
  const error = errorFromHeaders(source);
  if (error) throw error;
}
