/**
 * Every link of the graph returns the rows the upstream itself holds: each answer is compared with what the
 * sandbox's REST API returns for the same question.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startStack, type Stack } from './support/stack.js';

let stack: Stack;
beforeAll(async () => {
  stack = await startStack();
});
afterAll(() => stack?.stop());

const ids = (rows: { id?: string }[]) => rows.map((r) => r.id).sort();
const nodes = (conn: any) => conn.edges.map((e: any) => e.node);

async function rest(path: string, body: unknown, key: string): Promise<any[]> {
  const res = await stack.upstream('POST', path, body);
  expect(res.status).toBe(200);
  return res.body[key];
}

describe('links return the upstream rows', () => {
  it('Event.guests, Event.rsvps, Event.rsvpSummary and Event.checkInStats', async () => {
    const [event] = await rest('/events/v3/events/query', { query: { paging: { limit: 1 }, filter: { 'registration.initialType': 'RSVP' } }, fields: ['REGISTRATION'] }, 'events');
    const res = await stack.gql(
      `query ($id: ID!) { event(id: $id) { eventId guests(first: 1000) { edges { node { guestId } } }
        rsvps(first: 1000) { edges { node { rsvpId checkedInGuestCount totalGuests status } } }
        rsvpSummary { yesGuestCount totalRsvpCount } checkInStats { checkedIn attending } } }`,
      { id: event.id },
    );
    expect(res.errors).toBeUndefined();
    const guests = await rest('/events/v2/guests/query', { query: { filter: { eventId: event.id }, paging: { limit: 1000 } } }, 'guests');
    const rsvps = await rest('/events/v2/rsvps/query', { query: { filter: { eventId: event.id }, cursorPaging: { limit: 100 } }, fields: ['DETAILS'] }, 'rsvps');
    expect(nodes(res.data.event.guests).map((g: any) => g.guestId).sort()).toEqual(ids(guests));
    expect(nodes(res.data.event.rsvps).map((r: any) => r.rsvpId).sort()).toEqual(ids(rsvps));
    const summary = (await stack.upstream('GET', `/events/v2/rsvps/summaries?eventId=${event.id}`)).body.summaries[0];
    expect(res.data.event.rsvpSummary).toEqual({ yesGuestCount: summary.yesGuestCount, totalRsvpCount: summary.totalRsvpCount });
    expect(res.data.event.checkInStats.attending).toBe(
      rsvps.filter((r) => r.status === 'YES').reduce((n, r) => n + r.totalGuests, 0),
    );
  });

  it('Rsvp.guests, Rsvp.eventGuest, Rsvp.event and Guest.rsvp agree with each other', async () => {
    const [rsvp] = await rest('/events/v2/rsvps/query', { query: { cursorPaging: { limit: 1 } }, fields: ['DETAILS'] }, 'rsvps');
    const res = await stack.gql(
      `query ($id: ID!) { rsvp(id: $id) { rsvpId eventId guests { guestId index fullName checkedIn }
        eventGuest { guestId rsvpId rsvp { rsvpId } } event { eventId } contact { contactId } } }`,
      { id: rsvp.id },
    );
    expect(res.errors).toBeUndefined();
    const r = res.data.rsvp;
    expect(r.guests.map((g: any) => g.guestId)).toEqual(rsvp.guestList.guests.map((g: any) => g.guestId));
    expect(r.event.eventId).toBe(rsvp.eventId);
    expect(r.contact.contactId).toBe(rsvp.contactId);
    const [guest] = await rest('/events/v2/guests/query', { query: { filter: { rsvpId: rsvp.id } } }, 'guests');
    expect(r.eventGuest).toEqual({ guestId: guest.id, rsvpId: rsvp.id, rsvp: { rsvpId: rsvp.id } });
  });

  it('Session.participations, .attendances, .bookings and Participation.session / Attendance.session / .booking', async () => {
    const [session] = await rest('/calendar/v3/events/query', { query: { cursorPaging: { limit: 1 } } }, 'events');
    const res = await stack.gql(
      `query ($id: ID!) { session(id: $id) { sessionId
        participations { edges { node { participationId session { sessionId } } } }
        attendances { edges { node { attendanceId sessionId session { sessionId } booking { bookingId } } } }
        bookings { edges { node { bookingId session { sessionId } attendance { attendanceId } } } } } }`,
      { id: session.id },
    );
    expect(res.errors).toBeUndefined();
    const s = res.data.session;
    const participations = await rest('/calendar/v3/participations/query', { query: { filter: { eventId: session.id }, cursorPaging: { limit: 100 } } }, 'participations');
    const attendances = await rest('/bookings/v2/attendance/query', { query: { filter: { eventId: session.id }, cursorPaging: { limit: 100 } } }, 'attendances');
    const bookings = (await rest('/bookings/bookings-reader/v2/extended-bookings/query', { query: { filter: { 'bookedEntity.slot.eventId': session.id }, paging: { limit: 100 } }, withBookingAttendanceInfo: true }, 'extendedBookings'));
    expect(nodes(s.participations).map((p: any) => p.participationId).sort()).toEqual(ids(participations));
    expect(nodes(s.attendances).map((a: any) => a.attendanceId).sort()).toEqual(ids(attendances));
    expect(nodes(s.bookings).map((b: any) => b.bookingId).sort()).toEqual(bookings.map((b) => b.booking.id).sort());
    for (const p of nodes(s.participations)) expect(p.session.sessionId).toBe(session.id);
    for (const a of nodes(s.attendances)) {
      expect(a.session.sessionId).toBe(session.id);
      expect(a.booking.bookingId).toBe(attendances.find((x) => x.id === a.attendanceId).bookingId);
    }
    for (const b of nodes(s.bookings)) {
      expect(b.session.sessionId).toBe(session.id);
      expect(b.attendance?.attendanceId ?? null).toBe(bookings.find((x) => x.booking.id === b.bookingId).attendance?.id ?? null);
    }
  });

  it('Session.scheduleParticipations and scheduleParticipations(scheduleId) list participations of the whole schedule', async () => {
    const [session] = await rest('/calendar/v3/events/query', { query: { filter: { type: 'CLASS' }, cursorPaging: { limit: 1 } } }, 'events');
    // The demo data links participations to sessions only; a schedule-level one (one-of scheduleId, §3.2) is made here.
    const created = await stack.upstream('POST', '/calendar/v3/participations', {
      participation: { scheduleId: session.scheduleId, partySize: 2, participant: { name: 'Course Student', contactId: '00000000-0000-4000-8000-00000000c0de' } },
    });
    expect(created.status).toBe(200);
    const res = await stack.gql(
      `query ($id: ID!, $schedule: ID!) { session(id: $id) { scheduleParticipations { edges { node { participationId scheduleId sessionId partySize } } }
        participations { edges { node { participationId } } } }
        scheduleParticipations(scheduleId: $schedule) { edges { node { participationId } } } }`,
      { id: session.id, schedule: session.scheduleId },
    );
    expect(res.errors).toBeUndefined();
    const bySchedule = await rest('/calendar/v3/participations/query', { query: { filter: { scheduleId: session.scheduleId }, cursorPaging: { limit: 100 } } }, 'participations');
    expect(bySchedule.map((p) => p.id)).toContain(created.body.participation.id);
    const linked = nodes(res.data.session.scheduleParticipations);
    expect(linked.map((p: any) => p.participationId).sort()).toEqual(ids(bySchedule));
    expect(linked.find((p: any) => p.participationId === created.body.participation.id)).toEqual({
      participationId: created.body.participation.id,
      scheduleId: session.scheduleId,
      sessionId: null,
      partySize: 2,
    });
    expect(nodes(res.data.scheduleParticipations).map((p: any) => p.participationId).sort()).toEqual(ids(bySchedule));
    // A schedule-level participation is not one of the session's own.
    expect(nodes(res.data.session.participations).map((p: any) => p.participationId)).not.toContain(created.body.participation.id);
  });

  it('Contact joins RSVPs, guests, participations, bookings and attendances by contactId', async () => {
    const [booking] = (await rest('/bookings/bookings-reader/v2/extended-bookings/query', { query: { paging: { limit: 1 } } }, 'extendedBookings')).map((b) => b.booking);
    const contactId = booking.contactDetails.contactId;
    const res = await stack.gql(
      `query ($c: ID!) { contact(contactId: $c) { contactId
        rsvps(first: 1000) { edges { node { rsvpId contactId } } }
        guests(first: 1000) { edges { node { guestId contactId } } }
        participations(first: 1000) { edges { node { participationId participant { contactId } } } }
        bookings(first: 1000) { edges { node { bookingId contactDetails { contactId } } } }
        attendances(first: 1000) { edges { node { attendanceId bookingId } } } } }`,
      { c: contactId },
    );
    expect(res.errors).toBeUndefined();
    const c = res.data.contact;
    const rsvps = await rest('/events/v2/rsvps/query', { query: { filter: { contactId }, cursorPaging: { limit: 100 } } }, 'rsvps');
    const guests = await rest('/events/v2/guests/query', { query: { filter: { contactId }, paging: { limit: 1000 } } }, 'guests');
    const bookings = (await rest('/bookings/bookings-reader/v2/extended-bookings/query', { query: { filter: { 'contactDetails.contactId': contactId }, paging: { limit: 100 } } }, 'extendedBookings')).map((b) => b.booking);
    const allParticipations = await rest('/calendar/v3/participations/query', { query: { cursorPaging: { limit: 100 } } }, 'participations');
    const attendances = await rest('/bookings/v2/attendance/query', { query: { filter: { bookingId: { $in: bookings.map((b) => b.id) } }, cursorPaging: { limit: 1000 } } }, 'attendances');
    expect(nodes(c.rsvps).map((r: any) => r.rsvpId).sort()).toEqual(ids(rsvps));
    expect(nodes(c.guests).map((g: any) => g.guestId).sort()).toEqual(ids(guests));
    expect(nodes(c.bookings).map((b: any) => b.bookingId).sort()).toEqual(ids(bookings));
    expect(nodes(c.participations).map((p: any) => p.participationId).sort()).toEqual(ids(allParticipations.filter((p) => p.participant?.contactId === contactId)));
    expect(nodes(c.attendances).map((a: any) => a.attendanceId).sort()).toEqual(ids(attendances));
    // The demo data shares contacts across domains, so this contact is found in more than one of them.
    expect([c.rsvps, c.guests, c.participations, c.bookings].filter((x) => x.edges.length > 0).length).toBeGreaterThan(1);
  });

  it('node(id) and nodes(ids) resolve global ids of every type', async () => {
    const res = await stack.gql(`{ events(first: 1, filter: { initialType: { eq: RSVP } }) { edges { node { id eventId rsvps(first: 1) { edges { node { id rsvpId eventGuest { id guestId } contact { id contactId } } } } } } }
      sessions(first: 20) { edges { node { id sessionId participations(first: 1) { edges { node { id } } } attendances(first: 1) { edges { node { id booking { id } } } } } } } }`);
    expect(res.errors).toBeUndefined();
    const ev = res.data.events.edges[0].node;
    const rsvp = ev.rsvps.edges[0].node;
    const session = res.data.sessions.edges
      .map((e: any) => e.node)
      .find((n: any) => n.participations.edges.length > 0 && n.attendances.edges.length > 0);
    const globals = [ev.id, rsvp.id, rsvp.eventGuest.id, rsvp.contact.id, session.id, session.participations.edges[0].node.id, session.attendances.edges[0].node.id, session.attendances.edges[0].node.booking.id];
    const out = await stack.gql(`query ($ids: [ID!]!) { nodes(ids: $ids) { __typename id } }`, { ids: globals });
    expect(out.errors).toBeUndefined();
    expect(out.data.nodes.map((n: any) => n.id)).toEqual(globals);
    expect(out.data.nodes.map((n: any) => n.__typename)).toEqual(['Event', 'Rsvp', 'Guest', 'Contact', 'Session', 'Participation', 'Attendance', 'Booking']);
    const one = await stack.gql(`query ($id: ID!) { node(id: $id) { ... on Rsvp { rsvpId } } }`, { id: rsvp.id });
    expect(one.data.node.rsvpId).toBe(rsvp.rsvpId);
  });
});
