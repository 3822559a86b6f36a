/**
 * The webhook receiver on its own (yoga.fetch, no sockets: HTTP details beyond status and body do not matter here):
 * what it accepts, what it refuses, and that a refused, duplicate or stale webhook publishes nothing.
 */
import { createSchema, createYoga } from 'graphql-yoga';
import { exportSPKI, generateKeyPair, SignJWT, type CryptoKey } from 'jose';
import { Redis } from 'ioredis';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_CONFIG } from '../src/gateway/config.js';
import { createGatewayPubSub, type GatewayPubSub } from '../src/gateway/pubsub.js';
import { createWebhookReceiver, useWixWebhooks } from '../src/gateway/webhooks/receiver.js';
import { createRedisWebhookStore } from '../src/gateway/webhooks/store.js';
import { WEBHOOK_EVENT_TYPES } from '../src/wire/types.js';
import { REDIS_URL, redisOrFail } from './support/live.js';
import { startRedisProxy } from './support/redis-proxy.js';

const INSTANCE = '11111111-1111-4111-8111-111111111111';
const EVENT_ID = '22222222-2222-4222-8222-222222222222';

let keyA: { privateKey: CryptoKey; pem: string };
let keyB: { privateKey: CryptoKey; pem: string };
let stranger: { privateKey: CryptoKey; pem: string };

async function keyPair() {
  const { privateKey, publicKey } = await generateKeyPair('RS256', { extractable: true });
  return { privateKey, pem: await exportSPKI(publicKey) };
}

beforeAll(async () => {
  [keyA, keyB, stranger] = await Promise.all([keyPair(), keyPair(), keyPair()]);
});

let n = 0;
function rsvpEvent(over: Record<string, unknown> = {}) {
  n++;
  return {
    id: `evt-${n}-${Math.random().toString(36).slice(2)}`,
    entityFqdn: 'wix.events.v2.rsvp',
    slug: 'updated',
    entityId: 'rsvp-1',
    eventTime: new Date().toISOString(),
    entityEventSequence: String(n),
    updatedEvent: { currentEntity: { id: 'rsvp-1', eventId: EVENT_ID, checkedInGuestCount: 1 } },
    ...over,
  };
}

async function sign(domainEvent: unknown, key = keyA.privateKey, eventType: string = WEBHOOK_EVENT_TYPES.rsvpUpdated, envelopeOver = {}) {
  const envelope = { eventType, instanceId: INSTANCE, data: JSON.stringify(domainEvent), identity: '{"identityType":"APP"}', ...envelopeOver };
  return new SignJWT({ data: JSON.stringify(envelope) }).setProtectedHeader({ alg: 'RS256' }).setIssuedAt().sign(key);
}

/** A receiver with a pubsub that records every publish. */
async function receiver(options: { keys?: string[]; maxBytes?: number; failPublishes?: number; pubsub?: GatewayPubSub; redis?: Redis } = {}) {
  const handle = options.pubsub ? undefined : await createGatewayPubSub();
  const base = options.pubsub ?? handle!.pubsub;
  const published: { topic: string; id: string; payload: any }[] = [];
  /** live:invalidate publishes (the @live query keys), kept apart so `published` lists the subscription topics. */
  const invalidated: string[][] = [];
  let failures = options.failPublishes ?? 0;
  const pubsub: GatewayPubSub = Object.assign(Object.create(base), {
    async publishConfirmed(topic: any, id: any, payload: any) {
      if (failures > 0) {
        failures--;
        throw new Error('redis down');
      }
      if (topic === 'live:invalidate') invalidated.push(payload.keys);
      else published.push({ topic, id, payload });
      await base.publishConfirmed(topic, id, payload);
    },
    // The receiver appends one webhook's publications at once (all or none).
    async publishAll(publications: any[], dedupId?: string) {
      if (failures > 0) {
        failures--;
        throw new Error('redis down');
      }
      for (const p of publications) {
        if (p.topic === 'live:invalidate') invalidated.push(p.payload.keys);
        else published.push(p);
      }
      await base.publishAll(publications, dedupId);
    },
  });
  const yoga = createYoga({
    schema: createSchema({ typeDefs: 'type Query { ok: Boolean }' }),
    logging: false,
    plugins: [
      useWixWebhooks({
        config: {
          ...DEFAULT_CONFIG,
          webhookPublicKeys: options.keys ?? [keyA.pem, keyB.pem],
          webhookMaxBytes: options.maxBytes ?? DEFAULT_CONFIG.webhookMaxBytes,
        },
        pubsub,
        redis: options.redis,
      }),
    ],
  });
  const post = async (body: BodyInit, headers: Record<string, string> = {}) => {
    const res = await yoga.fetch('http://gateway/webhooks/wix', { method: 'POST', body, headers, ...(typeof body === 'string' ? {} : { duplex: 'half' }) } as RequestInit);
    const retryAfter = res.headers.get('retry-after');
    return { status: res.status, body: (await res.json()) as any, ...(retryAfter ? { retryAfter } : {}) };
  };
  return { post, published, invalidated };
}

