import { describe, expect, it } from 'vitest';
// Test-only reach into txcore's pure-TS format file (no addon): the format's owner. The
// package itself must not depend on @memoco/txcore (only apps load it), so it restates the
// layout, and this test keeps the two in step.
import * as owner from '../../../native/txcore/src/tag-format.ts';
import { readTagTrailer, TAG_MAGIC, TAG_NON_IP_FLOW_ID, TAG_TRAILER_BYTES, type DecodedTag } from './tag-trailer.ts';

describe('tag trailer', () => {
  it('has the same size, magic and non-IP flow id as txcore/src/tag-format.ts', () => {
    expect(TAG_TRAILER_BYTES).toBe(owner.TAG_TRAILER_BYTES);
    expect(TAG_MAGIC).toBe(owner.TAG_MAGIC);
    expect(TAG_NON_IP_FLOW_ID).toBe(owner.TAG_NON_IP_FLOW_ID);
  });

  it('decodes what txcore encodes, at the end of a frame inside a larger buffer', () => {
    const buffer = new Uint8Array(200).fill(0x5a);
    const frameStart = 11;
    const frameLength = 90;
    const tag = { flowId: 0xfffffffe, globalSeq: 2n ** 40n + 12345n, flowSeq: 77n };
    owner.encodeTagTrailer(tag, buffer.subarray(frameStart + frameLength - 24, frameStart + frameLength));
    const out: DecodedTag = { flowId: 0, globalSeq: 0, flowSeq: 0 };
    expect(readTagTrailer(buffer, frameStart, frameLength, out)).toBe(true);
    expect(out).toEqual({ flowId: 0xfffffffe, globalSeq: 2 ** 40 + 12345, flowSeq: 77 });
    expect(owner.decodeTagTrailer(buffer.subarray(frameStart, frameStart + frameLength))).toEqual(tag);
  });

  it('rejects frames without the magic or shorter than the trailer', () => {
    const out: DecodedTag = { flowId: 0, globalSeq: 0, flowSeq: 0 };
    expect(readTagTrailer(new Uint8Array(64), 0, 64, out)).toBe(false);
    expect(readTagTrailer(new Uint8Array(64), 0, 20, out)).toBe(false);
  });
});
