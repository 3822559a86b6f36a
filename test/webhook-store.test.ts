/**
 * The webhook receiver's memory store (src/gateway/webhooks/store.ts) in process, on a fake clock: duplicates by
 * DomainEvent id, claims that free themselves, and the per-entity sequence that drops stale webhooks. The Redis
 * store runs the same rules over real Redis in live-webhooks.test.ts.
 */
import { describe, expect, it } from 'vitest';
import { createMemoryWebhookStore, padSequence } from '../src/gateway/webhooks/store.js';

function store(ttlSeconds = 600) {
  let t = 1_000_000;
  const s = createMemoryWebhookStore(ttlSeconds, () => t);
  return { s, advanceClock: (ms: number) => (t += ms) };
}

describe('de-duplication by DomainEvent id', () => {
  it('claims an id once; a second delivery is busy while it is processed and a duplicate after it is committed', async () => {
    const { s } = store();
    expect(await s.claim('e1')).toBe('claimed');
    expect(await s.claim('e1')).toBe('busy');
    await s.commit('e1');
    expect(await s.claim('e1')).toBe('duplicate');
    expect(await s.claim('e2')).toBe('claimed');
  });

  it('a released claim (the publish failed) lets the redelivery through; a committed id is not released', async () => {
    const { s } = store();
    await s.claim('e1');
    await s.release('e1');
    expect(await s.claim('e1')).toBe('claimed');
    await s.commit('e1');
    await s.release('e1');
    expect(await s.claim('e1')).toBe('duplicate');
  });

  it('a claim never committed (process died mid-publish) frees itself after 60 s; a committed id after the TTL', async () => {
    const { s, advanceClock } = store(600);
    await s.claim('stuck');
    advanceClock(59_000);
    expect(await s.claim('stuck')).toBe('busy');
    advanceClock(2_000);
    expect(await s.claim('stuck')).toBe('claimed');
    await s.commit('stuck');
    advanceClock(599_000);
    expect(await s.claim('stuck')).toBe('duplicate');
    advanceClock(2_000);
    expect(await s.claim('stuck')).toBe('claimed');
  });
});

describe('ordering by entityEventSequence', () => {
  it('accepts newer and equal sequences, drops older ones, per entity', async () => {
    const { s } = store();
    expect(await s.advance('rsvp:a', '5')).toBe(true);
    expect(await s.advance('rsvp:a', '5')).toBe(true); // the retry of a failed publish
    expect(await s.advance('rsvp:a', '4')).toBe(false);
    expect(await s.advance('rsvp:b', '1')).toBe(true);
    expect(await s.advance('rsvp:a', '6')).toBe(true);
  });

  it('compares int64 sequences beyond double precision, and 10 after 9 (not as text)', async () => {
    const { s } = store();
    expect(await s.advance('p', '9')).toBe(true);
    expect(await s.advance('p', '10')).toBe(true);
    expect(await s.advance('p', '9223372036854775806')).toBe(true);
    expect(await s.advance('p', '9223372036854775807')).toBe(true);
    expect(await s.advance('p', '9223372036854775806')).toBe(false);
    expect(padSequence('42')).toBe('0000000000000000042');
  });

  it('forgets an entity after the TTL, so an old sequence then passes', async () => {
    const { s, advanceClock } = store(10);
    await s.advance('x', '7');
    advanceClock(11_000);
    expect(await s.advance('x', '3')).toBe(true);
  });
});