describe('webhook receiver', () => {
  it('verifies a signed RSVP update and publishes it to the event, scoped to the envelope instance', async () => {
    const r = await receiver();
    const res = await r.post(await sign(rsvpEvent()));
    expect(res).toEqual({ status: 200, body: { outcome: 'published' } });
    expect(r.published.map((p) => `${p.topic} ${p.id}`)).toEqual([`rsvp:changed ${INSTANCE}:${EVENT_ID}`, `checkIns:changed ${INSTANCE}:${EVENT_ID}`]);
    expect(r.published[0].payload).toMatchObject({ kind: 'UPDATED', entityId: 'rsvp-1', entity: { checkedInGuestCount: 1 } });
    // @live queries that read the RSVP, its event or the lists holding it are re-run.
    expect(r.invalidated).toHaveLength(1);
    expect(r.invalidated[0]).toEqual(expect.arrayContaining(['Rsvp:rsvp-1', `Event:${EVENT_ID}`, `Query.event(id:"${EVENT_ID}")`, 'Query.rsvps']));
  });

  it('accepts the *AsJson body names, as JSON strings or objects, and the action body of a guest check-in', async () => {
    const r = await receiver();
    const entity = { id: 'rsvp-1', eventId: EVENT_ID, status: 'YES' };
    await r.post(await sign(rsvpEvent({ updatedEvent: { currentEntityAsJson: JSON.stringify(entity) } })));
    await r.post(await sign(rsvpEvent({ slug: 'created', updatedEvent: undefined, createdEvent: { entityAsJson: entity } }), keyA.privateKey, WEBHOOK_EVENT_TYPES.rsvpCreated));
    const guest = { id: 'guest-1', eventId: EVENT_ID, guestDetails: { checkedIn: true } };
    const checkIn = { entityFqdn: 'wix.events.guests.v1.guest', slug: 'guest_checked_in', entityId: 'guest-1', updatedEvent: undefined, actionEvent: { bodyAsJson: JSON.stringify({ guest, eventDetails: {} }) } };
    await r.post(await sign(rsvpEvent(checkIn), keyA.privateKey, WEBHOOK_EVENT_TYPES.guestCheckedIn));
    expect(r.published.filter((p) => p.topic === 'rsvp:changed').map((p) => [p.payload.kind, p.payload.entity.status])).toEqual([
      ['UPDATED', 'YES'],
      ['CREATED', 'YES'],
    ]);
    expect(r.published.find((p) => p.topic === 'guest:checkedIn')?.payload.guest).toEqual(guest);
  });

  it('accepts a webhook signed with the second configured key (rotation)', async () => {
    const r = await receiver();
    expect((await r.post(await sign(rsvpEvent(), keyB.privateKey))).status).toBe(200);
    expect(r.published).toHaveLength(2);
  });

  it('refuses a bad signature with 401 and publishes nothing', async () => {
    const r = await receiver();
    const res = await r.post(await sign(rsvpEvent(), stranger.privateKey));
    expect(res.status).toBe(401);
    expect(res.body.error).toBe('BAD_SIGNATURE');
    const [h, , s] = (await sign(rsvpEvent())).split('.');
    const tampered = `${h}.${Buffer.from(JSON.stringify({ data: '{}' })).toString('base64url')}.${s}`;
    expect((await r.post(tampered)).status).toBe(401);
    expect(r.published).toEqual([]);
  });

  it('refuses an expired or not-yet-valid token and one not signed with RS256 (401), and publishes nothing', async () => {
    const r = await receiver();
    const envelope = (e: unknown) => ({ data: JSON.stringify({ eventType: WEBHOOK_EVENT_TYPES.rsvpUpdated, instanceId: INSTANCE, data: JSON.stringify(e) }) });
    const expired = await new SignJWT(envelope(rsvpEvent())).setProtectedHeader({ alg: 'RS256' }).setExpirationTime(Math.floor(Date.now() / 1000) - 60).sign(keyA.privateKey);
    const early = await new SignJWT(envelope(rsvpEvent())).setProtectedHeader({ alg: 'RS256' }).setNotBefore(Math.floor(Date.now() / 1000) + 600).sign(keyA.privateKey);
    const hmac = await new SignJWT(envelope(rsvpEvent())).setProtectedHeader({ alg: 'HS256' }).sign(new TextEncoder().encode('x'.repeat(32)));
    for (const jwt of [expired, early, hmac]) expect((await r.post(jwt)).status).toBe(401);
    const valid = await new SignJWT(envelope(rsvpEvent())).setProtectedHeader({ alg: 'RS256' }).setExpirationTime('5m').sign(keyA.privateKey);
    expect((await r.post(valid)).status).toBe(200);
    expect(r.published.length).toBeGreaterThan(0);
  });

  it('refuses malformed bodies with 400 and publishes nothing', async () => {
    const r = await receiver();
    expect((await r.post('not a jwt')).status).toBe(400);
    const badClaim = await new SignJWT({ data: '{not json' }).setProtectedHeader({ alg: 'RS256' }).sign(keyA.privateKey);
    expect((await r.post(badClaim)).status).toBe(400);
    const noId = await sign({ ...rsvpEvent(), id: undefined });
    expect((await r.post(noId)).status).toBe(400);
    expect(r.published).toEqual([]);
  });

  it('refuses an oversized body with 413, by Content-Length and by streamed size, and publishes nothing', async () => {
    const r = await receiver({ maxBytes: 2048 });
    const big = await sign(rsvpEvent({ updatedEvent: { currentEntity: { id: 'rsvp-1', eventId: EVENT_ID, firstName: 'x'.repeat(4000) } } }));
    expect((await r.post(big)).status).toBe(413);
    const chunks = [big.slice(0, 1500), big.slice(1500)];
    const stream = new ReadableStream({
      pull(controller) {
        const next = chunks.shift();
        if (next) controller.enqueue(new TextEncoder().encode(next));
        else controller.close();
      },
    });
    expect((await r.post(stream)).status).toBe(413);
    expect(r.published).toEqual([]);
  });

  it('answers 202 to an event type it does not know, and ignores it', async () => {
    const r = await receiver();
    const res = await r.post(await sign(rsvpEvent(), keyA.privateKey, 'wix.stores.v1.product_created'));
    expect(res).toEqual({ status: 202, body: { outcome: 'ignored', eventType: 'wix.stores.v1.product_created' } });
    expect(r.published).toEqual([]);
  });

  it('answers 503 when no public key is configured', async () => {
    const r = await receiver({ keys: [] });
    expect((await r.post(await sign(rsvpEvent()))).status).toBe(503);
    expect(r.published).toEqual([]);
  });

  it('publishes a duplicate id once and drops an event older than the last one seen for the entity', async () => {
    const r = await receiver();
    const first = rsvpEvent({ entityEventSequence: '5' });
    const jwt = await sign(first);
    expect((await r.post(jwt)).body.outcome).toBe('published');
    expect((await r.post(jwt)).body.outcome).toBe('duplicate');
    expect((await r.post(await sign(rsvpEvent({ entityEventSequence: '4' })))).body.outcome).toBe('stale');
    // int64 sequences beyond a double's precision still order correctly.
    expect((await r.post(await sign(rsvpEvent({ entityEventSequence: '9223372036854775806' })))).body.outcome).toBe('published');
    expect((await r.post(await sign(rsvpEvent({ entityEventSequence: '9223372036854775805' })))).body.outcome).toBe('stale');
    expect(r.published.filter((p) => p.topic === 'rsvp:changed')).toHaveLength(2);
  });

  it('answers 500 when the publish fails and processes the redelivery of the same id', async () => {
    const r = await receiver({ failPublishes: 1 });
    const jwt = await sign(rsvpEvent());
    expect((await r.post(jwt)).status).toBe(500);
    expect(r.published).toEqual([]);
    expect((await r.post(jwt)).body.outcome).toBe('published');
    expect(r.published).toHaveLength(2);
  });
});

