/**
 * totalCount (issue 15) on every connection the upstream can count, each compared with the rows the REST API returns
 * and with its upstream calls counted (/__sandbox/stats): offset-paged lists (events, guests, bookings) read it from
 * the page already fetched, RSVPs ask the count endpoint beside the first page, links count the parent's rows they
 * read anyway. Lists the upstream cannot count (attendance, participations, sessions) have no totalCount field.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startStack, type Stack } from './support/stack.js';

let stack: Stack;

beforeAll(async () => {
  stack = await startStack({ webhooks: false });
});
afterAll(async () => {
  await stack?.stop();
});

/** Every row of a REST list, paged to the end with the API's own paging style. */
async function restRows(path: string, key: string, filter: object = {}, style: 'offset' | 'cursor' = 'cursor', limit = 100): Promise<any[]> {
  const rows: any[] = [];
  let cursor: string | undefined;
  for (;;) {
    const query =
      style === 'offset'
        ? { filter, paging: { limit, offset: rows.length } }
        : cursor
          ? { cursorPaging: { limit, cursor } }
          : { filter, cursorPaging: { limit } };
    const res = await stack.upstream('POST', path, { query });
    expect(res.status).toBe(200);
    const page = res.body[key] as any[];
    rows.push(...page);
    cursor = res.body.pagingMetadata?.cursors?.next ?? undefined;
    if (page.length === 0 || (style === 'offset' ? page.length < limit : !cursor)) return rows;
  }
}

const EVENTS = '/events/v3/events/query';
const GUESTS = '/events/v2/guests/query';
const RSVPS = '/events/v2/rsvps/query';
const BOOKINGS = '/bookings/bookings-reader/v2/extended-bookings/query';
const PARTICIPATIONS = '/calendar/v3/participations/query';
const ATTENDANCE = '/bookings/v2/attendance/query';

/** Runs an operation with the sandbox's counters reset first; returns the data and the upstream calls by route. */
async function counted(query: string, variables?: Record<string, unknown>) {
  await stack.resetStats();
  const res = await stack.gql(query, variables);
  expect(res.errors).toBeUndefined();
  return { data: res.data, calls: (await stack.stats()).byRoute };
}

function countBy<T>(rows: T[], keyOf: (row: T) => string | undefined): Map<string, number> {
  const out = new Map<string, number>();
  for (const row of rows) {
    const key = keyOf(row);
    if (key !== undefined) out.set(key, (out.get(key) ?? 0) + 1);
  }
  return out;
}

