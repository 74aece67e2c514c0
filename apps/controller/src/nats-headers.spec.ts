/**
 * Errors over real NATS request/reply (style.md: "Across NATS: service error headers,
 * rebuilt into the typed error by libs/protocol"), through a real nats-server.
 */
import { connect } from '@nats-io/transport-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MemocoError, SUBJECTS, errorFromHeaders, throwIfErrorReply } from '@memoco/protocol';
import { startNatsServer, type NatsServer } from '@memoco/testbed';
import { errorReplyHeaders } from './nats-headers.ts';

let nats: NatsServer;
beforeAll(async () => {
  nats = await startNatsServer({ jetstream: false });
});
afterAll(async () => nats?.stop());

describe('error replies over NATS', () => {
  it('carry the typed error from responder to requester', async () => {
    const responder = await connect({ servers: nats.url });
    const requester = await connect({ servers: nats.url });
    const subject = SUBJECTS.agentRequest('tx-1', 'status');
    responder.subscribe(subject, {
      callback: (_err, msg) => {
        msg.respond(new Uint8Array(0), { headers: errorReplyHeaders(new MemocoError('AGENT_ERR_BUSY', 'run r1 is still sending — try later', { status: 409 })) });
      },
    });
    await responder.flush();
    const reply = await requester.request(subject, new Uint8Array(0), { timeout: 5000 });
    const error = errorFromHeaders(reply.headers);
    expect(error).toMatchObject({ code: 'AGENT_ERR_BUSY', message: 'run r1 is still sending — try later', details: { status: 409 } });
    expect(() => throwIfErrorReply(reply.headers)).toThrowError(MemocoError);
    await responder.close();
    await requester.close();
  });
});