describe('webhook dedup and ordering state in Redis', () => {
  let redis: Redis | undefined;
  beforeAll(async () => {
    redis = await redisOrFail();
  });
  afterAll(() => redis?.disconnect());

  it('two receivers sharing one Redis publish a duplicate once and agree on ordering', async (ctx) => {
    if (!redis) return ctx.skip();
    const a = await receiver({ redis });
    const b = await receiver({ redis });
    const entityId = `rsvp-${Math.random()}`;
    const event = rsvpEvent({ entityId, entityEventSequence: '7' });
    const jwt = await sign(event);
    const outcomes = await Promise.all([a.post(jwt), b.post(jwt)]);
    // The second is a duplicate if the first had finished, else busy (503, retry later); never published twice.
    const other = outcomes.find((o) => o.body.outcome !== 'published')!;
    expect(outcomes.filter((o) => o.body.outcome === 'published')).toHaveLength(1);
    expect([other.status, other.body.outcome]).toSatisfy(([status, outcome]: [number, string]) => (status === 200 && outcome === 'duplicate') || (status === 503 && outcome === 'busy'));
    // Redelivered after the first published, it is a duplicate.
    expect((await b.post(jwt)).body.outcome).toBe('duplicate');
    expect(a.published.length + b.published.length).toBe(2);
    expect((await b.post(await sign(rsvpEvent({ entityId, entityEventSequence: '6' })))).body.outcome).toBe('stale');
  });

  it('does not answer 2xx for a claim stranded by a Redis outage: 503 busy with Retry-After, then the retry is published', async (ctx) => {
    if (!redis) return ctx.skip();
    // Redis ran the claim and went away before the publish, so the release could not run either: the claim stays.
    // The upstream retries within ~100 ms; a 200 "duplicate" then would drop a change nobody published.
    const r = await receiver({ redis });
    const event = rsvpEvent({ entityId: `rsvp-${Math.random()}` });
    await createRedisWebhookStore(redis, 60).claim(`${INSTANCE}:${event.id}`);
    const jwt = await sign(event);
    const first = await r.post(jwt);
    expect(first).toMatchObject({ status: 503, body: { error: 'IN_PROGRESS', outcome: 'busy' } });
    expect(first.retryAfter).toBe('1');
    expect(r.published).toEqual([]);
    // Retried as the answer says: the stranded claim is taken over once it is older than an append could take.
    await new Promise((resolve) => setTimeout(resolve, Number(first.retryAfter) * 1000));
    expect((await r.post(jwt)).body.outcome).toBe('published');
    expect(r.published.filter((p) => p.topic === 'rsvp:changed')).toHaveLength(1);
  });

  it('releases a claim when the publish fails, so the redelivery is published', async (ctx) => {
    if (!redis) return ctx.skip();
    const store = createRedisWebhookStore(redis, 60, `test:${Math.random()}:`);
    expect(await store.claim('x')).toBe('claimed');
    expect(await store.claim('x')).toBe('busy');
    await store.release('x');
    expect(await store.claim('x')).toBe('claimed');
    await store.commit('x');
    await store.release('x');
    expect(await store.claim('x')).toBe('duplicate');
  });
});

