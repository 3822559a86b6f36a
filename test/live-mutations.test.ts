/**
 * Mutations through the gateway feed its own subscriptions (via the sandbox's signed webhooks): check-in to
 * rsvpChanged, guestCheckedIn and checkInCounter on graphql-ws and SSE alike; a participation to
 * participationChanged and sessionCapacity.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { ERROR_FIELDS } from './support/queries.js';
import { createRsvp, registrations, sseSubscribe, upstreamCount, wsClient, wsSubscribe } from './support/live.js';
import { startStack, type Stack } from './support/stack.js';

let stack: Stack;
beforeAll(async () => {
  stack = await startStack({ config: { counterCoalesceMs: 50 } });
});
afterAll(() => stack?.stop());

const CHECK_IN = `mutation ($input: RsvpGuestsInput!) { checkInRsvpGuests(input: $input) { ${ERROR_FIELDS} ... on RsvpGuestsPayload { results { guestId success } } } }`;

it('checkInRsvpGuests reaches graphql-ws and SSE subscribers of rsvpChanged, guestCheckedIn and checkInCounter', async () => {
  const events = await stack.upstream('POST', '/events/v3/events/query', { query: { paging: { limit: 100 } }, fields: ['REGISTRATION'] });
  const eventId = events.body.events.find((e: any) => e.registration?.type === 'RSVP' && e.registration?.status === 'OPEN_RSVP').id;
  const rsvp = await createRsvp(stack, eventId, 3);
  await stack.webhooksIdle();
  const before = await upstreamCount(stack, eventId);

  const rsvpTopic = registrations(stack.gateway, 'rsvp:changed', eventId);
  const checkInTopic = registrations(stack.gateway, 'guest:checkedIn', eventId);
  const client = wsClient(stack.gatewayUrl, stack.token);
  const wsRsvp = wsSubscribe(client, `subscription ($e: ID!) { rsvpChanged(eventId: $e) { kind rsvpId rsvp { checkedInGuestCount } } }`, { e: eventId }, 'rsvpChanged');
  const wsGuest = wsSubscribe(client, `subscription ($e: ID!) { guestCheckedIn(eventId: $e) { eventId } }`, { e: eventId }, 'guestCheckedIn');
  const wsCounter = wsSubscribe(client, `subscription ($e: ID!) { checkInCounter(eventId: $e) { checkedIn } }`, { e: eventId }, 'checkInCounter');
  const sseCounter = sseSubscribe(stack.gatewayUrl, stack.token, `subscription ($e: ID!) { checkInCounter(eventId: $e) { checkedIn } }`, { e: eventId }, 'checkInCounter');
  const sseRsvp = sseSubscribe(stack.gatewayUrl, stack.token, `subscription ($e: ID!) { rsvpChanged(eventId: $e) { kind rsvpId rsvp { checkedInGuestCount } } }`, { e: eventId }, 'rsvpChanged');
  await wsCounter.until((m) => m.length >= 1);
  await sseCounter.until((m) => m.length >= 1);
  expect(wsCounter.messages[0].checkedIn).toBe(before);
  await rsvpTopic.attached(2);
  await checkInTopic.attached(1);

  const res = await stack.gql(CHECK_IN, { input: { rsvpId: rsvp.id, guestIds: [1, 2, 3] } });
  expect(res.data.checkInRsvpGuests.results.every((r: any) => r.success)).toBe(true);

  const ours = (m: any) => m.rsvpId === rsvp.id && m.rsvp?.checkedInGuestCount === 3;
  await wsRsvp.until((m) => m.some(ours));
  await sseRsvp.until((m) => m.some(ours));
  await wsGuest.until((m) => m.length >= 1);
  await wsCounter.until((m) => m.at(-1)?.checkedIn === before + 3);
  await sseCounter.until((m) => m.at(-1)?.checkedIn === before + 3);
  expect(await upstreamCount(stack, eventId)).toBe(before + 3);
  for (const c of [wsRsvp, wsGuest, wsCounter, sseCounter, sseRsvp]) c.stop();
  await client.dispose();
});

it('createParticipation reaches participationChanged and sessionCapacity subscribers of that session', async () => {
  const sessions = await stack.upstream('POST', '/calendar/v3/events/query', { query: { cursorPaging: { limit: 100 } } });
  const session = sessions.body.events.find((e: any) => e.totalCapacity != null && e.remainingCapacity >= 2);
  expect(session).toBeDefined();
  const participationTopic = registrations(stack.gateway, 'participation:changed', `session:${session.id}`);
  const client = wsClient(stack.gatewayUrl, stack.token);
  const changes = wsSubscribe(client, `subscription ($s: ID) { participationChanged(sessionId: $s) { kind sessionId participation { partySize } } }`, { s: session.id }, 'participationChanged');
  const capacity = wsSubscribe(client, `subscription ($s: ID!) { sessionCapacity(sessionId: $s) { participants remainingCapacity } }`, { s: session.id }, 'sessionCapacity');
  await capacity.until((m) => m.length >= 1);
  expect(capacity.messages[0]).toEqual({ participants: session.participants.total, remainingCapacity: session.remainingCapacity });
  await participationTopic.attached(1);

  const res = await stack.gql(
    `mutation ($input: CreateParticipationInput!) { createParticipation(input: $input) { ${ERROR_FIELDS} ... on CreateParticipationPayload { participation { partySize } } } }`,
    { input: { eventId: session.id, partySize: 2, participant: { name: 'Live Test' } } },
  );
  expect(res.data.createParticipation.__typename).toBe('CreateParticipationPayload');

  await changes.until((m) => m.some((c) => c.kind === 'CREATED'));
  expect(changes.messages.find((c) => c.kind === 'CREATED')).toEqual({ kind: 'CREATED', sessionId: session.id, participation: { partySize: 2 } });
  await capacity.until((m) => m.at(-1)?.remainingCapacity === session.remainingCapacity - 2);
  expect(capacity.messages.at(-1)).toEqual({ participants: session.participants.total + 2, remainingCapacity: session.remainingCapacity - 2 });
  changes.stop();
  capacity.stop();
  await client.dispose();
});
