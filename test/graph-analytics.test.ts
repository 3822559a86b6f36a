/**
 * The analyst's aggregates agree with the upstream's own rows: each figure is recomputed here from what the
 * sandbox's REST API returns (attendance by session, bookings by slot, RSVPs by event), not from the graph.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startStack, type Stack } from './support/stack.js';

let stack: Stack;
const MANY = 'many-sessions-token';
beforeAll(async () => {
  stack = await startStack();
  await stack.seed(MANY, 4, { events: 1, rsvpsPerEvent: 1, sessions: 1001, participationsPerSession: 0, bookings: 30 });
});
afterAll(() => stack?.stop());

async function rest(path: string, body: unknown, key: string, token?: string): Promise<any[]> {
  const res = await stack.upstream('POST', path, body, token);
  expect(res.status).toBe(200);
  return res.body[key];
}

const participants = (b: any) => b.totalParticipants ?? (b.participantsChoices?.serviceChoices ?? []).reduce((n: number, c: any) => n + c.numberOfParticipants, 0);
const live = (b: any) => b.status !== 'CANCELED' && b.status !== 'DECLINED';

/** What a session's (or a set of sessions') attendance should sum to, from upstream rows. */
function expected(attendances: any[], bookings: any[]) {
  const byBooking = new Map(attendances.map((a) => [a.bookingId, a]));
  const liveBookings = bookings.filter(live);
  let due = 0;
  let came = 0;
  for (const b of liveBookings) {
    const a = byBooking.get(b.id);
    if (a?.status === 'ATTENDED') {
      due += participants(b);
      came += Math.min(a.numberOfAttendees ?? 1, participants(b));
    } else if (a?.status === 'NOT_ATTENDED') due += participants(b);
  }
  return {
    attended: attendances.filter((a) => a.status === 'ATTENDED').length,
    notAttended: attendances.filter((a) => a.status === 'NOT_ATTENDED').length,
    totalAttendees: attendances.filter((a) => a.status === 'ATTENDED').reduce((n, a) => n + (a.numberOfAttendees ?? 1), 0),
    bookedParticipants: liveBookings.reduce((n, b) => n + participants(b), 0),
    noShowRate: due > 0 ? Math.round(((due - came) / due) * 10_000) / 10_000 : null,
  };
}

async function upstreamOf(sessionIds: string[], token?: string) {
  const attendances = await rest('/bookings/v2/attendance/query', { query: { filter: { eventId: { $in: sessionIds } }, cursorPaging: { limit: 1000 } } }, 'attendances', token);
  const bookings = (
    await rest('/bookings/bookings-reader/v2/extended-bookings/query', { query: { filter: { 'bookedEntity.slot.eventId': { $in: sessionIds } }, paging: { limit: 100 } } }, 'extendedBookings', token)
  ).map((x) => x.booking);
  return { attendances, bookings };
}

describe('analyst aggregates', () => {
  it('Session.attendanceSummary of every session matches its attendance and bookings upstream', async () => {
    const res = await stack.gql(`{ sessions(first: 100) { edges { node { sessionId
      attendanceSummary { attended notAttended totalAttendees bookedParticipants noShowRate } } } } }`);
    expect(res.errors).toBeUndefined();
    const rows = res.data.sessions.edges.map((e: any) => e.node);
    expect(rows.length).toBeGreaterThan(5);
    for (const s of rows) {
      const { attendances, bookings } = await upstreamOf([s.sessionId]);
      expect(s.attendanceSummary, s.sessionId).toEqual(expected(attendances, bookings));
    }
    // The demo data exercises the formula: some session has a recorded no-show rate.
    expect(rows.some((s: any) => s.attendanceSummary.noShowRate !== null)).toBe(true);
  });

  it('noShowReport(filter) sums the sessions the filter matches upstream', async () => {
    const res = await stack.gql(`{ noShowReport(filter: { type: { eq: CLASS }, status: { eq: CONFIRMED } }) {
      sessions complete bookedParticipants attendees noShowRate summary { attended notAttended } } }`);
    expect(res.errors).toBeUndefined();
    const sessions = await rest('/calendar/v3/events/query', { query: { filter: { type: 'CLASS', status: 'CONFIRMED' }, cursorPaging: { limit: 100 } } }, 'events');
    const { attendances, bookings } = await upstreamOf(sessions.map((s) => s.id));
    const want = expected(attendances, bookings);
    expect(res.data.noShowReport).toEqual({
      sessions: sessions.length,
      complete: true,
      bookedParticipants: want.bookedParticipants,
      attendees: want.totalAttendees,
      noShowRate: want.noShowRate,
      summary: { attended: want.attended, notAttended: want.notAttended },
    });
  });

  it('noShowReport says it is incomplete when the filter matches more than 1000 sessions', async () => {
    const res = await stack.gql(`{ noShowReport { sessions complete } }`, {}, MANY);
    expect(res.errors).toBeUndefined();
    expect(res.data.noShowReport).toEqual({ sessions: 1000, complete: false });
  });

  it('Event.checkInStats and Event.rsvpSummary match the event\'s RSVPs and summary upstream', async () => {
    const res = await stack.gql(`{ events(first: 100, filter: { initialType: { eq: RSVP } }) { edges { node { eventId
      checkInStats { checkedIn attending ratio } rsvpSummary { yesGuestCount noGuestCount waitlistGuestCount totalRsvpCount } } } } }`);
    expect(res.errors).toBeUndefined();
    const events = res.data.events.edges.map((e: any) => e.node);
    const { summaries } = (await stack.upstream('GET', `/events/v2/rsvps/summaries?${events.map((e: any) => `eventId=${e.eventId}`).join('&')}`)).body;
    for (const e of events) {
      const rsvps = await rest('/events/v2/rsvps/query', { query: { filter: { eventId: e.eventId }, cursorPaging: { limit: 100 } }, fields: ['DETAILS'] }, 'rsvps');
      const checkedIn = rsvps.reduce((n, r) => n + (r.checkedInGuestCount ?? 0), 0);
      const attending = rsvps.filter((r) => r.status === 'YES').reduce((n, r) => n + r.totalGuests, 0);
      expect(e.checkInStats, e.eventId).toEqual({ checkedIn, attending, ratio: attending ? Math.round((checkedIn / attending) * 10_000) / 10_000 : null });
      const { eventId: _, ...summary } = summaries.find((s: any) => s.eventId === e.eventId);
      expect(e.rsvpSummary).toEqual(summary);
    }
    expect(events.some((e: any) => e.checkInStats.checkedIn > 0)).toBe(true);
  });
});