describe('webhooks on the gateway\'s own HTTP route (node:http, ahead of Yoga)', () => {
  async function server(maxBytes = DEFAULT_CONFIG.webhookMaxBytes) {
    const handle = await createGatewayPubSub();
    const heard: unknown[] = [];
    const sub = handle.pubsub.subscribe('rsvp:changed', `${INSTANCE}:${EVENT_ID}`);
    void (async () => {
      for await (const m of sub) heard.push(m);
    })();
    const receiver = createWebhookReceiver({ config: { ...DEFAULT_CONFIG, webhookPublicKeys: [keyA.pem], webhookMaxBytes: maxBytes }, pubsub: handle.pubsub });
    const http = createServer((req, res) => receiver.handleNode(req, res));
    await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
    const url = `http://127.0.0.1:${(http.address() as AddressInfo).port}/webhooks/wix`;
    const close = () => new Promise<void>((resolve) => (sub.return?.(), http.closeAllConnections(), http.close(() => resolve())));
    return { url, heard, close };
  }

  it('answers as the Yoga route does: 200 published then duplicate, 400, 405, with a request id', async () => {
    const s = await server();
    try {
      const jwt = await sign(rsvpEvent());
      const first = await fetch(s.url, { method: 'POST', body: jwt, headers: { 'x-request-id': 'hook-1' } });
      expect([first.status, await first.json(), first.headers.get('x-request-id')]).toEqual([200, { outcome: 'published' }, 'hook-1']);
      expect(s.heard).toHaveLength(1);
      expect(await (await fetch(s.url, { method: 'POST', body: jwt })).json()).toEqual({ outcome: 'duplicate' });
      const bad = await fetch(s.url, { method: 'POST', body: 'not a jwt' });
      expect([bad.status, (await bad.json()).error]).toEqual([400, 'BAD_WEBHOOK']);
      const get = await fetch(s.url);
      expect([get.status, get.headers.get('allow')]).toEqual([405, 'POST']);
      expect(s.heard).toHaveLength(1);
    } finally {
      await s.close();
    }
  });

  it('refuses an oversized body with 413, by Content-Length and streamed in chunks, and publishes nothing', async () => {
    const s = await server(2048);
    try {
      const big = await sign(rsvpEvent({ updatedEvent: { currentEntity: { id: 'rsvp-1', eventId: EVENT_ID, firstName: 'x'.repeat(4000) } } }));
      expect((await fetch(s.url, { method: 'POST', body: big })).status).toBe(413);
      const chunks = [big.slice(0, 1500), big.slice(1500)];
      const body = new ReadableStream({
        pull(controller) {
          const next = chunks.shift();
          if (next) controller.enqueue(new TextEncoder().encode(next));
          else controller.close();
        },
      });
      expect((await fetch(s.url, { method: 'POST', body, duplex: 'half' } as RequestInit)).status).toBe(413);
      expect(s.heard).toEqual([]);
    } finally {
      await s.close();
    }
  });
});

