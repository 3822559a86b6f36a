/**
 * Helpers for the live-update tests: Redis (required in CI), graphql-ws and SSE clients that collect messages.
 */
import { Redis } from 'ioredis';
import { createClient, type Client } from 'graphql-ws';
import WebSocket from 'ws';
import type { GatewayPubSub, TopicName, Topics } from '../../src/gateway/pubsub.js';

/** The part of the test stack these helpers use. */
type LiveStack = { upstream<T = any>(method: string, path: string, body?: unknown): Promise<{ status: number; body: T }> };

export const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';

/** Redis is required (the test fails) when REQUIRE_REDIS=1 or CI is set; elsewhere its absence skips the Redis tests. */
export function redisRequired(): boolean {
  return process.env.REQUIRE_REDIS === '1' || !!process.env.CI;
}

export async function redisOrFail(): Promise<Redis | undefined> {
  const redis = new Redis(REDIS_URL, { lazyConnect: true, maxRetriesPerRequest: 1, connectTimeout: 2000, retryStrategy: () => null });
  try {
    await redis.connect();
    await redis.ping();
    return redis;
  } catch (err) {
    redis.disconnect();
    if (redisRequired()) throw new Error(`Redis is required (REQUIRE_REDIS/CI) but ${REDIS_URL} is unreachable: ${String(err)}`);
    return undefined;
  }
}

export interface Collected<T> {
  messages: T[];
  errors: unknown[];
  /** Resolves with the messages once `predicate` holds (polling), or rejects after `ms`. */
  until(predicate: (messages: T[]) => boolean, ms?: number): Promise<T[]>;
  stop(): void;
}

export function wsClient(gatewayUrl: string, token: string | null): Client {
  return createClient({
    url: gatewayUrl.replace(/^http/, 'ws') + '/graphql',
    webSocketImpl: WebSocket,
    connectionParams: token === null ? {} : { Authorization: token },
    lazy: true,
    retryAttempts: 0,
  });
}

/** Subscribe over graphql-ws and collect `data[field]` of every message. */
export function wsSubscribe<T = any>(client: Client, query: string, variables: Record<string, unknown>, field: string): Collected<T> {
  const messages: T[] = [];
  const errors: unknown[] = [];
  const dispose = client.subscribe(
    { query, variables },
    {
      next: (m) => {
        if (m.errors) errors.push(m.errors);
        else messages.push((m.data as any)[field]);
      },
      error: (e) => errors.push(e),
      complete: () => {},
    },
  );
  return collected(messages, errors, dispose);
}

