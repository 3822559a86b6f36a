/**
 * The sandbox's one clock for entity timestamps (createdDate, updatedDate, check-in dates, webhook bodies).
 * Strictly increasing: two entities written in the same millisecond still get distinct dates, so the default
 * `createdDate DESC` order of every query is the creation order a user expects.
 */
let last = 0;

/** Milliseconds since the epoch, never equal to or below the previous reading. */
export function nowMs(): number {
  last = Math.max(Date.now(), last + 1);
  return last;
}

/** `nowMs()` as an ISO-8601 timestamp, the wire format of every date. */
export function now(): string {
  return new Date(nowMs()).toISOString();
}
