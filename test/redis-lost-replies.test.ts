/**
 * Redis replies lost on the way back (test/support/redis-proxy.ts): the command ran, the connection was cut before
 * its answer arrived, and ioredis resent it after reconnecting, so it ran twice. A subscriber must still hear each
 * change once, and a webhook's own resent claim must not make it look like a concurrent delivery.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Redis } from 'ioredis';
import { createGatewayPubSub, STREAM_KEY, type PubSubHandle } from '../src/gateway/pubsub.js';
import { createRedisWebhookStore } from '../src/gateway/webhooks/store.js';
import { deliver } from '../src/gateway/webhooks/receiver.js';
import type { VerifiedWebhook } from '../src/gateway/webhooks/verify.js';
import { ENTITY_FQDN, WEBHOOK_EVENT_TYPES } from '../src/wire/types.js';
import { redisOrFail } from './support/live.js';
import { startRedisProxy, type RedisProxy } from './support/redis-proxy.js';

let direct: Redis | undefined;
let proxy: RedisProxy | undefined;
let handle: PubSubHandle | undefined;
const prefix = `lost-replies-${Math.random().toString(36).slice(2)}:`;

beforeAll(async () => {
  direct = await redisOrFail();
  if (!direct) return;
  proxy = await startRedisProxy(process.env.REDIS_URL!);
  handle = await createGatewayPubSub({ redisUrl: proxy.url, prefix });
});
afterAll(async () => {
  await handle?.close();
  await proxy?.close();
  direct?.disconnect();
});

describe('a lost Redis reply, the command resent after the reconnect', () => {
  it('a gateway-made change (no webhook id) whose XADD ran twice reaches a subscriber once', async (ctx) => {
    if (!handle || !proxy || !direct) return ctx.skip();
    const { pubsub } = handle;
    const id = 'site-1:session-1';
    const heard: string[] = [];
    const iterator = pubsub.subscribe('attendance:changed', id)[Symbol.asyncIterator]();
    const reading = (async () => {
      for (;;) {
        const next = await iterator.next();
        if (next.done) return;
        heard.push(next.value.changeId);
        if (next.value.changeId === 'marker') return;
      }
    })();
    await pubsub.listening.until((channel) => channel === `attendance:changed:${id}`, 1, 10_000);
    const change = (changeId: string) => ({ kind: 'DELETED' as const, entityId: 'a-1', entity: null, eventTime: new Date().toISOString(), changeId });

    const cut = proxy.loseReplyTo('xadd');
    await pubsub.publishConfirmed('attendance:changed', id, change('once'));
    await cut;
    // The XADD ran twice: both copies are in the stream.
    expect(await direct.xlen(`${prefix}${STREAM_KEY}`)).toBe(2);
    // A later change, heard after everything before it: the barrier that no late copy is still on its way.
    await pubsub.publishConfirmed('attendance:changed', id, change('marker'));
    await reading;
    await iterator.return?.();
    expect(heard).toEqual(['once', 'marker']);
  });

  it("a webhook whose claim ran twice is published and answered 200, not 503 IN_PROGRESS to its own claim", async (ctx) => {
    if (!handle || !proxy) return ctx.skip();
    const { pubsub } = handle;
    const store = createRedisWebhookStore(handle.redis!, 600);
    const rsvpId = crypto.randomUUID();
    const hook = {
      envelope: { eventType: WEBHOOK_EVENT_TYPES.rsvpCreated, instanceId: 'site-1' },
      event: { id: crypto.randomUUID(), entityFqdn: ENTITY_FQDN.rsvp, slug: 'created', entityId: rsvpId, eventTime: new Date().toISOString(), entityEventSequence: '1' },
      body: { id: rsvpId, eventId: 'event-1', status: 'YES' },
    } as unknown as VerifiedWebhook;
    const heard: string[] = [];
    const iterator = pubsub.subscribe('rsvp:changed', 'site-1:event-1')[Symbol.asyncIterator]();
    const reading = (async () => {
      for (let next = await iterator.next(); !next.done; next = await iterator.next()) {
        heard.push(next.value.changeId);
        if (next.value.changeId === hook.event.id) return;
      }
    })();
    await pubsub.listening.until((channel) => channel === 'rsvp:changed:site-1:event-1', 1, 10_000);

    const cut = proxy.loseReplyTo("'claimed:'");
    // Before: the resent claim found the claim it had made itself, answered "busy", and the webhook got a 503.
    expect(await deliver(hook, store, pubsub)).toBe('published');
    await cut;
    await reading;
    await iterator.return?.();
    expect(heard).toEqual([hook.event.id]);
    // A redelivery now is a duplicate (200), not published again.
    expect(await deliver(hook, store, pubsub)).toBe('duplicate');
  });
});

describe('a replica started while Redis is unreachable', () => {
  it('its subscribers hear the changes other replicas append before its stream reader first connects', async (ctx) => {
    if (!handle || !direct) return ctx.skip();
    const other = handle.pubsub;
    const cutOff = await startRedisProxy(process.env.REDIS_URL!);
    cutOff.down();
    // Starts anyway (not ready) after its short wait for Redis.
    const late = await createGatewayPubSub({ redisUrl: cutOff.url, prefix });
    try {
      const id = 'site-1:session-late';
      const heard: string[] = [];
      const iterator = late.pubsub.subscribe('attendance:changed', id)[Symbol.asyncIterator]();
      const reading = (async () => {
        for (let next = await iterator.next(); !next.done; next = await iterator.next()) {
          heard.push(next.value.changeId);
          if (next.value.changeId === 'marker') return;
        }
      })();
      await late.pubsub.listening.until((channel) => channel === `attendance:changed:${id}`, 1, 10_000);
      const change = (changeId: string) => ({ kind: 'DELETED' as const, entityId: 'a-2', entity: null, eventTime: new Date().toISOString(), changeId });
      // Another replica, connected, appends a change while this one cannot reach Redis.
      await other.publishConfirmed('attendance:changed', id, change('while-unreachable'));
      cutOff.up();
      // Barrier: this replica reaches Redis again (its readiness), then a later change is heard after the first.
      while (!(await late.redisUp())) await new Promise((r) => setTimeout(r, 50));
      await other.publishConfirmed('attendance:changed', id, change('marker'));
      await reading;
      await iterator.return?.();
      expect(heard).toEqual(['while-unreachable', 'marker']);
    } finally {
      await late.close();
      await cutOff.close();
    }
  });
});
