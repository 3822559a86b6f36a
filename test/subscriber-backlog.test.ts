/**
 * A subscriber that falls far behind its topic (a burst of changes delivered in one go, as a Redis reader delivers
 * a batch of up to 500 stream entries, faster than its stream takes them) is ended with a clear error, and nothing
 * else is: before, the 1,025th undelivered event made Yoga's pubsub Repeater throw "No more than 1024 pending calls
 * to push" from the publisher's dispatch, an uncaught exception that took the whole gateway down for every caller.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MAX_UNDELIVERED_EVENTS } from '../src/gateway/pubsub.js';
import { startStack, type Stack } from './support/stack.js';
import { instanceIdOf, publishMarker, registrations, sseSubscribe } from './support/live.js';

let stack: Stack;
let eventId: string;
let instanceId: string;

const RSVP_CHANGED = `subscription ($eventId: ID!) { rsvpChanged(eventId: $eventId) { kind rsvpId rsvp { status } } }`;

beforeAll(async () => {
  stack = await startStack();
  const res = await stack.upstream('POST', '/events/v3/events/query', { query: { paging: { limit: 10 } } });
  eventId = res.body.events[0].id;
  instanceId = await instanceIdOf(stack, stack.token);
});
afterAll(() => stack?.stop());

describe('a subscriber far behind its topic', () => {
  it(`is ended with SLOW_CONSUMER past ${MAX_UNDELIVERED_EVENTS ?? 1_000} undelivered events; the gateway and a new subscriber carry on`, async () => {
    const attached = registrations(stack.gateway, 'rsvp:changed', eventId);
    const slow = sseSubscribe(stack.gatewayUrl, stack.token, RSVP_CHANGED, { eventId }, 'rsvpChanged');
    await attached.attached(1);
    // 1,100 changes dispatched in one turn (each publish dispatches before its first await): the stream cannot take
    // any of them until the turn ends.
    const burst: Promise<void>[] = [];
    for (let i = 0; i < 1_100; i++) burst.push(publishMarker(stack.gateway, 'rsvp:changed', instanceId, eventId, `backlog-${i}`));
    await Promise.all(burst);

    // The stalled subscriber gets one error naming why and what to do, then its stream ends.
    const deadline = Date.now() + 15_000;
    while (slow.errors.length === 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    const errors = slow.errors[0] as { message: string; extensions?: { code?: string } }[];
    expect(errors?.[0]?.extensions?.code).toBe('SLOW_CONSUMER');
    expect(errors[0]!.message).toMatch(/behind.*subscribe again/i);
    expect(errors[0]!.extensions).toMatchObject({ maxUndeliveredEvents: MAX_UNDELIVERED_EVENTS });
    expect(slow.messages.length).toBeLessThanOrEqual(1);
    slow.stop();

    // The gateway is still up: a query answers, and a new subscriber hears the next change.
    const q = await stack.gql('{ __typename }');
    expect(q.data).toEqual({ __typename: 'Query' });
    const again = registrations(stack.gateway, 'rsvp:changed', eventId);
    const fresh = sseSubscribe(stack.gatewayUrl, stack.token, RSVP_CHANGED, { eventId }, 'rsvpChanged');
    await again.attached(1);
    await publishMarker(stack.gateway, 'rsvp:changed', instanceId, eventId, 'after-backlog');
    const got = await fresh.until((m) => m.some((c: any) => c?.rsvpId === 'after-backlog'));
    expect(got.length).toBe(1);
    expect(fresh.errors).toEqual([]);
    fresh.stop();
  });
});
