/**
 * `@live` re-executions are shared (live/live-queries.ts): live queries with the same credentials, document and
 * variables invalidated together get one execution, so a thousand screens on one dashboard cost one upstream
 * read per change, not a thousand; each still gets the new result, and the next change still reaches them all.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { startStack, type Stack } from './support/stack.js';
import { createRsvp, wsClient, wsSubscribe } from './support/live.js';

let stack: Stack;
beforeAll(async () => {
  stack = await startStack();
});
afterAll(() => stack?.stop());

const LIVE = `query ($id: ID!) @live { event(id: $id) { rsvps(first: 50) { edges { node { rsvpId } } } } }`;
const SCREENS = 6;
const CHANGES = 2;

it('live queries of one operation, variables and credentials share one re-execution per webhook, and all get it', async () => {
  const events = await stack.upstream('POST', '/events/v3/events/query', { query: { paging: { limit: 100 } }, fields: ['REGISTRATION'] });
  const eventId: string = events.body.events.find(
    (e: any) => e.registration?.type === 'RSVP' && e.registration?.initialType === 'RSVP' && ['UPCOMING', 'STARTED'].includes(e.status) && e.registration?.status !== 'CLOSED_MANUALLY',
  ).id;
  const clients = Array.from({ length: SCREENS }, () => wsClient(stack.gatewayUrl, stack.token));
  const screens = clients.map((c) => wsSubscribe(c, LIVE, { id: eventId }, 'event'));
  for (const s of screens) await s.until((m) => m.length >= 1);
  const has = (m: any, id: string) => m.rsvps.edges.some((e: any) => e.node.rsvpId === id);
  const rsvpReads = async () => (await stack.stats()).byRoute['POST /events/v2/rsvps/query'] ?? 0;

  await stack.webhooksIdle();
  const before = await rsvpReads();
  for (let change = 0; change < CHANGES; change++) {
    const rsvp = await createRsvp(stack, eventId, 1);
    for (const s of screens) await s.until((m) => has(m.at(-1), rsvp.id));
  }
  await stack.webhooksIdle();
  // One new RSVP fires three webhooks (rsvp_created, guest_created, guest_updated): at most one re-execution (its
  // RSVP read) for each, shared by the six screens, not one per screen (that would be at least 6 per change).
  // Usually fewer: the first invalidation is applied at once, those within LIVE_QUERY_COALESCE_MS after it together.
  const reads = (await rsvpReads()) - before;
  expect(reads).toBeGreaterThanOrEqual(CHANGES);
  expect(reads).toBeLessThanOrEqual(3 * CHANGES);
  for (const s of screens) expect(s.errors).toEqual([]);
  await Promise.all(clients.map((c) => c.dispose()));
});
