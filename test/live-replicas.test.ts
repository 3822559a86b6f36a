/**
 * Many replicas: two gateways on one Redis. Webhooks go to the first only; a subscriber of the second hears each
 * change exactly once, even when the sandbox delivers every webhook twice, and its counter ends exact.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { createGateway, type Gateway } from '../src/gateway/gateway.js';
import { startStack, type Stack } from './support/stack.js';
import { createRsvp, REDIS_URL, redisOrFail, registrations, upstreamCount, wsClient, wsSubscribe } from './support/live.js';

let stack: Stack | undefined;
let second: Gateway | undefined;
let redisAvailable = false;

beforeAll(async () => {
  const probe = await redisOrFail();
  redisAvailable = !!probe;
  probe?.disconnect();
  if (!redisAvailable) return;
  stack = await startStack({ config: { redisUrl: REDIS_URL, counterCoalesceMs: 50 } });
  second = await createGateway(stack.gateway.services.config);
  await second.start(0, '127.0.0.1');
});
afterAll(async () => {
  await second?.stop();
  await stack?.stop();
});

it('webhooks posted to the first gateway reach a subscriber of the second exactly once', async (ctx) => {
  if (!redisAvailable || !stack || !second) return ctx.skip();
  const events = await stack.upstream('POST', '/events/v3/events/query', { query: { paging: { limit: 100 } }, fields: ['REGISTRATION'] });
  const eventId = events.body.events.find((e: any) => e.registration?.type === 'RSVP' && ['UPCOMING', 'STARTED'].includes(e.status)).id;
  const rsvp = await createRsvp(stack, eventId, 5);
  await stack.webhooksIdle();

  const rsvpTopic = registrations(second, 'rsvp:changed', eventId);
  const counterTopic = registrations(second, 'checkIns:changed', eventId);
  const client = wsClient(second.url, stack.token);
  const changes = wsSubscribe(client, `subscription ($e: ID!) { rsvpChanged(eventId: $e) { kind rsvpId rsvp { checkedInGuestCount } } }`, { e: eventId }, 'rsvpChanged');
  const counter = wsSubscribe(client, `subscription ($e: ID!) { checkInCounter(eventId: $e) { checkedIn } }`, { e: eventId }, 'checkInCounter');
  await counter.until((m) => m.length >= 1);
  // Registered on the second gateway's Redis subscription: every later webhook to the first reaches it.
  await rsvpTopic.attached(1);
  await counterTopic.attached(1);

  await stack.faults({ webhooks: { duplicateRate: 1 } });
  // One at a time, each delivered (twice) before the next, so the order is known and only duplicates are in play.
  for (const guestId of rsvp.guestIds) {
    await stack.upstream('POST', `/events/v2/rsvps/${rsvp.id}/check-in`, { guestIds: [guestId] });
    await stack.webhooksIdle();
  }
  await stack.webhooksIdle();
  const final = await upstreamCount(stack, eventId);
  await counter.until((m) => m.at(-1)?.checkedIn === final);
  // No late duplicate, proven: a change made after every delivery above settled is heard after all of them.
  const later = await createRsvp(stack, eventId, 1);
  await changes.until((m) => m.some((x) => x.rsvpId === later.id));

  const ours = changes.messages.filter((m) => m.rsvpId === rsvp.id);
  // One rsvp_updated per check-in, each delivered twice by the sandbox, heard once.
  expect(ours.map((m) => m.rsvp.checkedInGuestCount)).toEqual([1, 2, 3, 4, 5]);
  await client.dispose();
});
