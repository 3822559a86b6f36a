/**
 * What every mutation does after a write: make the request's loaders answer with the new state (so a selection
 * after the mutation field, in the same operation, never shows what was there before) and tell live subscribers.
 * Plus the small helper the bulk mutations share.
 */
import type { Attendance, Participation, Rsvp, WixEvent } from '../../wire/types.js';
import type { GatewayContext } from '../context.js';
import { publishAttendanceChanged } from '../live/attendance.js';
import type { ChangeKind } from '../pubsub.js';

/** Prime the fresh RSVP; clear what it feeds: its event's summaries and lists, the guest it produces. */
export function rememberRsvp(ctx: GatewayContext, rsvp: Rsvp): void {
  if (!rsvp.id) return;
  const l = ctx.loaders;
  l.rsvp.clear(rsvp.id).prime(rsvp.id, rsvp);
  l.guestByRsvp.clear(rsvp.id);
  l.rsvpsByContact.clearAll();
  l.guestsByContact.clearAll();
  l.guest.clearAll();
  if (rsvp.eventId) forgetEventDerived(ctx, rsvp.eventId);
}

/** After a delete the RSVP's event is unknown here, so every list an RSVP can be in is cleared. */
export function forgetRsvp(ctx: GatewayContext, rsvpId: string): void {
  const l = ctx.loaders;
  l.rsvp.clear(rsvpId);
  l.guestByRsvp.clear(rsvpId);
  for (const loader of [l.event, l.rsvpSummary, l.rsvpsByEvent, l.guestsByEvent, l.guest, l.rsvpsByContact, l.guestsByContact]) loader.clearAll();
}

export function rememberEvent(ctx: GatewayContext, event: WixEvent): void {
  if (event.id) ctx.loaders.event.clear(event.id).prime(event.id, event);
}

export function rememberParticipation(ctx: GatewayContext, participation: Participation): void {
  if (!participation.id) return;
  const l = ctx.loaders;
  l.participation.clear(participation.id).prime(participation.id, participation);
  // A participation changes its session's participants and remainingCapacity (docs/upstream.md §3).
  if (participation.eventId) {
    l.session.clear(participation.eventId);
    l.participationsBySession.clear(participation.eventId);
  }
  if (participation.scheduleId) l.participationsBySchedule.clear(participation.scheduleId);
  l.participationsByContact.clearAll();
}

export function forgetParticipation(ctx: GatewayContext, participationId: string): void {
  const l = ctx.loaders;
  l.participation.clear(participationId);
  for (const loader of [l.session, l.participationsBySession, l.participationsBySchedule, l.participationsByContact]) loader.clearAll();
}

/**
 * After set/bulk set: prime the attendances, clear the booking-side lookups, publish to attendanceChanged.
 * `kinds` says per attendance id whether the upsert created or updated it (UPDATED when unknown).
 */
export async function afterAttendanceWrite(ctx: GatewayContext, attendances: Attendance[], kinds: Map<string, ChangeKind> = new Map()): Promise<void> {
  const l = ctx.loaders;
  for (const a of attendances) {
    if (a.id) l.attendance.clear(a.id).prime(a.id, a);
    // A booking carries its attendance (Bookings Reader withBookingAttendanceInfo), so its lookups go stale too.
    if (a.bookingId) {
      l.attendancesByBooking.clear(a.bookingId);
      l.booking.clear(a.bookingId);
    }
    const sessionId = a.eventId ?? a.sessionId;
    if (sessionId) {
      l.attendancesBySession.clear(sessionId);
      l.bookingsBySession.clear(sessionId);
    }
  }
  l.bookingsBySchedule.clearAll();
  l.courseBookings.clearAll();
  l.bookingsByContact.clearAll();
  if (attendances.length === 0) return;
  try {
    const site = await ctx.site();
    await Promise.all(attendances.map((a) => publishAttendanceChanged(ctx.pubsub, site, a, kinds.get(a.id ?? '') ?? 'UPDATED')));
  } catch {
    // The write stands whether or not subscribers heard of it; a failed token-info lookup must not turn a
    // successful mutation into an error the client would retry.
  }
}

/** Runs fn over items with at most `limit` in flight, so a large bulk does not open a connection per chunk. */
export async function mapLimit<T>(items: readonly T[], limit: number, fn: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const workers = Array.from({ length: Math.min(limit, items.length) }, async () => {
    while (next < items.length) await fn(items[next++]!);
  });
  await Promise.all(workers);
}

// Helpers below: what an RSVP change makes stale on its event.

function forgetEventDerived(ctx: GatewayContext, eventId: string): void {
  const l = ctx.loaders;
  l.event.clear(eventId);
  l.rsvpSummary.clear(eventId);
  l.rsvpsByEvent.clear(eventId);
  l.guestsByEvent.clear(eventId);
}
