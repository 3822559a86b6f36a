/**
 * What every mutation does after a write: make the request's loaders answer with the new state (so a selection
 * after the mutation field, in the same operation, never shows what was there before) and tell live subscribers.
 * Plus the two small helpers the bulk mutations share.
 */
import type { Attendance, Participation, Rsvp, WixEvent } from '../../wire/types.js';
import type { GatewayContext } from '../context.js';
import { publishAttendanceChanged } from '../live/attendance.js';
import type { ChangeKind } from '../pubsub.js';

/** Prime the fresh RSVP; clear what it feeds (its event's summaries, the derived guest list). */
export function rememberRsvp(ctx: GatewayContext, rsvp: Rsvp): void {
  if (!rsvp.id) return;
  prime(ctx, 'rsvp', rsvp.id, rsvp);
  if (rsvp.eventId) forgetEventDerived(ctx, rsvp.eventId);
}

export function forgetRsvp(ctx: GatewayContext, rsvpId: string): void {
  clear(ctx, 'rsvp', rsvpId);
  clearAll(ctx, ['event', 'eventSummary', 'rsvpSummary', 'guestsByEvent', 'rsvpsByEvent', 'guest', 'guestByRsvp']);
}

export function rememberEvent(ctx: GatewayContext, event: WixEvent): void {
  if (!event.id) return;
  prime(ctx, 'event', event.id, event);
}

export function rememberParticipation(ctx: GatewayContext, participation: Participation): void {
  if (!participation.id) return;
  prime(ctx, 'participation', participation.id, participation);
  // A participation changes its session's participants and remainingCapacity (WIX-REST.md §3).
  if (participation.eventId) {
    clear(ctx, 'session', participation.eventId);
    clear(ctx, 'calendarEvent', participation.eventId);
  }
  clearAll(ctx, ['participationsBySession', 'participationsByEvent']);
}

export function forgetParticipation(ctx: GatewayContext, participationId: string): void {
  clear(ctx, 'participation', participationId);
  clearAll(ctx, ['session', 'calendarEvent', 'participationsBySession', 'participationsByEvent']);
}

/**
 * After set/bulk set: prime the attendances, clear the booking-side lookups, publish to attendanceChanged.
 * `kinds` says per attendance id whether the upsert created or updated it (UPDATED when unknown).
 */
export async function afterAttendanceWrite(ctx: GatewayContext, attendances: Attendance[], kinds: Map<string, ChangeKind> = new Map()): Promise<void> {
  for (const a of attendances) {
    if (a.id) prime(ctx, 'attendance', a.id, a);
    if (a.bookingId) {
      clear(ctx, 'attendanceByBooking', a.bookingId);
      clear(ctx, 'booking', a.bookingId);
    }
  }
  clearAll(ctx, ['attendanceBySession', 'attendancesBySession']);
  if (attendances.length === 0) return;
  try {
    const site = await ctx.site();
    await Promise.all(attendances.map((a) => publishAttendanceChanged(ctx.pubsub, site, a, kinds.get(a.id ?? '') ?? 'UPDATED')));
  } catch {
    // The write stands whether or not subscribers heard of it; a failed token-info lookup must not turn a
    // successful mutation into an error the client would retry.
  }
}

export function chunk<T>(items: readonly T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

/** Runs fn over items with at most `limit` in flight, so a large bulk does not open a connection per chunk. */
export async function mapLimit<T>(items: readonly T[], limit: number, fn: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const workers = Array.from({ length: Math.min(limit, items.length) }, async () => {
    while (next < items.length) await fn(items[next++]!);
  });
  await Promise.all(workers);
}

// Helpers below: loaders are looked up by name so a loader the graph does not (yet) have is simply skipped.

interface PrimableLoader {
  clear(key: unknown): unknown;
  clearAll(): unknown;
  prime(key: unknown, value: unknown): unknown;
}

function loader(ctx: GatewayContext, name: string): PrimableLoader | undefined {
  const candidate = (ctx.loaders as Record<string, unknown>)[name];
  return candidate && typeof (candidate as PrimableLoader).prime === 'function' ? (candidate as PrimableLoader) : undefined;
}

function prime(ctx: GatewayContext, name: string, key: string, value: unknown): void {
  // DataLoader.prime keeps an existing entry, so the stale one is cleared first.
  loader(ctx, name)?.clear(key);
  loader(ctx, name)?.prime(key, value);
}

function clear(ctx: GatewayContext, name: string, key: string): void {
  loader(ctx, name)?.clear(key);
}

function clearAll(ctx: GatewayContext, names: string[]): void {
  for (const name of names) loader(ctx, name)?.clearAll();
}

function forgetEventDerived(ctx: GatewayContext, eventId: string): void {
  clear(ctx, 'event', eventId);
  clearAll(ctx, ['eventSummary', 'rsvpSummary', 'guestsByEvent', 'rsvpsByEvent', 'guest', 'guestByRsvp']);
}
