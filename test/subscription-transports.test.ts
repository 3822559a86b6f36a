/**
 * One subscription, three transports, each driven by its real client where one exists: graphql-ws (its client),
 * Server-Sent Events, and multipart HTTP as Apollo Client's HttpLink speaks it (multipart/mixed;subscriptionSpec=1.0,
 * heartbeats included). A sandbox change reaches all three; closing a client ends its subscription on the server.
 */
import { ApolloClient, gql, HttpLink, InMemoryCache } from '@apollo/client/core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { sseSubscribe, wsClient, wsSubscribe } from './support/live.js';
import { startStack, type Stack } from './support/stack.js';

let stack: Stack;
let eventId: string;
beforeAll(async () => {
  stack = await startStack({ gateway: { multipartHeartbeatMs: 50 } });
  const events = await stack.upstream('POST', '/events/v3/events/query', { query: { paging: { limit: 100 } }, fields: ['REGISTRATION'] });
  eventId = events.body.events.find((e: any) => e.registration?.status === 'OPEN_RSVP').id;
});
afterAll(() => stack?.stop());

const SUB = 'subscription Watch($e: ID!) { rsvpChanged(eventId: $e) { kind rsvp { firstName } } }';

async function subscribers(): Promise<Record<string, number>> {
  const text = await (await fetch(`${stack.gatewayUrl}/metrics`)).text();
  return Object.fromEntries([...text.matchAll(/^live_subscribers\{transport="(\w+)"\} (\d+)/gm)].map((m) => [m[1], Number(m[2])]));
}
async function until(predicate: () => Promise<boolean>, what: string) {
  for (const deadline = Date.now() + 10_000; !(await predicate()); ) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

it('graphql-ws, SSE and Apollo Client over multipart all receive the same change, and each stops when its client closes', async () => {
  const ws = wsClient(stack.gatewayUrl, stack.token);
  const viaWs = wsSubscribe<any>(ws, SUB, { e: eventId }, 'rsvpChanged');
  const viaSse = sseSubscribe<any>(stack.gatewayUrl, stack.token, SUB, { e: eventId }, 'rsvpChanged');

  const apollo = new ApolloClient({
    link: new HttpLink({ uri: `${stack.gatewayUrl}/graphql`, headers: { authorization: stack.token } }),
    cache: new InMemoryCache(),
  });
  const viaMultipart: any[] = [];
  const multipartErrors: unknown[] = [];
  const apolloSub = apollo.subscribe({ query: gql(SUB), variables: { e: eventId } }).subscribe({
    next: (r: any) => (r.error ? multipartErrors.push(r.error) : viaMultipart.push(r.data.rsvpChanged)),
    error: (e: unknown) => multipartErrors.push(e),
  });

  // Barrier: all three are registered on the server before the change is made.
  await until(async () => {
    const n = await subscribers();
    return n.ws === 1 && n.sse === 1 && n.multipart === 1;
  }, 'one subscriber per transport');

  const created = await stack.upstream('POST', '/events/v2/rsvps', {
    rsvp: { eventId, firstName: 'Transport', lastName: 'Check', email: 'transport@example.com', status: 'YES', additionalGuestDetails: { guestCount: 0 } },
  });
  expect(created.status).toBe(200);
  const seen = (m: any[]) => m.some((x) => x.kind === 'CREATED' && x.rsvp?.firstName === 'Transport');
  await viaWs.until(seen);
  await viaSse.until(seen);
  await until(async () => seen(viaMultipart), 'the multipart subscriber');
  expect(multipartErrors).toEqual([]);

  apolloSub.unsubscribe();
  viaSse.stop();
  viaWs.stop();
  await ws.dispose();
  await until(async () => {
    const n = await subscribers();
    return n.ws === 0 && n.sse === 0 && n.multipart === 0;
  }, 'every subscription to end');
});

it('multipart: the protocol Apollo documents, a {} heartbeat at once and then on every interval while it waits', async () => {
  const controller = new AbortController();
  const res = await fetch(`${stack.gatewayUrl}/graphql`, {
    method: 'POST',
    signal: controller.signal,
    headers: { 'content-type': 'application/json', accept: 'multipart/mixed;subscriptionSpec="1.0", application/json', authorization: stack.token },
    body: JSON.stringify({ query: SUB, variables: { e: eventId } }),
  });
  expect(res.status).toBe(200);
  expect(res.headers.get('content-type')).toBe('multipart/mixed;boundary="graphql";subscriptionSpec="1.0"');
  const reader = res.body!.getReader();
  let text = '';
  const parts = () => text.split('\r\n--graphql').slice(1).map((p) => p.split('\r\n\r\n')[1]);
  while (parts().filter((p) => p === '{}').length < 3) {
    const chunk = await reader.read();
    if (chunk.done) throw new Error(`stream ended: ${text}`);
    text += new TextDecoder().decode(chunk.value);
  }
  expect(text.startsWith('\r\n--graphql\r\ncontent-type: application/json; charset=utf-8\r\n\r\n{}')).toBe(true);
  controller.abort();

  // A subscription refused before it starts is an ordinary JSON answer.
  const bad = await fetch(`${stack.gatewayUrl}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'multipart/mixed;subscriptionSpec="1.0", application/json', authorization: stack.token },
    body: JSON.stringify({ query: 'subscription { rsvpChanged { kind } }' }),
  });
  expect(bad.headers.get('content-type')).toMatch(/application\/json/);
  const body = (await bad.json()) as any;
  expect(body.errors[0].message).toMatch(/eventId/);
});

it('a dozen subscriptions open at once (a dashboard of 12 events) put no MaxListenersExceededWarning on the console', async () => {
  const warnings: string[] = [];
  const onWarning = (w: Error) => warnings.push(`${w.name}: ${w.message}`);
  process.on('warning', onWarning);
  const ws = wsClient(stack.gatewayUrl, stack.token);
  try {
    const subs = Array.from({ length: 12 }, () =>
      wsSubscribe<any>(ws, 'subscription ($e: ID!) { checkInCounter(eventId: $e) { checkedIn } }', { e: eventId }, 'checkInCounter'),
    );
    // Each answers its current count first: by then its stream is open and listening for shutdown.
    await Promise.all(subs.map((s) => s.until((m) => m.length > 0)));
    // A process warning is emitted on the next tick.
    await new Promise((r) => setImmediate(r));
    expect(warnings.filter((w) => w.startsWith('MaxListenersExceededWarning'))).toEqual([]);
    for (const s of subs) s.stop();
  } finally {
    process.off('warning', onWarning);
    await ws.dispose();
  }
});