describe('totalCount on root connections', () => {
  it('events: the offset page total, equal to the REST rows, in the one events call that reads the page', async () => {
    const all = await restRows(EVENTS, 'events', {}, 'offset');
    expect(all.length).toBeGreaterThan(3);
    const { data, calls } = await counted('{ events(first: 3) { totalCount edges { node { id } } } }');
    expect(data.events.edges).toHaveLength(3);
    expect(data.events.totalCount).toBe(all.length);
    expect(calls).toEqual({ [`POST ${EVENTS}`]: 1 });
  });

  it('guests filtered by event: the filtered total, one guests call; after a cursor the same total, again one call', async () => {
    const events = await restRows(EVENTS, 'events', {}, 'offset');
    const all = await restRows(GUESTS, 'guests', {}, 'offset');
    const [eventId, n] = [...countBy(all, (g) => g.eventId)].sort((a, b) => b[1] - a[1])[0]!;
    expect(n).toBeGreaterThan(2);
    expect(events.some((e) => e.id === eventId)).toBe(true);
    const Q = `query ($id: ID!, $after: String) { guests(first: 2, after: $after, filter: { eventId: { eq: $id } }) {
      totalCount pageInfo { endCursor } edges { node { guestId } } } }`;
    const first = await counted(Q, { id: eventId });
    expect(first.data.guests.totalCount).toBe(n);
    expect(first.calls).toEqual({ [`POST ${GUESTS}`]: 1 });
    const next = await counted(Q, { id: eventId, after: first.data.guests.pageInfo.endCursor });
    expect(next.data.guests.totalCount).toBe(n);
    expect(next.calls).toEqual({ [`POST ${GUESTS}`]: 1 });
  });

  it('bookings: the Bookings Reader page total, no count call', async () => {
    const all = await restRows(BOOKINGS, 'extendedBookings', {}, 'offset');
    const { data, calls } = await counted('{ bookings(first: 5) { totalCount edges { node { id } } } }');
    expect(data.bookings.totalCount).toBe(all.length);
    expect(calls).toEqual({ [`POST ${BOOKINGS}`]: 1 });
  });

  it('rsvps with a filter: the count endpoint beside the first page (2 calls); not asked when totalCount is not selected', async () => {
    const all = await restRows(RSVPS, 'rsvps', { status: 'YES' });
    expect(all.length).toBeGreaterThan(5);
    const withTotal = await counted('{ rsvps(first: 5, filter: { status: { eq: YES } }) { totalCount edges { node { id } } } }');
    expect(withTotal.data.rsvps.totalCount).toBe(all.length);
    expect(withTotal.data.rsvps.edges).toHaveLength(5);
    expect(withTotal.calls).toEqual({ [`POST ${RSVPS}`]: 1, 'POST /events/v2/rsvps/count': 1 });
    const without = await counted('{ rsvps(first: 5, filter: { status: { eq: YES } }) { edges { node { id } } } }');
    expect(without.calls).toEqual({ [`POST ${RSVPS}`]: 1 });
  });

  it('first: 0 with totalCount: RSVPs ask only the count; events read a one-row page for its total', async () => {
    const rsvps = await restRows(RSVPS, 'rsvps');
    const r = await counted('{ rsvps(first: 0) { totalCount edges { node { id } } } }');
    expect(r.data.rsvps).toEqual({ totalCount: rsvps.length, edges: [] });
    expect(r.calls).toEqual({ 'POST /events/v2/rsvps/count': 1 });
    const events = await restRows(EVENTS, 'events', {}, 'offset');
    const e = await counted('{ events(first: 0) { totalCount edges { node { id } } } }');
    expect(e.data.events).toEqual({ totalCount: events.length, edges: [] });
    expect(e.calls).toEqual({ [`POST ${EVENTS}`]: 1 });
  });

  it('totalCount asked in a named fragment is still counted', async () => {
    const rsvps = await restRows(RSVPS, 'rsvps');
    const { data, calls } = await counted('query { rsvps(first: 1) { ...Total edges { node { id } } } } fragment Total on QueryRsvpsConnection { totalCount }');
    expect(data.rsvps.totalCount).toBe(rsvps.length);
    expect(calls['POST /events/v2/rsvps/count']).toBe(1);
  });

  it('a failing count costs the count, not the page: totalCount null with an error at its path, the edges kept', async () => {
    await stack.faults({ rules: [{ route: 'POST /events/v2/rsvps/count', status: 400 }] });
    try {
      const res = await stack.gql('{ rsvps(first: 2) { totalCount edges { node { id } } } }');
      expect(res.data.rsvps.edges).toHaveLength(2);
      expect(res.data.rsvps.totalCount).toBeNull();
      expect(res.errors?.map((e) => e.path)).toEqual([['rsvps', 'totalCount']]);
    } finally {
      await stack.faults({ rules: [] });
    }
  });

  it('a failing page with its count already asked: one error, and the gateway keeps serving', async () => {
    await stack.faults({ rules: [{ route: `POST ${RSVPS}`, status: 400 }] });
    try {
      const res = await stack.gql('{ rsvps(first: 2) { totalCount edges { node { id } } } }');
      expect(res.data?.rsvps ?? null).toBeNull();
      expect(res.errors).toHaveLength(1);
    } finally {
      await stack.faults({ rules: [] });
    }
    const ok = await stack.gql('{ rsvps(first: 1) { totalCount } }');
    expect(ok.errors).toBeUndefined();
  });

  it('sessions, participations and attendances have no totalCount: refused before any upstream call, and the type says why', async () => {
    for (const field of ['sessions', 'participations', 'attendances']) {
      await stack.resetStats();
      const res = await stack.gql(`{ ${field}(first: 1) { totalCount } }`);
      expect(res.errors?.[0]?.message).toMatch(/Cannot query field "totalCount"/);
      expect((await stack.stats()).total).toBe(0);
    }
    const types = await stack.gql(`{ s: __type(name: "QuerySessionsConnection") { description }
      p: __type(name: "QueryParticipationsConnection") { description } a: __type(name: "QueryAttendancesConnection") { description } }`);
    expect(types.data.s.description).toMatch(/no totalCount: .*no total/);
    expect(types.data.p.description).toMatch(/no totalCount: .*no count endpoint/);
    expect(types.data.a.description).toMatch(/no totalCount: .*members only/);
  });
});

