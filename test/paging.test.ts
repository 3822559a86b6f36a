/**
 * The one upstream paging loop (upstream/query.ts pages()) and its end-of-list rule, against a fake page source
 * that contradicts itself: every caller — readAll (loaders, the waitlist), readByKeys (by-id and link loaders),
 * upstreamConnection (root connections, `after` on links) and the live check-in counter — stops at the same row.
 * In-process: this is pure logic over a fake source, no upstream involved.
 */
import { describe, expect, it } from 'vitest';
import { readCheckInCount } from '../src/gateway/live/counters.js';
import { upstreamConnection } from '../src/gateway/schema/paging.js';
import type { Upstream } from '../src/gateway/upstream/index.js';
import { nextPosition, pages, pageSource, readAll, readByKeys, type PageSource } from '../src/gateway/upstream/query.js';
import type { CursorPagingMetadata, QueryV2 } from '../src/wire/types.js';

type Row = { id: string; eventId: string; checkedInGuestCount: number };
const ROWS: Row[] = Array.from({ length: 10 }, (_, i) => ({ id: `r${i}`, eventId: 'e1', checkedInGuestCount: 1 }));

/**
 * Cursor pages of 3 over ROWS. `lie` bends the metadata of the page starting at row 3 (the second page):
 * 'hasNextFalseWithCursor' answers hasNext:false but still a next cursor; 'hasNextTrueNoCursor' the reverse.
 * Either way the list must end after row 5 (6 rows), for every caller.
 */
function fakeSource(lie: 'hasNextFalseWithCursor' | 'hasNextTrueNoCursor' | 'none') {
  const calls: QueryV2[] = [];
  const read = async (q: QueryV2) => {
    calls.push(q);
    const from = q.cursorPaging?.cursor ? Number(q.cursorPaging.cursor) : 0;
    const limit = q.cursorPaging?.limit ?? 50;
    const items = ROWS.slice(from, from + Math.min(limit, 3));
    const end = from + items.length;
    let meta: CursorPagingMetadata = { count: items.length, cursors: { next: end < ROWS.length ? String(end) : null }, hasNext: end < ROWS.length };
    if (from === 3 && lie === 'hasNextFalseWithCursor') meta = { ...meta, hasNext: false, cursors: { next: String(end) } };
    if (from === 3 && lie === 'hasNextTrueNoCursor') meta = { ...meta, hasNext: true, cursors: { next: null } };
    return { items, meta };
  };
  return { src: pageSource<Row>('cursor', 3, read), calls };
}

function fakeUpstream(src: PageSource<Row>): Upstream {
  return { rsvps: { query: async (q: QueryV2) => { const r = await src.read(q); return { rsvps: r.items, pagingMetadata: r.meta }; } } } as unknown as Upstream;
}

describe('one end-of-list rule for every caller', () => {
  for (const lie of ['hasNextFalseWithCursor', 'hasNextTrueNoCursor'] as const) {
    it(`${lie}: every caller stops after the same 6 rows, in 2 upstream calls`, async () => {
      const expected = ROWS.slice(0, 6).map((r) => r.id);

      const a = fakeSource(lie);
      expect((await readAll(a.src)).map((r) => r.id)).toEqual(expected);
      expect(a.calls).toHaveLength(2);

      const b = fakeSource(lie);
      expect((await readByKeys(b.src, 'eventId', ['e1'])).map((r) => r.id)).toEqual(expected);
      expect(b.calls).toHaveLength(2);

      const c = fakeSource(lie);
      const conn = await upstreamConnection(c.src, { first: 1000 });
      expect(conn.edges.map((e) => e.node.id)).toEqual(expected);
      expect(conn.pageInfo.hasNextPage).toBe(false);
      expect(c.calls).toHaveLength(2);

      const d = fakeSource(lie);
      expect(await readCheckInCount(fakeUpstream(d.src), 'e1')).toBe(6);
      expect(d.calls).toHaveLength(2);
    });
  }

  it('a consistent upstream is read to its end (10 rows, 4 calls)', async () => {
    const a = fakeSource('none');
    expect(await readAll(a.src)).toHaveLength(10);
    expect(a.calls).toHaveLength(4);
  });
});