describe('webhooks appended to the Redis stream in one atomic step (de-duplicate, order, append, remember)', () => {
  let redis: Redis | undefined;
  beforeAll(async () => {
    redis = await redisOrFail();
  });
  afterAll(() => redis?.disconnect());

  async function atomic(redisUrl = REDIS_URL) {
    const prefix = `atomic-test:${Math.random().toString(36).slice(2)}:`;
    const handle = await createGatewayPubSub({ redisUrl, prefix });
    const receiver = createWebhookReceiver({ config: { ...DEFAULT_CONFIG, webhookPublicKeys: [keyA.pem] }, pubsub: handle.pubsub, redis: handle.redis, stream: handle.stream });
    const post = async (jwt: string) => {
      const a = await receiver.answer(async () => jwt);
      return { status: a.status, body: a.body as any, retryAfter: a.headers?.['retry-after'] };
    };
    /** Stream entries appended for one webhook id (what every replica's reader delivers). */
    const appended = async (eventId: string) => (await redis!.xrange(`${prefix}changes`, '-', '+')).filter(([, f]) => f[1] === `${INSTANCE}:${eventId}`).length;
    return { handle, post, appended, prefix };
  }

  it('appends a webhook once however often and concurrently it is delivered, and drops a stale one unappended', async (ctx) => {
    if (!redis) return ctx.skip();
    const a = await atomic();
    try {
      const entityId = `rsvp-${Math.random()}`;
      const event = rsvpEvent({ entityId, entityEventSequence: '7' });
      const jwt = await sign(event);
      const outcomes = await Promise.all([a.post(jwt), a.post(jwt), a.post(jwt)]);
      expect(outcomes.map((o) => o.body.outcome).sort()).toEqual(['duplicate', 'duplicate', 'published']);
      expect(await a.appended(event.id)).toBe(1);
      expect((await a.post(jwt)).body.outcome).toBe('duplicate');
      const stale = rsvpEvent({ entityId, entityEventSequence: '6' });
      expect((await a.post(await sign(stale))).body.outcome).toBe('stale');
      expect(await a.appended(stale.id)).toBe(0);
      // The retry of a stale webhook is a duplicate too, and an equal sequence (a retry of a failed one) passes.
      expect((await a.post(await sign(stale))).body.outcome).toBe('duplicate');
      expect((await a.post(await sign(rsvpEvent({ entityId, entityEventSequence: '7' })))).body.outcome).toBe('published');
    } finally {
      await a.handle.close();
    }
  });

  it('answers 500 and remembers nothing when the append fails, so the redelivery is appended', async (ctx) => {
    if (!redis) return ctx.skip();
    const a = await atomic();
    try {
      // A key of the wrong type makes XADD fail inside the script.
      await redis!.set(`${a.prefix}changes`, 'not a stream');
      const event = rsvpEvent({ entityId: `rsvp-${Math.random()}` });
      const jwt = await sign(event);
      expect((await a.post(jwt)).status).toBe(500);
      await redis!.del(`${a.prefix}changes`);
      expect((await a.post(jwt)).body.outcome).toBe('published');
      expect(await a.appended(event.id)).toBe(1);
    } finally {
      await a.handle.close();
    }
  });

  it('records no sequence for a webhook whose append failed, so an older change of the entity still publishes', async (ctx) => {
    if (!redis) return ctx.skip();
    const a = await atomic();
    try {
      const entityId = `rsvp-${Math.random()}`;
      await redis!.set(`${a.prefix}changes`, 'not a stream');
      expect((await a.post(await sign(rsvpEvent({ entityId, entityEventSequence: '9' })))).status).toBe(500);
      await redis!.del(`${a.prefix}changes`);
      // Sequence 9 was never published: 8 is the newest change anyone has seen, not a stale one.
      const older = rsvpEvent({ entityId, entityEventSequence: '8' });
      expect((await a.post(await sign(older))).body.outcome).toBe('published');
      expect(await a.appended(older.id)).toBe(1);
    } finally {
      await a.handle.close();
    }
  });

  it('answers 503 IN_PROGRESS, not 200, while another delivery holds a claim, and takes an abandoned claim over', async (ctx) => {
    if (!redis) return ctx.skip();
    const a = await atomic();
    try {
      const event = rsvpEvent({ entityId: `rsvp-${Math.random()}` });
      await createRedisWebhookStore(a.handle.redis!, 60).claim(`${INSTANCE}:${event.id}`);
      const jwt = await sign(event);
      const first = await a.post(jwt);
      expect(first).toMatchObject({ status: 503, body: { error: 'IN_PROGRESS', outcome: 'busy' }, retryAfter: '1' });
      expect(await a.appended(event.id)).toBe(0);
      await new Promise((resolve) => setTimeout(resolve, Number(first.retryAfter) * 1000));
      expect((await a.post(jwt)).body.outcome).toBe('published');
      expect(await a.appended(event.id)).toBe(1);
    } finally {
      await a.handle.close();
    }
  });

  it('answers 200 and appends once when the script ran twice (its reply lost, ioredis resending it)', async (ctx) => {
    if (!redis) return ctx.skip();
    const proxy = await startRedisProxy(REDIS_URL);
    const a = await atomic(proxy.url);
    try {
      const event = rsvpEvent({ entityId: `rsvp-${Math.random()}` });
      const cut = proxy.loseReplyTo(event.id);
      const res = await a.post(await sign(event));
      await cut;
      // The resent run finds the id done: the entry its first run appended is the only one.
      expect(res.status).toBe(200);
      expect(['published', 'duplicate']).toContain(res.body.outcome);
      expect(await a.appended(event.id)).toBe(1);
    } finally {
      await a.handle.close();
      await proxy.close();
    }
  });
});
