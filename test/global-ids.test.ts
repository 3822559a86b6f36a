/**
 * One id decoder for every argument that takes an id (issue 13): a raw upstream id or the graph's global id of the
 * expected type is accepted; another type's global id is refused with BAD_USER_INPUT naming the argument, over
 * graphql-ws and SSE as over plain HTTP, instead of subscribing to a topic nothing publishes or counting nothing.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startStack, type Stack } from './support/stack.js';
import { wsClient } from './support/live.js';

let stack: Stack;
const global = (type: string, id: string) => Buffer.from(`${type}:${id}`).toString('base64');
const GUEST_ID = global('Guest', '3f0c8a52-6a4b-4c0e-9d7e-0b8f6f1d2a3c');
const EVENT_ID = global('Event', '3f0c8a52-6a4b-4c0e-9d7e-0b8f6f1d2a3c');
const RSVP_ID = global('Rsvp', '3f0c8a52-6a4b-4c0e-9d7e-0b8f6f1d2a3c');

beforeAll(async () => {
  stack = await startStack({ webhooks: false });
});
afterAll(() => stack?.stop());

/** The first error a graphql-ws subscription ends with (or its first message, which would be a bug here). */
function firstWsOutcome(query: string): Promise<any> {
  const client = wsClient(stack.gatewayUrl, stack.token);
  return new Promise((resolve) => {
    const dispose = client.subscribe(
      { query },
      {
        next: (m) => {
          dispose();
          resolve(m.errors ? m.errors[0] : { unexpectedData: m.data });
        },
        error: (e) => resolve(Array.isArray(e) ? e[0] : e),
        complete: () => resolve({ completedWithoutError: true }),
      },
    );
  }).finally(() => client.dispose());
}

describe('an id of another type', () => {
  it.each([
    ['rsvpChanged', `subscription { rsvpChanged(eventId: "${GUEST_ID}") { kind } }`, 'eventId', 'Event', 'Guest'],
    ['participationChanged(sessionId)', `subscription { participationChanged(sessionId: "${EVENT_ID}") { kind } }`, 'sessionId', 'Session', 'Event'],
    ['participationChanged(scheduleId)', `subscription { participationChanged(scheduleId: "${EVENT_ID}") { kind } }`, 'scheduleId', null, 'Event'],
    ['sessionCapacity', `subscription { sessionCapacity(sessionId: "${EVENT_ID}") { participants } }`, 'sessionId', 'Session', 'Event'],
    ['checkInCounter', `subscription { checkInCounter(eventId: "${RSVP_ID}") { checkedIn } }`, 'eventId', 'Event', 'Rsvp'],
  ])('is refused by %s over graphql-ws, naming the argument', async (_name, query, field, expected, got) => {
    await stack.resetStats();
    const error = await firstWsOutcome(query);
    expect(error.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field });
    expect(error.message).toBe(`${field}: expected ${expected ? `the id of a ${expected}` : `a ${field} (a raw upstream id)`}, got the id of a ${got}`);
  });

  it('is refused by a subscription over SSE too', async () => {
    const res = await fetch(`${stack.gatewayUrl}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'text/event-stream', authorization: stack.token },
      body: JSON.stringify({ query: `subscription { checkInCounter(eventId: "${RSVP_ID}") { checkedIn } }` }),
    });
    const text = await res.text();
    expect(text).toContain('BAD_USER_INPUT');
    expect(text).toContain('eventId: expected the id of a Event, got the id of a Rsvp');
  });

  it('is refused by contact(contactId) and by the root fields, naming the argument', async () => {
    const contact = await stack.gql(`{ contact(contactId: "${EVENT_ID}") { contactId } }`);
    expect(contact.errors?.[0]).toMatchObject({
      message: 'contactId: expected the id of a Contact, got the id of a Event',
      extensions: { code: 'BAD_USER_INPUT', field: 'contactId' },
    });
    const summaries = await stack.gql(`{ rsvpSummaries(eventIds: ["${EVENT_ID}", "${RSVP_ID}"]) { eventId } }`);
    expect(summaries.errors?.[0]).toMatchObject({ extensions: { code: 'BAD_USER_INPUT', field: 'eventIds[1]' } });
    const schedule = await stack.gql(`{ scheduleParticipations(scheduleId: "${EVENT_ID}") { edges { node { participationId } } } }`);
    expect(schedule.errors?.[0]).toMatchObject({ extensions: { code: 'BAD_USER_INPUT', field: 'scheduleId' } });
  });

  it('is a ValidationError result of a mutation, naming the input field', async () => {
    const res = await stack.gql(`mutation { deleteRsvp(input: { rsvpId: "${GUEST_ID}" }) { __typename ... on ValidationError { field rule message } } }`);
    expect(res.data.deleteRsvp).toEqual({
      __typename: 'ValidationError',
      field: 'input.rsvpId',
      rule: 'WRONG_TYPE',
      message: 'input.rsvpId: expected the id of a Rsvp, got the id of a Guest',
    });
  });

  it('of the right type, or a raw id, is accepted by a subscription', async () => {
    const contactId = '5b8e1c3a-2d4f-4a6b-8c9d-0e1f2a3b4c5d';
    const res = await stack.gql(`{ a: contact(contactId: "${global('Contact', contactId)}") { contactId } b: contact(contactId: "${contactId}") { contactId } }`);
    expect(res.data).toEqual({ a: { contactId }, b: { contactId } });
    const event = (await stack.upstream('POST', '/events/v3/events/query', { query: { paging: { limit: 1 } } })).body.events[0];
    const counted = await firstWsOutcome(`subscription { checkInCounter(eventId: "${global('Event', event.id)}") { eventId checkedIn } }`);
    expect(counted.unexpectedData?.checkInCounter.eventId).toBe(event.id);
  });
});
