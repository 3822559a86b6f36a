/**
 * The graph's typed filters offer what the SDK query specs allow (docs/fidelity.md), and attendanceCount counts
 * what an app identity may count: the upstream's own count is member-scoped, so the gateway counts query rows.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startStack, type Stack } from './support/stack.js';

let stack: Stack;
beforeAll(async () => {
  stack = await startStack({ seed: 1, webhooks: false });
});
afterAll(() => stack?.stop());

async function allAttendances(filter: unknown): Promise<any[]> {
  const out: any[] = [];
  let cursor: string | undefined;
  do {
    const res = await stack.upstream('POST', '/bookings/v2/attendance/query', { query: cursor ? { cursorPaging: { cursor, limit: 1000 } } : { filter, cursorPaging: { limit: 1000 } } });
    out.push(...res.body.attendances);
    cursor = res.body.pagingMetadata?.cursors?.next ?? undefined;
  } while (cursor);
  return out;
}

describe('EventFilter follows the SDK EventQuerySpec', () => {
  it('filters on slug, initialType and end date, and sorts by id', async () => {
    const events = (await stack.upstream('POST', '/events/v3/events/query', { query: { paging: { limit: 100 } }, fields: ['REGISTRATION'] })).body.events;
    const one = events[3];
    const bySlug = await stack.gql(`query ($s: String!) { events(first: 5, filter: { slug: { eq: $s } }) { edges { node { eventId } } } }`, { s: one.slug });
    expect(bySlug.errors).toBeUndefined();
    expect(bySlug.data.events.edges.map((e: any) => e.node.eventId)).toEqual([one.id]);

    const ticketed = await stack.gql(`{ events(first: 100, filter: { initialType: { eq: TICKETING } }) { edges { node { eventId } } } }`);
    expect(ticketed.data.events.edges.map((e: any) => e.node.eventId).sort()).toEqual(events.filter((e: any) => e.registration.initialType === 'TICKETING').map((e: any) => e.id).sort());

    const cut = [...events].map((e: any) => e.dateAndTimeSettings.endDate).sort()[5];
    const ended = await stack.gql(`query ($d: DateTime!) { events(first: 100, filter: { endDate: { lt: $d } }, sort: [{ field: id, order: DESC }]) { edges { node { eventId } } } }`, { d: cut });
    expect(ended.errors).toBeUndefined();
    const ids = ended.data.events.edges.map((e: any) => e.node.eventId);
    expect(ids).toEqual(events.filter((e: any) => e.dateAndTimeSettings.endDate < cut).map((e: any) => e.id).sort().reverse());
  });

  it('does not offer what the spec does not list (registration type/status, $nin, $exists, sort by status)', async () => {
    for (const q of [
      `{ events(filter: { registrationType: { eq: RSVP } }) { edges { node { eventId } } } }`,
      `{ events(filter: { status: { nin: [DRAFT] } }) { edges { node { eventId } } } }`,
      `{ events(filter: { id: { exists: true } }) { edges { node { eventId } } } }`,
      `{ events(filter: { title: { startsWith: "A" } }) { edges { node { eventId } } } }`,
      `{ events(sort: [{ field: status }]) { edges { node { eventId } } } }`,
    ]) {
      const res = await stack.gql(q);
      expect(res.errors?.[0]?.extensions?.code, q).toBe('GRAPHQL_VALIDATION_FAILED');
    }
  });
});

describe('attendanceCount', () => {
  it('equals the rows the upstream query returns, for the site (not a member), with every spec filter', async () => {
    const all = await allAttendances(undefined);
    expect(all.length).toBeGreaterThan(0);
    const total = await stack.gql(`{ attendanceCount }`);
    expect(total.data.attendanceCount).toBe(all.length);
    const attended = await stack.gql(`{ attendanceCount(status: ATTENDED) }`);
    expect(attended.data.attendanceCount).toBe(all.filter((a) => a.status === 'ATTENDED').length);
    const sessionId = all[0].eventId;
    const bySession = await stack.gql(`query ($s: ID!) { attendanceCount(filter: { sessionId: { eq: $s }, numberOfAttendees: { gte: 1 } }) }`, { s: sessionId });
    expect(bySession.data.attendanceCount).toBe(all.filter((a) => a.eventId === sessionId && a.numberOfAttendees >= 1).length);
    // The upstream's count itself refuses this caller, which is why the gateway does not call it.
    expect((await stack.upstream('POST', '/bookings/v2/attendance/count', {})).status).toBe(403);
  });
});