describe('totalCount on link connections', () => {
  it("Event.guests and Event.rsvps of 20 events: each equal to the REST rows of its event, no call beyond the links' own", async () => {
    const guests = countBy(await restRows(GUESTS, 'guests', {}, 'offset'), (g) => g.eventId);
    const rsvps = countBy(await restRows(RSVPS, 'rsvps'), (r) => r.eventId);
    const { data, calls } = await counted('{ events(first: 20) { edges { node { eventId guests(first: 1) { totalCount } rsvps(first: 1) { totalCount } } } } }');
    expect(data.events.edges.length).toBeGreaterThan(5);
    for (const { node } of data.events.edges) {
      expect(node.guests.totalCount).toBe(guests.get(node.eventId) ?? 0);
      expect(node.rsvps.totalCount).toBe(rsvps.get(node.eventId) ?? 0);
    }
    expect(calls).toEqual({ [`POST ${EVENTS}`]: 1, [`POST ${GUESTS}`]: 1, [`POST ${RSVPS}`]: 1 });
  });

  it('Session.participations, attendances, bookings and scheduleParticipations: each equal to the REST rows, one batched call per link', async () => {
    const parts = await restRows(PARTICIPATIONS, 'participations');
    const bySession = countBy(parts, (p) => p.eventId);
    const bySchedule = countBy(parts, (p) => p.scheduleId);
    const attendance = countBy(await restRows(ATTENDANCE, 'attendances'), (a) => a.eventId);
    const bookings = countBy(await restRows(BOOKINGS, 'extendedBookings', {}, 'offset'), (b) => b.booking.bookedEntity?.slot?.eventId);
    const { data, calls } = await counted(`{ sessions(first: 20) { edges { node { sessionId scheduleId
      participations(first: 1) { totalCount } scheduleParticipations(first: 1) { totalCount }
      attendances(first: 1) { totalCount } bookings(first: 1) { totalCount } } } } }`);
    const nodes = data.sessions.edges.map((e: any) => e.node);
    expect(nodes.length).toBeGreaterThan(5);
    expect(nodes.some((n: any) => n.participations.totalCount > 1)).toBe(true);
    expect(nodes.some((n: any) => n.bookings.totalCount > 0)).toBe(true);
    for (const n of nodes) {
      expect(n.participations.totalCount).toBe(bySession.get(n.sessionId) ?? 0);
      expect(n.scheduleParticipations.totalCount).toBe(bySchedule.get(n.scheduleId) ?? 0);
      expect(n.attendances.totalCount).toBe(attendance.get(n.sessionId) ?? 0);
      expect(n.bookings.totalCount).toBe(bookings.get(n.sessionId) ?? 0);
    }
    // sessions 1; participations by session and by schedule 1 each; attendances 1; bookings 1. No count calls.
    expect(calls).toEqual({
      'POST /calendar/v3/events/query': 1,
      [`POST ${PARTICIPATIONS}`]: 2,
      [`POST ${ATTENDANCE}`]: 1,
      [`POST ${BOOKINGS}`]: 1,
    });
  });

  it("Contact's rsvps, guests, bookings, participations and attendances: each equal to the REST rows of that contact", async () => {
    const rsvps = await restRows(RSVPS, 'rsvps');
    const guests = await restRows(GUESTS, 'guests', {}, 'offset');
    const bookings = await restRows(BOOKINGS, 'extendedBookings', {}, 'offset');
    const parts = await restRows(PARTICIPATIONS, 'participations');
    const attendances = await restRows(ATTENDANCE, 'attendances');
    const contactId = rsvps.map((r) => r.contactId).find((id) => id && bookings.some((b) => b.booking.contactDetails?.contactId === id)) ?? rsvps[0].contactId;
    const myBookings = bookings.filter((b) => b.booking.contactDetails?.contactId === contactId).map((b) => b.booking.id);
    const { data } = await counted(`query ($id: ID!) { contact(contactId: $id) { rsvps(first: 1) { totalCount } guests(first: 1) { totalCount }
      bookings(first: 1) { totalCount } participations(first: 1) { totalCount } attendances(first: 1) { totalCount } } }`, { id: contactId });
    expect(data.contact).toEqual({
      rsvps: { totalCount: rsvps.filter((r) => r.contactId === contactId).length },
      guests: { totalCount: guests.filter((g) => g.contactId === contactId).length },
      bookings: { totalCount: myBookings.length },
      participations: { totalCount: parts.filter((p) => p.participant?.contactId === contactId).length },
      attendances: { totalCount: attendances.filter((a) => myBookings.includes(a.bookingId)).length },
    });
    // The demo contact picked has a row in every list, so no count passes by being 0.
    for (const list of Object.values(data.contact) as { totalCount: number }[]) expect(list.totalCount).toBeGreaterThan(0);
  });

  it('after a cursor: Event.rsvps asks the count endpoint once, Session.participations reads the parent rows once, Event.guests uses the page total', async () => {
    const rsvps = countBy(await restRows(RSVPS, 'rsvps'), (r) => r.eventId);
    const [eventId, nRsvps] = [...rsvps].sort((a, b) => b[1] - a[1])[0]!;
    const guests = countBy(await restRows(GUESTS, 'guests', {}, 'offset'), (g) => g.eventId);
    const parts = countBy(await restRows(PARTICIPATIONS, 'participations'), (p) => p.eventId);
    const [sessionId, nParts] = [...parts].sort((a, b) => b[1] - a[1])[0]!;
    expect(nRsvps).toBeGreaterThan(1);
    expect(nParts).toBeGreaterThan(1);

    const EQ = `query ($id: ID!, $r: String, $g: String) { event(id: $id) {
      rsvps(first: 1, after: $r) { totalCount pageInfo { endCursor } } guests(first: 1, after: $g) { totalCount pageInfo { endCursor } } } }`;
    const page1 = await counted(EQ, { id: eventId });
    expect(page1.data.event.rsvps.totalCount).toBe(nRsvps);
    expect(page1.data.event.guests.totalCount).toBe(guests.get(eventId));
    const page2 = await counted(EQ, { id: eventId, r: page1.data.event.rsvps.pageInfo.endCursor, g: page1.data.event.guests.pageInfo.endCursor });
    expect(page2.data.event.rsvps.totalCount).toBe(nRsvps);
    expect(page2.data.event.guests.totalCount).toBe(guests.get(eventId));
    expect(page2.calls).toEqual({ [`POST ${EVENTS}`]: 1, [`POST ${RSVPS}`]: 1, 'POST /events/v2/rsvps/count': 1, [`POST ${GUESTS}`]: 1 });

    const SQ = `query ($id: ID!, $after: String) { session(id: $id) { participations(first: 1, after: $after) { totalCount pageInfo { endCursor } } } }`;
    const s1 = await counted(SQ, { id: sessionId });
    expect(s1.data.session.participations.totalCount).toBe(nParts);
    const s2 = await counted(SQ, { id: sessionId, after: s1.data.session.participations.pageInfo.endCursor });
    expect(s2.data.session.participations.totalCount).toBe(nParts);
    // The session, the page after the cursor, and the parent's rows for the count.
    expect(s2.calls).toEqual({ 'POST /calendar/v3/events/query': 1, [`POST ${PARTICIPATIONS}`]: 2 });
  });
});
