/**
 * ISO 8601 in UTC with nanoseconds (`2014-12-09T17:16:09.924505488Z`): captures keep
 * nanoseconds and Date keeps only milliseconds, so the fraction is written by hand.
 */
export function formatTimestampNs(tsSec: number, tsNsec: number): string {
  const date = new Date(tsSec * 1000);
  if (!Number.isFinite(date.getTime())) return `${tsSec}.${String(tsNsec).padStart(9, '0')}`;
  const iso = date.toISOString(); // yyyy-mm-ddThh:mm:ss.000Z (or ±yyyyyy- for far years)
  return `${iso.slice(0, iso.length - 5)}.${String(tsNsec).padStart(9, '0')}Z`;
}

/** Seconds from (aSec, aNsec) to (bSec, bNsec), as a float. */
export function secondsBetween(aSec: number, aNsec: number, bSec: number, bNsec: number): number {
  return bSec - aSec + (bNsec - aNsec) / 1e9;
}
