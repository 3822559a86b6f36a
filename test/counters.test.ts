/**
 * Check-in counter coalescing (src/gateway/live/counters.ts) in process, with the in-memory pubsub and a fake
 * upstream whose reads the test answers by hand: a burst of change signals costs one shared re-read, a count is
 * never repeated, and a read that answers after a newer one cannot move the count backwards. End to end, over
 * real webhooks, see live-subscriptions.test.ts.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { createCounterHub, type CheckInCount } from '../src/gateway/live/counters.js';
import { createGatewayPubSub, type PubSubHandle } from '../src/gateway/pubsub.js';
import type { Upstream } from '../src/gateway/upstream/index.js';

const SITE = 'site-1';
const EVENT = 'event-1';

/** An upstream whose RSVP queries wait until the test answers them with a checked-in count. */
function fakeUpstream() {
  const pending: ((count: number) => void)[] = [];
  const upstream = {
    rsvps: {
      query: () =>
        new Promise((resolve) => {
          pending.push((count) => resolve({ rsvps: [{ checkedInGuestCount: count }], pagingMetadata: { count: 1, cursors: {}, hasNext: false } }));
        }),
    },
  } as unknown as Upstream;
  return { upstream, pending, reads: () => pending.length };
}

/** Resolves when `predicate` holds, checking after every macrotask (the hub works in timers and microtasks). */
async function until(predicate: () => boolean, ms = 5_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!predicate()) {
    if (Date.now() > deadline) throw new Error('condition not reached');
    await new Promise((r) => setImmediate(r));
  }
}

let handle: PubSubHandle | undefined;
afterEach(async () => {
  await handle?.close();
});

async function setup(coalesceMs: number) {
  handle = await createGatewayPubSub();
  const pubsub = handle.pubsub;
  const hub = createCounterHub({ pubsub, coalesceMs });
  const fake = fakeUpstream();
  const seen: number[] = [];
  const iterator = hub.subscribe(SITE, EVENT, fake.upstream);
  void (async () => {
    for await (const m of iterator as AsyncIterable<CheckInCount>) seen.push(m.checkedIn);
  })();
  const signal = () => pubsub.publishConfirmed('checkIns:changed', `${SITE}:${EVENT}`, { eventId: EVENT, eventTime: new Date().toISOString() });
  const registered = () => pubsub.listening.count((c) => c === `checkIns:changed:${SITE}:${EVENT}`) >= 1;
  return { hub, fake, seen, signal, registered, stop: () => iterator.return?.() };
}

describe('check-in counter hub', () => {
  it('answers the first read, then coalesces a burst of 20 signals into one shared re-read', async () => {
    const { hub, fake, seen, signal, registered, stop } = await setup(50);
    await until(() => fake.reads() === 1 && registered());
    fake.pending[0]!(3);
    await until(() => seen.length === 1);
    for (let i = 0; i < 20; i++) await signal();
    await until(() => fake.reads() === 2);
    fake.pending[1]!(7);
    await until(() => seen.length === 2);
    expect(seen).toEqual([3, 7]);
    expect(hub.stats).toEqual({ initialReads: 1, sharedReads: 1 });
    await stop();
  });

  it('a signal during a read causes exactly one more read after it, and an unchanged count is not repeated', async () => {
    const { fake, seen, signal, registered, stop } = await setup(10);
    await until(() => fake.reads() === 1 && registered());
    fake.pending[0]!(4);
    await until(() => seen.length === 1);
    await signal();
    await until(() => fake.reads() === 2);
    await signal();
    await signal();
    fake.pending[1]!(4); // same count: nothing shown
    await until(() => fake.reads() === 3);
    expect(fake.reads()).toBe(3);
    fake.pending[2]!(5);
    await until(() => seen.length === 2);
    expect(seen).toEqual([4, 5]);
    await stop();
  });

  it('drops a read that answers after a newer one: the count never goes back', async () => {
    const { fake, seen, signal, registered, stop } = await setup(0);
    await until(() => fake.reads() === 1 && registered());
    // The initial read is slow; a change arrives and its shared read answers first.
    await signal();
    await until(() => fake.reads() === 2);
    fake.pending[1]!(9);
    await until(() => seen.length === 1);
    fake.pending[0]!(8);
    await new Promise((r) => setTimeout(r, 0));
    await signal();
    await until(() => fake.reads() === 3);
    fake.pending[2]!(10);
    await until(() => seen.length === 2);
    // 8 came from a read that started before the one that said 9: never shown.
    expect(seen).toEqual([9, 10]);
    await stop();
  });
});
