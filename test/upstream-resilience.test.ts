/**
 * When the upstream misbehaves: reads are retried (5xx, 429 with Retry-After, dropped connections), a slow upstream
 * becomes a coded timeout, an upstream that stays down is a coded error rather than a masked one, and operations
 * over the limits are refused before any upstream call.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startStack, type Stack } from './support/stack.js';

let stack: Stack;
const EVENTS = `{ events(first: 3) { edges { node { eventId } } } }`;
const ROUTE = 'POST /events/v3/events/query';

beforeAll(async () => {
  // The breaker is tested in faults.test.ts; here it must not open between the cases.
  stack = await startStack({ webhooks: false, config: { upstreamTimeoutMs: 400, upstreamRetries: 2, upstreamBreakerFailures: 1000, development: false } });
});
afterAll(() => stack?.stop());

function faults(rules: unknown[]) {
  return stack.faults({ rules });
}

describe('reads survive a flaky upstream', () => {
  it.each([
    ['a 503', { route: ROUTE, status: 503, times: 1 }],
    ['a 429 with Retry-After', { route: ROUTE, status: 429, retryAfterSeconds: 0, times: 1 }],
    ['a dropped connection', { route: ROUTE, drop: true, times: 1 }],
  ])('retries after %s and answers', async (_name, rule) => {
    await faults([rule]);
    await stack.resetStats();
    const res = await stack.gql(EVENTS);
    expect(res.errors).toBeUndefined();
    expect(res.data.events.edges).toHaveLength(3);
    expect((await stack.stats()).byRoute[ROUTE]).toBe(2);
  });

  it('turns a slow upstream into UPSTREAM_TIMEOUT after its retries', async () => {
    await faults([{ route: ROUTE, latencyMs: 1000 }]);
    try {
      const res = await stack.gql(EVENTS);
      expect(res.errors?.[0].extensions).toMatchObject({ code: 'UPSTREAM_TIMEOUT' });
    } finally {
      await faults([]);
    }
  });

  it('reports an upstream that stays down with a code and status, not as a masked error', async () => {
    await faults([{ route: ROUTE, status: 503 }]);
    try {
      await stack.resetStats();
      const res = await stack.gql(EVENTS);
      expect(res.errors?.[0].extensions).toMatchObject({ code: 'UPSTREAM_UNAVAILABLE', upstream: { status: 503 } });
      expect(res.errors?.[0].message).not.toBe('Unexpected error.');
      expect((await stack.stats()).byRoute[ROUTE]).toBe(3); // the first attempt and two retries
    } finally {
      await faults([]);
    }
  });

  it('does not resend a write the upstream may have applied (an RSVP create has no idempotency key)', async () => {
    const events = await stack.upstream('POST', '/events/v3/events/query', { query: { paging: { limit: 100 } }, fields: ['REGISTRATION'] });
    const eventId = events.body.events.find((e: any) => e.registration?.status === 'OPEN_RSVP').id;
    await faults([{ route: 'POST /events/v2/rsvps', status: 503, times: 1 }]);
    await stack.resetStats();
    const res = await stack.gql(
      `mutation ($input: CreateRsvpInput!) { createRsvp(input: $input) { __typename ... on UpstreamError { status retryable } } }`,
      { input: { eventId, firstName: 'Once', lastName: 'Only', email: 'once@example.com', status: 'YES' } },
    );
    expect(res.data.createRsvp).toEqual({ __typename: 'UpstreamError', status: 503, retryable: true });
    expect((await stack.stats()).byRoute['POST /events/v2/rsvps']).toBe(1);
  });
});

describe('operation limits', () => {
  it('refuses an operation deeper than MAX_QUERY_DEPTH before any upstream call', async () => {
    await stack.resetStats();
    let q = 'eventId';
    for (let i = 0; i < 12; i++) q = `rsvps(first: 1) { edges { node { event { ${q} } } } }`;
    const res = await stack.gql(`{ events(first: 1) { edges { node { ${q} } } } }`);
    expect(res.errors?.[0].message).toMatch(/depth/i);
    expect((await stack.stats()).total).toBe(0);
  });

  it('refuses an operation whose response could hold more than MAX_QUERY_COST objects', async () => {
    await stack.resetStats();
    const res = await stack.gql(`{ events(first: 1000) { edges { node { guests(first: 1000) { edges { node { guestId } } } } } } }`);
    expect(res.errors?.[0].message).toMatch(/cost/i);
    expect((await stack.stats()).total).toBe(0);
  });
});
