/**
 * The memory parent store (src/gateway/webhooks/parents.ts) on a fake clock: what a deletion webhook carrying only an
 * entity id is routed by. Lists read again are renewed through their memo; these tests pin that a re-read list
 * still learns every change a row-by-row lookup would (a moved row, a new row, a row gone from the map, expiry).
 */
import { describe, expect, it } from 'vitest';
import { createMemoryParentStore } from '../src/gateway/webhooks/parents.js';

function store(ttlSeconds = 600, max?: number) {
  let t = 1_000_000;
  const s = createMemoryParentStore(ttlSeconds, max, () => t);
  return { s, advanceClock: (ms: number) => (t += ms) };
}

const guests = (n: number, eventOf: (i: number) => string = () => 'e1') => Array.from({ length: n }, (_, i) => ({ id: `g${i}`, eventId: eventOf(i) }));

describe('parents learned from lists', () => {
  it('a list read again keeps its rows learned and renews them past the first read’s expiry', async () => {
    const { s, advanceClock } = store(10);
    s.rememberRows('guest', guests(5));
    advanceClock(8_000);
    s.rememberRows('guest', guests(5));
    advanceClock(8_000);
    expect(await s.recall('guest', 'g4')).toEqual({ eventId: 'e1' });
    advanceClock(3_000);
    expect(await s.recall('guest', 'g4')).toBeUndefined();
  });

  it('a re-read list whose rows moved, grew or changed parent learns each change', async () => {
    const { s } = store();
    s.rememberRows('guest', guests(4));
    s.rememberRows('guest', [...guests(2), { id: 'g2', eventId: 'e2' }, { id: 'g9', eventId: 'e3' }, { id: 'g3', eventId: 'e1' }]);
    expect(await s.recall('guest', 'g1')).toEqual({ eventId: 'e1' });
    expect(await s.recall('guest', 'g2')).toEqual({ eventId: 'e2' });
    expect(await s.recall('guest', 'g9')).toEqual({ eventId: 'e3' });
    expect(await s.recall('guest', 'g3')).toEqual({ eventId: 'e1' });
    // A row learned elsewhere since (another parent) is looked up again, not renewed: the list's row wins, as it would.
    s.remember([{ kind: 'guest', id: 'g0', parent: { eventId: 'e7' } }]);
    s.rememberRows('guest', [...guests(2), { id: 'g2', eventId: 'e2' }]);
    expect(await s.recall('guest', 'g0')).toEqual({ eventId: 'e1' });
    expect(await s.recall('guest', 'g2')).toEqual({ eventId: 'e2' });
  });

  it('a row evicted by the bound is learned again when its list is read again', async () => {
    const { s } = store(600, 3);
    s.rememberRows('rsvp', [{ id: 'r1', eventId: 'e1' }, { id: 'r2', eventId: 'e1' }]);
    s.rememberRows('rsvp', [{ id: 'r3', eventId: 'e2' }, { id: 'r4', eventId: 'e2' }]);
    expect(await s.recall('rsvp', 'r1')).toBeUndefined();
    s.rememberRows('rsvp', [{ id: 'r1', eventId: 'e1' }, { id: 'r2', eventId: 'e1' }]);
    expect(await s.recall('rsvp', 'r1')).toEqual({ eventId: 'e1' });
    expect(await s.recall('rsvp', 'r2')).toEqual({ eventId: 'e1' });
  });

  it('rows without an id or a parent are skipped, in a first read and in a re-read', async () => {
    const { s } = store();
    const rows = [{ id: 'p1', eventId: 's1' }, { eventId: 's1' }, { id: 'p2' }, null, { id: 'p3', scheduleId: 'sc1' }];
    s.rememberRows('participation', rows);
    s.rememberRows('participation', rows);
    expect(await s.recall('participation', 'p1')).toEqual({ sessionId: 's1' });
    expect(await s.recall('participation', 'p2')).toBeUndefined();
    expect(await s.recall('participation', 'p3')).toEqual({ scheduleId: 'sc1' });
  });
});
