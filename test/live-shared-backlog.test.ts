/**
 * A shared subscription group (live/shared.ts) whose fan-out is slower than the events arriving: its source is a
 * Repeater of Yoga's pubsub, which refuses more than 1,024 unread events by throwing from the publisher's
 * dispatch (an uncaught exception: the process would exit). The group reads its source eagerly and queues, so a
 * long fan-out under a stream of webhooks delivers every event, in order, to every member.
 */
import { createSchema } from 'graphql-yoga';
import { parse } from 'graphql';
import { describe, expect, it } from 'vitest';
import { createGatewayPubSub } from '../src/gateway/pubsub.js';
import { createSharedSubscriptions } from '../src/gateway/live/shared.js';

const MEMBERS = 1_001; // over one fan-out chunk (1,000 sockets), so each event's fan-out spans turns of the event loop
const EVENTS = 1_500; // over the Repeater's 1,024 unread events
/** Events per turn of the event loop, as a replica's stream reader hands over a batch. */
const PER_TURN = 5;

describe('a shared group under a stream of events faster than its fan-out', () => {
  it('delivers every event in order to every member, without the source overflowing', async () => {
    const { pubsub } = await createGatewayPubSub();
    const schema = createSchema({
      typeDefs: 'type Query { ok: Boolean } type Subscription { tick: Int }',
      resolvers: { Subscription: { tick: { subscribe: () => pubsub.subscribe('checkIns:changed', 'site:e'), resolve: (p: { eventTime: string }) => Number(p.eventTime) } } },
    });
    const shared = createSharedSubscriptions({ shareable: new Set(['tick']), maskErrors: (e) => e, maxBufferedBytes: 1 << 30 });
    const received: number[][] = [];
    const query = 'subscription { tick }';
    const document = parse(query);
    const context = { site: async () => ({ instanceId: 'site' }), creds: undefined } as never;
    for (let i = 0; i < MEMBERS; i++) {
      const got: number[] = (received[i] = []);
      const socket = { readyState: 1, bufferedAmount: 0, close() {}, send: (data: string) => got.push(JSON.parse(data).payload.data.tick) };
      const member = await shared.attach({ socket, id: String(i), query, document, context, schema });
      expect(member).toBeDefined();
    }
    for (let n = 0; n < EVENTS; n++) {
      await pubsub.publishAll([{ topic: 'checkIns:changed', id: 'site:e', payload: { eventId: 'e', eventTime: String(n) } }]);
      if (n % PER_TURN === PER_TURN - 1) await new Promise((resolve) => setImmediate(resolve));
    }
    const deadline = Date.now() + 60_000;
    while (received.some((r) => r.length < EVENTS) && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 20));
    const inOrder = Array.from({ length: EVENTS }, (_, n) => n);
    expect(received.filter((r) => r.length === EVENTS && r.every((v, n) => v === inOrder[n]))).toHaveLength(MEMBERS);
  }, 120_000);
});
