/**
 * @defer and @stream over real HTTP: the response is multipart/mixed, the first part carries what is ready and
 * later parts carry the deferred field and the streamed items (incremental delivery, graphql-yoga's plugin).
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { startStack, type Stack } from './support/stack.js';

let stack: Stack;
beforeAll(async () => {
  stack = await startStack();
});
afterAll(() => stack?.stop());

/** POSTs with Accept: multipart/mixed and returns the content type and the JSON of every part, in order. */
async function multipart(query: string): Promise<{ contentType: string; parts: any[] }> {
  const res = await fetch(`${stack.gatewayUrl}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'multipart/mixed', authorization: stack.token },
    body: JSON.stringify({ query }),
  });
  const contentType = res.headers.get('content-type') ?? '';
  const text = await res.text();
  const boundary = /boundary="?([^";]+)"?/.exec(contentType)?.[1] ?? '-';
  const parts = text
    .split(`--${boundary}`)
    .map((p) => p.split('\r\n\r\n').slice(1).join('\r\n\r\n').trim())
    .filter((p) => p.startsWith('{'))
    .map((p) => JSON.parse(p));
  return { contentType, parts };
}

it('@defer sends a slow linked field in a later part of a multipart/mixed response', async () => {
  // The RSVP read behind checkInStats is slowed down: the events arrive first, their stats after.
  await stack.faults({ rules: [{ route: 'POST /events/v2/rsvps/query', latencyMs: 200 }] });
  try {
    const { contentType, parts } = await multipart(`{
      events(first: 2, filter: { initialType: { eq: RSVP } }) {
        edges { node { eventId title ... @defer(label: "stats") { checkInStats { checkedIn attending } } } }
      }
    }`);
    expect(contentType).toMatch(/^multipart\/mixed/);
    expect(parts.length).toBeGreaterThanOrEqual(2);
    const first = parts[0];
    expect(first.hasNext).toBe(true);
    expect(first.data.events.edges).toHaveLength(2);
    expect(first.data.events.edges[0].node.checkInStats).toBeUndefined();
    const incremental = parts.slice(1).flatMap((p) => p.incremental ?? []);
    expect(incremental.map((i: any) => i.label)).toEqual(['stats', 'stats']);
    for (const i of incremental) expect(i.data.checkInStats).toEqual({ checkedIn: expect.any(Number), attending: expect.any(Number) });
    expect(parts.at(-1).hasNext).toBe(false);
  } finally {
    await stack.faults({ rules: [] });
  }
});

it('@stream sends the first items of a list at once and the rest as later parts', async () => {
  const { contentType, parts } = await multipart(`{
    events(first: 5) { edges @stream(initialCount: 2) { node { eventId } } }
  }`);
  expect(contentType).toMatch(/^multipart\/mixed/);
  expect(parts[0].data.events.edges).toHaveLength(2);
  const streamed = parts.slice(1).flatMap((p) => (p.incremental ?? []).flatMap((i: any) => i.items ?? []));
  expect(streamed).toHaveLength(3);
  const plain = await stack.gql(`{ events(first: 5) { edges { node { eventId } } } }`);
  expect([...parts[0].data.events.edges, ...streamed]).toEqual(plain.data.events.edges);
  expect(parts.at(-1).hasNext).toBe(false);
});
