/**
 * The NATS edge of @memoco/protocol's error headers: protocol builds plain maps (it does not
 * import the client); these copy them into and out of the client's MsgHdrs.
 */
import { headers, type MsgHdrs } from '@nats-io/transport-node';
import { errorToHeaders } from '@memoco/protocol';

export function natsHeadersFrom(map: Readonly<Record<string, string>>): MsgHdrs {
  const h = headers();
  for (const [name, value] of Object.entries(map)) h.set(name, value);
  return h;
}

/** Headers of a failed reply carrying `error` (empty body, typed error in the headers). */
export function errorReplyHeaders(error: unknown): MsgHdrs {
  return natsHeadersFrom(errorToHeaders(error));
}
