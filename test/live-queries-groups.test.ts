/**
 * `@live` query groups (live/live-groups.ts): live queries of the same site, credentials, operation, variables and
 * document share one re-run and one serialised push, over graphql-ws (each socket gets it under its own operation id)
 * and SSE alike. A push read with one caller's credentials never reaches a caller with other credentials, even of
 * the same site.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { Client } from 'graphql-ws';
import { createContext } from '../src/gateway/context.js';
import { startStack, type Stack } from './support/stack.js';
import { createRsvp, sseSubscribe, wsClient } from './support/live.js';

let stack: Stack;
let eventId: string;

beforeAll(async () => {
  stack = await startStack();
  const events = await stack.upstream('POST', '/events/v3/events/query', { query: { paging: { limit: 100 } }, fields: ['REGISTRATION'] });
  eventId = events.body.events.find(
    (e: any) => e.registration?.type === 'RSVP' && e.registration?.initialType === 'RSVP' && ['UPCOMING', 'STARTED'].includes(e.status) && e.registration?.status !== 'CLOSED_MANUALLY',
  ).id;
});
afterAll(() => stack?.stop());

const LIVE = `query ($id: ID!) @live { event(id: $id) { title rsvps(first: 50) { edges { node { rsvpId } } } } }`;

/** Every `next` payload of one live query, whole (data and errors), in arrival order. */
function live(client: Client, query = LIVE) {
  const payloads: any[] = [];
  const failures: unknown[] = [];
  client.subscribe({ query, variables: { id: eventId } }, { next: (m) => void payloads.push(m), error: (e) => void failures.push(e), complete: () => {} });
  return {
    payloads,
    failures,
    async until(check: (p: any[]) => boolean) {
      const deadline = Date.now() + 10_000;
      while (!check(payloads)) {
        if (Date.now() > deadline) throw new Error(`timed out with ${JSON.stringify(payloads.slice(-3))}`);
        await new Promise((r) => setTimeout(r, 10));
      }
    },
  };
}

const hasRsvp = (p: any, id: string) => !!p?.data?.event?.rsvps.edges.some((e: any) => e.node.rsvpId === id);

it('live queries with the same credentials share one group and each push; other credentials of the same site get their own, read with theirs', async () => {
  // A second token of the demo site whose own credentials read another tenant (the sandbox gives every token its
  // own): the gateway is told (its token -> site cache) that this token belongs to the demo site.
  const site = await createContext(stack.gateway.services, stack.token).site();
  const otherToken = `same-site-${Math.random().toString(36).slice(2)}`;
  stack.gateway.services.siteCache.set(otherToken, { site: Promise.resolve(site), expires: Date.now() + 60_000 });

  const mineClients = [wsClient(stack.gatewayUrl, stack.token), wsClient(stack.gatewayUrl, stack.token)];
  const theirClient = wsClient(stack.gatewayUrl, otherToken);
  const mine = mineClients.map((c) => live(c));
  const theirs = live(theirClient);
  const mineSse = sseSubscribe(stack.gatewayUrl, stack.token, LIVE, { id: eventId }, 'event');
  for (const l of [...mine, theirs]) await l.until((p) => p.length >= 1);
  await mineSse.until((m) => m.length >= 1);
  // The SSE live query is in the same group as the two on graphql-ws.
  expect(stack.gateway.liveQueries.stats()).toMatchObject({ groups: 2, members: 4 });
  const title = mine[0]!.payloads[0].data.event.title;
  expect(title).toBeTruthy();
  // Their credentials cannot read the demo tenant's event.
  expect(theirs.payloads[0].data?.event ?? null).toBeNull();

  const rsvp = await createRsvp(stack, eventId, 1);
  for (const l of mine) await l.until((p) => hasRsvp(p.at(-1), rsvp.id));
  await mineSse.until((m) => hasRsvp({ data: { event: m.at(-1) } }, rsvp.id));
  await stack.webhooksIdle();
  // The same invalidation re-ran their group too, with their credentials: never the title read with ours.
  await theirs.until((p) => p.length >= 2);
  for (const p of theirs.payloads) expect(JSON.stringify(p)).not.toContain(title);
  expect(theirs.payloads.every((p) => (p.data?.event ?? null) === null)).toBe(true);
  // Both of mine got the same pushes, in the same order, every one well-formed.
  expect(mine[0]!.payloads.slice(1)).toEqual(mine[1]!.payloads.slice(1));
  for (const l of [...mine, theirs]) expect(l.failures).toEqual([]);
  expect(mineSse.errors).toEqual([]);
  // The SSE stream's pushes are the group's: the same data as graphql-ws's, in the same order.
  const pushesWith = (list: any[]) => list.filter((e) => hasRsvp({ data: { event: e } }, rsvp.id));
  expect(pushesWith(mineSse.messages).at(-1)).toEqual(pushesWith(mine[0]!.payloads.map((p) => p.data.event)).at(-1));

  mineSse.stop();
  await Promise.all([...mineClients, theirClient].map((c) => c.dispose()));
  const deadline = Date.now() + 10_000;
  while (stack.gateway.liveQueries.stats().groups > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
  expect(stack.gateway.liveQueries.stats()).toMatchObject({ groups: 0, members: 0 });
});

it('a live query joining a group gets its own first result, then only pushes newer than it, in order; leaving does not end the others', async () => {
  const first = wsClient(stack.gatewayUrl, stack.token);
  const a = live(first);
  await a.until((p) => p.length >= 1);
  const one = await createRsvp(stack, eventId, 1);
  await a.until((p) => hasRsvp(p.at(-1), one.id));
  await stack.webhooksIdle();

  // Joins after the change: its first result already has it, and no older push follows.
  const second = wsClient(stack.gatewayUrl, stack.token);
  const b = live(second);
  await b.until((p) => p.length >= 1);
  expect(hasRsvp(b.payloads[0], one.id)).toBe(true);
  expect(stack.gateway.liveQueries.stats()).toMatchObject({ groups: 1, members: 2 });

  // The first member leaves; the group goes on for the second.
  await first.dispose();
  const deadline = Date.now() + 10_000;
  while (stack.gateway.liveQueries.stats().members > 1 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
  const two = await createRsvp(stack, eventId, 1);
  await b.until((p) => hasRsvp(p.at(-1), two.id));
  // Once a result has an RSVP, every later one has it too (nothing older arrives after something newer).
  const firstWith = (id: string) => b.payloads.findIndex((p) => hasRsvp(p, id));
  expect(b.payloads.slice(firstWith(one.id)).every((p) => hasRsvp(p, one.id))).toBe(true);
  expect(b.payloads.slice(firstWith(two.id)).every((p) => hasRsvp(p, two.id))).toBe(true);
  expect(b.failures).toEqual([]);
  await second.dispose();
});
