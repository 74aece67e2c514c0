/**
 * How a model's object in the store describes itself: its digest as the object store writes
 * it (`SHA-256=<base64url>`), and the trainer's announcement as JSON in the object's
 * metadata (plain JSON in the object's meta message, so nats-server 2.9 keeps it too).
 */
import { assertModelId, decodeMessage, encodeMessage, type ModelAnnouncement } from '@memoco/protocol';

export const ANNOUNCEMENT_METADATA_KEY = 'memoco-announcement';
const DIGEST_PREFIX = 'SHA-256=';

/** `SHA-256=<base64url>` of a hex SHA-256, as the object store records digests. */
export function hexToDigest(hex: string): string {
  return DIGEST_PREFIX + Buffer.from(assertModelId(hex), 'hex').toString('base64url') + '=';
}

/** The hex form of an object store digest; '' when it is not a SHA-256 digest. */
export function digestToHex(digest: string): string {
  if (!digest.startsWith(DIGEST_PREFIX)) return '';
  const raw = Buffer.from(digest.slice(DIGEST_PREFIX.length).replace(/=+$/, ''), 'base64url');
  return raw.length === 32 ? raw.toString('hex') : '';
}

export function announcementMetadata(announcement: ModelAnnouncement): Record<string, string> {
  return { [ANNOUNCEMENT_METADATA_KEY]: new TextDecoder().decode(encodeMessage('modelAnnouncement', announcement)) };
}

/** The announcement an object carries, undefined when it has none or it does not decode. */
export function announcementOf(metadata: Record<string, string> | undefined): ModelAnnouncement | undefined {
  const json = metadata?.[ANNOUNCEMENT_METADATA_KEY];
  if (json === undefined) return undefined;
  try {
    return decodeMessage('modelAnnouncement', new TextEncoder().encode(json));
  } catch {
    return undefined;
  }
}
