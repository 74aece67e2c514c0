import { describe, expect, it } from 'vitest';
import { errorFromHeaders, errorToHeaders, throwIfErrorReply } from './error-headers.ts';
import { MemocoError } from './memoco-error.ts';

describe('errors over NATS headers', () => {
  it('rebuild the typed error with code, message and status', () => {
    const headers = errorToHeaders(new MemocoError('AGENT_ERR_MODEL_DIGEST_MISMATCH', 'digest é mismatch\nsecond line', { status: 409 }));
    expect(headers['Nats-Service-Error-Code']).toBe('409');
    expect(headers['Nats-Service-Error']).toBe('digest ? mismatch second line');
    const error = errorFromHeaders(headers);
    expect(error).toBeInstanceOf(MemocoError);
    expect(error).toMatchObject({ code: 'AGENT_ERR_MODEL_DIGEST_MISMATCH', message: 'digest é mismatch second line', details: { status: 409, remote: true } });
  });

  it('read through a get() accessor such as NATS MsgHdrs', () => {
    const map = new Map(Object.entries(errorToHeaders(new MemocoError('X_ERR_Y', 'boom'))));
    expect(errorFromHeaders({ get: (name) => map.get(name) ?? '' })).toMatchObject({ code: 'X_ERR_Y', message: 'boom', details: { status: 500 } });
  });

  it('turn a plain Error into MEMOCO_ERR_INTERNAL', () => {
    expect(errorFromHeaders(errorToHeaders(new Error('bug')))).toMatchObject({ code: 'MEMOCO_ERR_INTERNAL', message: 'bug' });
  });

  it('map a bare NATS service error to PROTOCOL_ERR_REMOTE', () => {
    expect(errorFromHeaders({ 'Nats-Service-Error-Code': '503', 'Nats-Service-Error': 'no responders' })).toMatchObject({
      code: 'PROTOCOL_ERR_REMOTE',
      message: 'no responders',
      details: { remoteStatus: 503, status: 502 },
    });
  });

  it('find no error in a successful reply', () => {
    expect(errorFromHeaders(undefined)).toBeUndefined();
    expect(errorFromHeaders({ 'Content-Type': 'application/json' })).toBeUndefined();
    expect(() => throwIfErrorReply({})).not.toThrow();
    expect(() => throwIfErrorReply(errorToHeaders(new MemocoError('X_ERR_Y', 'no')))).toThrowError('no');
  });
});
