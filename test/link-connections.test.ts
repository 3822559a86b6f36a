/**
 * Link connections return what was asked, up to 1,000 (issue 9): Pothos' resolveArrayConnection capped them at 100
 * with hasNextPage true. Against the sandbox over HTTP, with exact upstream call counts from /__sandbox/stats.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startStack, type Stack } from './support/stack.js';

let stack: Stack;
let token: string;
let eventId: string;
const GUESTS = 251;

beforeAll(async () => {
  stack = await startStack({ webhooks: false, seed: null });
  token = `links-${randomUUID()}`;
  const created = await stack.upstream('POST', '/events/v3/events', { event: { title: 'Big night', registration: { initialType: 'RSVP', rsvp: {} } } }, token);
  eventId = created.body.event.id;
  // One RSVP without extra guests is one guest of type RSVP.
  for (let i = 0; i < GUESTS; i += 25) {
    await Promise.all(
      Array.from({ length: Math.min(25, GUESTS - i) }, (_, k) =>
        stack.upstream('POST', '/events/v2/rsvps', { rsvp: { eventId, firstName: 'G', lastName: `N${i + k}`, email: `g${i + k}@example.com`, status: 'YES', additionalGuestDetails: { guestCount: 0 } } }, token),
      ),
    );
  }
  const check = await stack.upstream('POST', '/events/v2/guests/query', { query: { filter: { eventId }, paging: { limit: 1000 } } }, token);
  expect(check.body.guests).toHaveLength(GUESTS);
});
afterAll(async () => {
  await stack?.stop();
});

const Q = `query ($id: ID!, $first: Int, $after: String) { event(id: $id) {
  guests(first: $first, after: $after) { edges { cursor node { guestId } } pageInfo { hasNextPage endCursor } }
} }`;

describe('link connections', () => {
  it('event { guests(first: 1000) } with 251 guests: 251 edges, hasNextPage false, 2 upstream calls (event + guests)', async () => {
    await stack.resetStats();
    const res = await stack.gql(Q, { id: eventId, first: 1000 }, token);
    expect(res.errors).toBeUndefined();
    expect(res.data.event.guests.edges).toHaveLength(GUESTS);
    expect(res.data.event.guests.pageInfo.hasNextPage).toBe(false);
    expect(new Set(res.data.event.guests.edges.map((e: any) => e.node.guestId)).size).toBe(GUESTS);
    const stats = await stack.stats();
    // The event by id (one events query) and its guests (one guests query: the guests API pages up to 1,000).
    expect(stats.byRoute).toEqual({ 'POST /events/v3/events/query': 1, 'POST /events/v2/guests/query': 1 });
    expect(stats.total).toBe(2);
  });

  it('Event.rsvps (an API paging at 100) returns all 251 in ceil(251/100) = 3 RSVP calls', async () => {
    await stack.resetStats();
    const res = await stack.gql(`query ($id: ID!) { event(id: $id) { rsvps(first: 1000) { edges { node { rsvpId } } pageInfo { hasNextPage } } } }`, { id: eventId }, token);
    expect(res.errors).toBeUndefined();
    expect(res.data.event.rsvps.edges).toHaveLength(GUESTS);
    expect(res.data.event.rsvps.pageInfo.hasNextPage).toBe(false);
    expect((await stack.stats()).byRoute['POST /events/v2/rsvps/query']).toBe(3);
  });

  it('paging with after resumes upstream from the cursor: 100 + 100 + 51, every guest once, later pages read only what they return', async () => {
    const seen: string[] = [];
    let after: string | null = null;
    const guestCalls: number[] = [];
    for (;;) {
      await stack.resetStats();
      const res: any = await stack.gql(Q, { id: eventId, first: 100, after }, token);
      expect(res.errors).toBeUndefined();
      seen.push(...res.data.event.guests.edges.map((e: any) => e.node.guestId));
      guestCalls.push((await stack.stats()).byRoute['POST /events/v2/guests/query'] ?? 0);
      if (!res.data.event.guests.pageInfo.hasNextPage) break;
      after = res.data.event.guests.pageInfo.endCursor;
    }
    expect(seen).toHaveLength(GUESTS);
    expect(new Set(seen).size).toBe(GUESTS);
    expect(guestCalls).toEqual([1, 1, 1]);
  });

  it('first above 1000 is refused naming the argument, before any upstream call', async () => {
    await stack.resetStats();
    const res = await stack.gql(Q, { id: eventId, first: 1001 }, token);
    expect(res.errors?.[0]?.message).toMatch(/first/);
    expect(res.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    expect((await stack.stats()).byRoute['POST /events/v2/guests/query']).toBeUndefined();
  });
});
