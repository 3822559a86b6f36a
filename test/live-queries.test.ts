/**
 * `@live` queries fed by webhooks, across two replicas on one Redis: webhooks reach only the first gateway, yet live
 * queries held on either replica, over graphql-ws and over SSE, are pushed again when an RSVP of their event is
 * created, checked in and deleted.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { createGateway, type Gateway } from '../src/gateway/gateway.js';
import { startStack, type Stack } from './support/stack.js';
import { createRsvp, REDIS_URL, redisOrFail, sseSubscribe, wsClient, wsSubscribe } from './support/live.js';

let stack: Stack;
let second: Gateway;

beforeAll(async () => {
  const probe = await redisOrFail();
  probe?.disconnect();
  stack = await startStack({ config: { redisUrl: probe ? REDIS_URL : undefined } });
  second = await createGateway(stack.gateway.services.config);
  await second.start(0, '127.0.0.1');
});
afterAll(async () => {
  await second?.stop();
  await stack?.stop();
});

const LIVE = `query ($id: ID!) @live {
  event(id: $id) { checkInStats { checkedIn } rsvps(first: 20) { edges { node { rsvpId checkedInGuestCount } } } }
}`;

it('a @live query follows RSVP creation, check-in and deletion, on the replica that got the webhooks and on another', async () => {
  // Without Redis the replicas cannot share invalidations; redisOrFail already failed the run if Redis is required.
  if (!stack.gateway.services.config.redisUrl) return;
  const events = await stack.upstream('POST', '/events/v3/events/query', { query: { paging: { limit: 100 } }, fields: ['REGISTRATION'] });
  const eventId: string = events.body.events.find(
    (e: any) => e.registration?.type === 'RSVP' && e.registration?.initialType === 'RSVP' && ['UPCOMING', 'STARTED'].includes(e.status) && e.registration?.status !== 'CLOSED_MANUALLY',
  ).id;
  const client = wsClient(second.url, stack.token);
  const firstClient = wsClient(stack.gatewayUrl, stack.token);
  const onSecond = wsSubscribe(client, LIVE, { id: eventId }, 'event');
  const onFirst = sseSubscribe(stack.gatewayUrl, stack.token, LIVE, { id: eventId }, 'event');
  const wsOnFirst = wsSubscribe(firstClient, LIVE, { id: eventId }, 'event');
  const sseOnSecond = sseSubscribe(second.url, stack.token, LIVE, { id: eventId }, 'event');
  const all = [onSecond, onFirst, wsOnFirst, sseOnSecond];
  for (const live of all) await live.until((m) => m.length >= 1);
  const before = onSecond.messages[0].checkInStats.checkedIn;
  const rsvpOf = (m: any, id: string) => m.rsvps.edges.find((e: any) => e.node.rsvpId === id)?.node;

  const rsvp = await createRsvp(stack, eventId, 1);
  for (const live of all) await live.until((m) => m.some((x) => rsvpOf(x, rsvp.id)?.checkedInGuestCount === 0));

  expect((await stack.upstream('POST', `/events/v2/rsvps/${rsvp.id}/check-in`, { guestIds: [rsvp.guestIds[0]] })).status).toBe(200);
  for (const live of all) {
    await live.until((m) => rsvpOf(m.at(-1), rsvp.id)?.checkedInGuestCount === 1 && m.at(-1).checkInStats.checkedIn === before + 1);
  }

  expect((await stack.upstream('DELETE', `/events/v2/rsvps/${rsvp.id}`)).status).toBe(200);
  for (const live of all) await live.until((m) => !rsvpOf(m.at(-1), rsvp.id) && m.at(-1).checkInStats.checkedIn === before);

  for (const live of all) expect(live.errors).toEqual([]);
  onFirst.stop();
  sseOnSecond.stop();
  await Promise.all([client.dispose(), firstClient.dispose()]);
});
