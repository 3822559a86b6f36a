/**
 * Persisted operations over real HTTP: Apollo's APQ protocol (hash first, query on PERSISTED_QUERY_NOT_FOUND, then
 * hash only), shared through Redis by two replicas; and trusted-documents mode, which runs only the manifest's
 * operations (HTTP and graphql-ws) and refuses anything else with a code that says why, before any upstream call.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { sha256 } from '../src/gateway/persisted-operations.js';
import { REDIS_URL, redisOrFail, wsClient } from './support/live.js';
import { startStack, type Stack } from './support/stack.js';

const QUERY = 'query FirstEvents { events(first: 2) { edges { node { title } } } }';
const HASH = sha256(QUERY);

const stacks: Stack[] = [];
afterAll(() => Promise.all(stacks.map((s) => s.stop())));

async function post(stack: Stack, body: unknown) {
  const res = await fetch(`${stack.gatewayUrl}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'application/json', authorization: stack.token },
    body: JSON.stringify(body),
  });
  return { status: res.status, body: (await res.json()) as any };
}

const apq = (hash = HASH) => ({ extensions: { persistedQuery: { version: 1, sha256Hash: hash } } });

describe('automatic persisted queries (APQ)', () => {
  it('answers an unknown hash with PERSISTED_QUERY_NOT_FOUND, stores the query sent with it, then runs the hash alone', async () => {
    const stack = await startStack({ config: { redisUrl: undefined } });
    stacks.push(stack);
    const first = await post(stack, apq());
    expect(first.status).toBe(200);
    expect(first.body.errors[0].extensions.code).toBe('PERSISTED_QUERY_NOT_FOUND');

    const register = await post(stack, { query: QUERY, ...apq() });
    expect(register.body.data.events.edges).toHaveLength(2);

    await stack.resetStats();
    const hashOnly = await post(stack, apq());
    expect(hashOnly.body).toEqual(register.body);
    expect((await stack.stats()).total).toBeGreaterThan(0);
  });

  it('refuses a query whose hash does not match it (PERSISTED_QUERY_MISMATCH) and stores nothing', async () => {
    const stack = stacks[0]!;
    const wrong = await post(stack, { query: '{ events(first: 1) { edges { node { title } } } }', ...apq('0'.repeat(64)) });
    expect(wrong.body.errors[0].extensions.code).toBe('PERSISTED_QUERY_MISMATCH');
    expect((await post(stack, apq('0'.repeat(64)))).body.errors[0].extensions.code).toBe('PERSISTED_QUERY_NOT_FOUND');
  });

  it('with REDIS_URL a hash registered on one replica runs on another', async () => {
    const redis = await redisOrFail();
    if (!redis) return;
    const query = `query Replicated${Date.now()} { events(first: 1) { edges { node { title } } } }`;
    await redis.del(`attendance-graph:apq:${sha256(query)}`);
    redis.disconnect();
    const a = await startStack({ config: { redisUrl: REDIS_URL } });
    const b = await startStack({ config: { redisUrl: REDIS_URL } });
    stacks.push(a, b);
    // b's upstream is a different sandbox with the same seed, so the answers match.
    expect((await post(b, apq(sha256(query)))).body.errors[0].extensions.code).toBe('PERSISTED_QUERY_NOT_FOUND');
    expect((await post(a, { query, ...apq(sha256(query)) })).body.data.events.edges).toHaveLength(1);
    const onB = await post(b, apq(sha256(query)));
    expect(onB.body.errors).toBeUndefined();
    expect(onB.body.data.events.edges).toHaveLength(1);
  });
});

describe('trusted documents (PERSISTED_OPERATIONS_FILE)', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'trusted-'));
  const file = join(dir, 'manifest.json');
  const SUB = 'subscription Counter($e: ID!) { checkInCounter(eventId: $e) { checkedIn } }';
  writeFileSync(file, JSON.stringify({ 'first-events': QUERY, 'check-in-counter': SUB }));

  it('runs a manifest operation by documentId or by its sha256, refuses everything else with a code, before any upstream call', async () => {
    const stack = await startStack({ config: { persistedOperationsFile: file } });
    stacks.push(stack);
    const byId = await post(stack, { documentId: 'first-events' });
    expect(byId.body.errors).toBeUndefined();
    expect(byId.body.data.events.edges).toHaveLength(2);
    expect((await post(stack, apq())).body).toEqual(byId.body);
    expect((await post(stack, { documentId: `sha256:${HASH}` })).body).toEqual(byId.body);

    await stack.resetStats();
    const text = await post(stack, { query: QUERY });
    expect(text.status).toBe(400);
    expect(text.body.errors[0].extensions.code).toBe('PERSISTED_QUERY_ONLY');
    expect(text.body.errors[0].message).toMatch(/only trusted documents/);
    const unknown = await post(stack, { documentId: 'not-in-manifest' });
    expect(unknown.status).toBe(404);
    expect(unknown.body.errors[0].extensions.code).toBe('PERSISTED_QUERY_NOT_IN_LIST');
    const neither = await post(stack, {});
    expect(neither.body.errors[0].extensions.code).toBe('PERSISTED_QUERY_ID_REQUIRED');
    // Registering through APQ is not a way in.
    const register = await post(stack, { query: 'query Mine { events(first: 1) { edges { node { title } } } }', ...apq(sha256('query Mine { events(first: 1) { edges { node { title } } } }')) });
    expect(register.body.errors[0].extensions.code).toBe('PERSISTED_QUERY_ONLY');
    expect((await stack.stats()).total).toBe(0);
  });

  it('applies to graphql-ws too: a manifest subscription runs by documentId, a query text is refused', async () => {
    const stack = stacks[stacks.length - 1]!;
    const events = await stack.upstream('POST', '/events/v3/events/query', { query: { paging: { limit: 1 } } });
    const eventId = events.body.events[0].id;
    const client = wsClient(stack.gatewayUrl, stack.token);
    try {
      const first = await new Promise<any>((resolve, reject) => {
        const stop = client.subscribe({ query: '', documentId: 'check-in-counter', variables: { e: eventId } } as any, {
          next: (m) => {
            stop();
            resolve(m);
          },
          error: reject,
          complete: () => {},
        });
      });
      expect(first.data.checkInCounter.checkedIn).toBeTypeOf('number');
      const refused = await new Promise<any>((resolve) => {
        client.subscribe({ query: SUB, variables: { e: eventId } }, { next: () => {}, error: resolve, complete: () => resolve(undefined) });
      });
      expect(refused[0].extensions.code).toBe('PERSISTED_QUERY_ONLY');
    } finally {
      await client.dispose();
    }
  });

  it('a manifest that cannot be read stops the gateway with one line naming the variable', async () => {
    await expect(startStack({ config: { persistedOperationsFile: join(dir, 'missing.json') } })).rejects.toThrow(
      /PERSISTED_OPERATIONS_FILE must name a JSON manifest of trusted documents, got ".*missing.json" \(no such file\)/,
    );
  });
});