describe('pages()', () => {
  it('asks each page for no more than is still wanted and resumes from a cursor', async () => {
    const a = fakeSource('none');
    const seen: string[][] = [];
    for await (const page of pages(a.src, { from: { cursor: '4' }, want: 4 })) seen.push(page.items.map((r) => r.id));
    expect(seen).toEqual([['r4', 'r5', 'r6'], ['r7']]);
    expect(a.calls.map((q) => q.cursorPaging)).toEqual([{ limit: 3, cursor: '4' }, { limit: 1, cursor: '7' }]);
  });

  it('offset paging ends at total, or at a short page when no total is sent', () => {
    expect(nextPosition('offset', { offset: 0 }, 100, 100, { total: 100 })).toBeNull();
    expect(nextPosition('offset', { offset: 0 }, 100, 100, { total: 101 })).toEqual({ offset: 100 });
    expect(nextPosition('offset', { offset: 0 }, 40, 100, {})).toBeNull();
    expect(nextPosition('offset', { offset: 0 }, 100, 100, {})).toEqual({ offset: 100 });
    expect(nextPosition('offset', { offset: 0 }, 0, 100, { total: 500 })).toBeNull();
  });
});

describe('upstreamConnection cursors', () => {
  it('after the last edge of a page resumes at the upstream cursor: no row is re-read', async () => {
    const a = fakeSource('none');
    const first = await upstreamConnection(a.src, { first: 3 });
    expect(first.edges.map((e) => e.node.id)).toEqual(['r0', 'r1', 'r2']);
    expect(first.pageInfo.hasNextPage).toBe(true);
    a.calls.length = 0;
    const second = await upstreamConnection(a.src, { first: 3, after: first.pageInfo.endCursor });
    expect(second.edges.map((e) => e.node.id)).toEqual(['r3', 'r4', 'r5']);
    expect(a.calls[0]?.cursorPaging).toEqual({ limit: 3, cursor: '3' });
  });

  it('a cursor in the middle of a page skips across pages correctly', async () => {
    const a = fakeSource('none');
    const page = await upstreamConnection(a.src, { first: 2 });
    const rest = await upstreamConnection(a.src, { first: 1000, after: page.pageInfo.endCursor });
    expect(rest.edges.map((e) => e.node.id)).toEqual(ROWS.slice(2).map((r) => r.id));
    expect(rest.pageInfo.hasNextPage).toBe(false);
  });
});

describe('upstreamConnection totalCount when an offset upstream answers tooManyToCount', () => {
  /** Offset pages over ROWS whose metadata says tooManyToCount instead of a total; `count` is its count endpoint. */
  function tooMany(withCount: boolean) {
    const calls: string[] = [];
    const src = pageSource<Row>('offset', 3, async (q: QueryV2) => {
      calls.push('query');
      const from = q.paging?.offset ?? 0;
      const items = ROWS.slice(from, from + (q.paging?.limit ?? 50));
      return { items, meta: { count: items.length, offset: from, tooManyToCount: true } };
    });
    if (withCount) src.count = async () => (calls.push('count'), ROWS.length);
    return { src, calls };
  }

  it('falls back on the count endpoint (one call after the page), or says null when there is none', async () => {
    const a = tooMany(true);
    const counted = await upstreamConnection(a.src, { first: 2 }, undefined, undefined, undefined, true);
    expect(await counted.totalCount).toBe(10);
    expect(a.calls).toEqual(['query', 'count']);

    const b = tooMany(false);
    const uncounted = await upstreamConnection(b.src, { first: 2 }, undefined, undefined, undefined, true);
    expect(await uncounted.totalCount).toBeNull();
    expect(b.calls).toEqual(['query']);
  });

  it('asks nothing extra when totalCount is not selected', async () => {
    const a = tooMany(true);
    const page = await upstreamConnection(a.src, { first: 2 });
    expect(page.totalCount).toBeUndefined();
    expect(a.calls).toEqual(['query']);
  });
});