/** Subscribe over Server-Sent Events (POST /graphql, Accept: text/event-stream) and collect `data[field]`. */
export function sseSubscribe<T = any>(gatewayUrl: string, token: string, query: string, variables: Record<string, unknown>, field: string): Collected<T> {
  const messages: T[] = [];
  const errors: unknown[] = [];
  const controller = new AbortController();
  void (async () => {
    const res = await fetch(`${gatewayUrl}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'text/event-stream', authorization: token },
      body: JSON.stringify({ query, variables }),
      signal: controller.signal,
    });
    if (!res.ok || !res.body) throw new Error(`SSE answered ${res.status}`);
    const decoder = new TextDecoder();
    let buffer = '';
    for await (const chunk of res.body as any as AsyncIterable<Uint8Array>) {
      buffer += decoder.decode(chunk, { stream: true });
      let end: number;
      while ((end = buffer.indexOf('\n\n')) >= 0) {
        const frame = buffer.slice(0, end);
        buffer = buffer.slice(end + 2);
        const lines = frame.split('\n');
        const event = lines.find((l) => l.startsWith('event:'))?.slice(6).trim() ?? 'message';
        const data = lines.filter((l) => l.startsWith('data:')).map((l) => l.slice(5).trim()).join('\n');
        if (event !== 'next' || !data) continue;
        const payload = JSON.parse(data);
        if (payload.errors) errors.push(payload.errors);
        else messages.push(payload.data[field]);
      }
    }
  })().catch((e) => {
    if (!controller.signal.aborted) errors.push(e);
  });
  return collected(messages, errors, () => controller.abort());
}

function collected<T>(messages: T[], errors: unknown[], stop: () => void): Collected<T> {
  return {
    messages,
    errors,
    stop,
    async until(predicate, ms = 10_000) {
      const deadline = Date.now() + ms;
      while (!predicate(messages)) {
        if (errors.length) throw new Error(`subscription failed: ${JSON.stringify(errors, null, 1)}`);
        if (Date.now() > deadline) throw new Error(`timed out after ${ms} ms with ${messages.length} messages: ${JSON.stringify(messages.slice(-5))}`);
        await new Promise((r) => setTimeout(r, 10));
      }
      return messages;
    },
  };
}

/** The part of a gateway the barriers below use: its pubsub (createGateway's services). */
type WithPubSub = { services: { pubsub: GatewayPubSub } };

/**
 * A barrier on subscription registration: snapshot the gateway's confirmed registrations on `topic` for `key`
 * (any site) BEFORE subscribing, then `await attached(n)` once n more subscriptions were made. After it resolves,
 * every later publish on that topic reaches them (live/listening.ts) — no sleeping for the socket to attach.
 */
export function registrations(gateway: WithPubSub, topic: TopicName, key: string): { attached(n?: number): Promise<void> } {
  const match = (channel: string) => channel.startsWith(`${topic}:`) && channel.endsWith(`:${key}`);
  const listening = gateway.services.pubsub.listening;
  const base = listening.count(match);
  return { attached: (n = 1) => listening.until(match, base + n) };
}

/** The site (webhook instanceId) a token belongs to, from the upstream's token-info, as the gateway learns it. */
export async function instanceIdOf(s: LiveStack, token: string): Promise<string> {
  const res = await s.upstream('POST', '/oauth2/token-info', { token });
  if (res.status !== 200 || !res.body.instanceId) throw new Error(`token-info answered ${res.status}: ${JSON.stringify(res.body)}`);
  return res.body.instanceId;
}

/**
 * Publishes a marker change straight onto a site's topic. A test proving that nothing else arrived sends one after
 * the changes that must not arrive and waits for it: a subscriber hears a topic's messages in order, so by the time
 * the marker is in, anything published before it would be too.
 */
export async function publishMarker(gateway: WithPubSub, topic: 'rsvp:changed' | 'attendance:changed', instanceId: string, key: string, entityId: string): Promise<void> {
  const change: Topics[typeof topic][1] = { kind: 'UPDATED', entityId, entity: null, eventTime: new Date().toISOString(), changeId: `marker:${entityId}` };
  await gateway.services.pubsub.publishConfirmed(topic, `${instanceId}:${key}`, change);
}

/** A new RSVP with `guests` guests (1..11), returned with its id. */
export async function createRsvp(s: LiveStack, evId: string, guests: number): Promise<{ id: string; guestIds: number[] }> {
  const extra = guests - 1;
  const res = await s.upstream('POST', '/events/v2/rsvps', {
    rsvp: {
      eventId: evId,
      status: 'YES',
      firstName: 'Live',
      lastName: 'Test',
      email: `live-${Math.random().toString(36).slice(2)}@example.com`,
      additionalGuestDetails: { guestCount: extra, guestNames: Array.from({ length: extra }, (_, i) => `Plus ${i + 1}`) },
    },
    options: { ignoreLimits: true },
    fields: ['DETAILS'],
  });
  if (res.status !== 200) throw new Error(`create RSVP answered ${res.status}: ${JSON.stringify(res.body)}`);
  return { id: res.body.rsvp.id, guestIds: res.body.rsvp.guestList.guests.map((g: any) => g.guestId) };
}

/** The upstream's truth: sum of checkedInGuestCount over the event's RSVPs. */
export async function upstreamCount(s: LiveStack, evId: string): Promise<number> {
  let total = 0;
  let cursor: string | undefined;
  do {
    const res = await s.upstream('POST', '/events/v2/rsvps/query', {
      query: cursor ? { cursorPaging: { limit: 100, cursor } } : { filter: { eventId: evId }, cursorPaging: { limit: 100 } },
      fields: ['DETAILS'],
    });
    for (const r of res.body.rsvps) total += r.checkedInGuestCount ?? 0;
    cursor = res.body.pagingMetadata?.hasNext ? res.body.pagingMetadata.cursors?.next : undefined;
  } while (cursor);
  return total;
}

