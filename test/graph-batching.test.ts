/**
 * The deep walk events -> guests -> rsvp -> contact -> participations -> session -> attendances for 20 events costs
 * one upstream request per (resource, depth) step, read from the sandbox's own request counters; without loaders
 * it costs one per row (the N+1 the loaders exist to prevent).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEEP_WALK } from './support/queries.js';
import { startStack, type Stack } from './support/stack.js';

describe('batched reads', () => {
  let batched: Stack;
  let unbatched: Stack;
  beforeAll(async () => {
    [batched, unbatched] = await Promise.all([startStack(), startStack({ gateway: { batchLoads: false } })]);
  });
  afterAll(async () => {
    await Promise.all([batched?.stop(), unbatched?.stop()]);
  });

  it('walks seven links for 20 events in exactly one upstream request per step', async () => {
    await batched.resetStats();
    const res = await batched.gql(DEEP_WALK);
    expect(res.errors).toBeUndefined();
    const events = res.data.events.edges;
    expect(events).toHaveLength(20);
    // The walk reaches every level (so each step below was really taken).
    const sessions = events.flatMap((e: any) =>
      e.node.guests.edges.flatMap((g: any) => g.node.rsvp?.contact.participations.edges.map((p: any) => p.node.session) ?? []),
    );
    expect(sessions.length).toBeGreaterThan(0);
    expect(sessions.some((s: any) => s.attendances.edges.length > 0)).toBe(true);

    const stats = await batched.stats();
    expect(stats.byRoute).toEqual({
      'POST /events/v3/events/query': 1, // events(first: 20)
      'POST /events/v2/guests/query': 1, // guests of all 20 events: eventId $in
      'POST /events/v2/rsvps/query': 1, // every guest's RSVP: id $in
      'POST /calendar/v3/participations/query': 1, // participations cannot be filtered by contact (§3.3): one scan
      'POST /calendar/v3/events/query': 1, // every participation's session: id $in
      'POST /bookings/v2/attendance/query': 1, // attendances of every session: eventId $in
    });
    expect(stats.total).toBe(6);

    await unbatched.resetStats();
    const slow = await unbatched.gql(DEEP_WALK);
    // Two sandboxes with the same seed: same shape (guest ids come from the sandbox's own randomness).
    expect(shape(slow.data)).toEqual(shape(res.data));
    const n1 = await unbatched.stats();
    console.log(`deep walk of 20 events: ${stats.total} upstream requests with loaders, ${n1.total} without`, n1.byRoute);
    expect(n1.byRoute['POST /events/v2/rsvps/query']).toBeGreaterThan(20);
    expect(n1.total).toBeGreaterThan(10 * stats.total);
  });

  it('splits more parents than one upstream filter takes into chunks of 100, one request per chunk', async () => {
    const token = 'many-sessions-batching';
    await batched.seed(token, 5, { events: 1, rsvpsPerEvent: 1, sessions: 250, participationsPerSession: 2, bookings: 40 });
    await batched.resetStats();
    const res = await batched.gql(
      `{ sessions(first: 250) { edges { node { sessionId participations(first: 10) { edges { node { participationId } } }
        attendances(first: 10) { edges { node { attendanceId } } } } } } }`,
      {},
      token,
    );
    expect(res.errors).toBeUndefined();
    const sessions = res.data.sessions.edges.map((e: any) => e.node);
    expect(sessions).toHaveLength(250);
    // Every session's participations really are there (each non-appointment session has some).
    const participations = sessions.reduce((n: number, s: any) => n + s.participations.edges.length, 0);
    expect(participations).toBeGreaterThan(250);
    // 250 sessions: three pages of 100 (the calendar's maximum, docs/upstream.md §3.6), and for each link three chunks of
    // at most 100 session ids; a chunk's rows fit one page of the link's upstream.
    // A chunk of 100 sessions has about 200 participations, read in pages of 100 (cursor paging, §3.1): the
    // participations requests are the pages each chunk's rows fill, nothing more.
    const pages = [0, 100, 200]
      .map((from) => sessions.slice(from, from + 100).reduce((n: number, s: any) => n + s.participations.edges.length, 0))
      .reduce((n, rows) => n + Math.max(1, Math.ceil(rows / 100)), 0);
    expect(await batched.stats()).toEqual({
      total: 6 + pages,
      byRoute: {
        'POST /calendar/v3/events/query': 3,
        'POST /calendar/v3/participations/query': pages,
        'POST /bookings/v2/attendance/query': 3,
      },
    });
    console.log(`250 sessions with participations and attendances: ${6 + pages} upstream requests (${pages} participation pages)`);
  });

  /** Titles, statuses and the number of rows at every level, without generated ids. */
  function shape(data: any): unknown {
    return data.events.edges.map((e: any) => [
      e.node.title,
      e.node.guests.edges.map((g: any) => [
        g.node.rsvp?.status ?? null,
        g.node.rsvp?.contact.participations.edges.map((p: any) => [p.node.partySize, p.node.session?.title, p.node.session?.attendances.edges.length]) ?? null,
      ]),
    ]);
  }

  it('asks for each distinct row once per request, however often the graph reaches it', async () => {
    await batched.resetStats();
    const res = await batched.gql(`{
      a: events(first: 5) { edges { node { eventId rsvps { edges { node { event { eventId } } } } } } }
      b: events(first: 5) { edges { node { eventId rsvps { edges { node { event { eventId } } } } } } }
    }`);
    expect(res.errors).toBeUndefined();
    expect(res.data.a).toEqual(res.data.b);
    const stats = await batched.stats();
    // Two root lists (separate fields, so two calls) and one RSVP list for the 5 events (the loader's cache serves
    // the second alias); the RSVPs' events were already read by the root lists, which primed the by-id loader.
    expect(stats.byRoute['POST /events/v2/rsvps/query']).toBe(1);
    expect(stats.byRoute['POST /events/v3/events/query']).toBe(2);
    expect(stats.total).toBe(3);
  });
});
