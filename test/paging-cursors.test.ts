/**
 * Cursor arithmetic of connections filled from upstream pages (src/gateway/schema/paging.ts), in process against
 * a fake list of 10 rows served 3 per page: where a page of edges ends, where `after` resumes, and how many
 * upstream reads that costs. The graph tests do the same over real HTTP.
 */
import { describe, expect, it } from 'vitest';
import { GraphQLError } from 'graphql';
import type { ListSource } from '../src/gateway/loaders.js';
import { upstreamConnection } from '../src/gateway/schema/paging.js';

const ROWS = Array.from({ length: 10 }, (_, i) => `row${i}`);

/** Cursor paging over ROWS, at most 3 a page; the cursor is the offset of the next row. Counts reads. */
function source(): ListSource<string> & { reads: number } {
  const src = {
    style: 'cursor' as const,
    pageMax: 3,
    inMax: 3,
    reads: 0,
    async read(q: any) {
      src.reads++;
      const start = q.cursorPaging?.cursor ? Number(q.cursorPaging.cursor) : 0;
      const end = Math.min(ROWS.length, start + Math.min(q.cursorPaging.limit, 3));
      const items = ROWS.slice(start, end);
      return { items, meta: { count: items.length, cursors: end < ROWS.length ? { next: String(end) } : {}, hasNext: end < ROWS.length } };
    },
  };
  return src;
}

const nodes = (c: { edges: { node: string }[] }) => c.edges.map((e) => e.node);

describe('upstreamConnection', () => {
  it('fills a page of edges from several upstream pages and says whether more follow', async () => {
    const src = source();
    const page = await upstreamConnection(src, { first: 5 });
    expect(nodes(page)).toEqual(['row0', 'row1', 'row2', 'row3', 'row4']);
    expect(page.pageInfo).toMatchObject({ hasNextPage: true, hasPreviousPage: false });
    expect(src.reads).toBe(2);
  });

  it('resumes after a cursor in the middle of an upstream page, without re-reading earlier pages', async () => {
    const first = await upstreamConnection(source(), { first: 4 });
    const src = source();
    const second = await upstreamConnection(src, { first: 4, after: first.pageInfo.endCursor });
    expect(nodes(second)).toEqual(['row4', 'row5', 'row6', 'row7']);
    // row3 ended the first page at offset 1 of the page starting at row3: resuming reads from there on.
    expect(src.reads).toBeLessThanOrEqual(3);
    const third = await upstreamConnection(source(), { first: 4, after: second.pageInfo.endCursor });
    expect(nodes(third)).toEqual(['row8', 'row9']);
    expect(third.pageInfo.hasNextPage).toBe(false);
  });

  it('walking with after visits every row once, whatever the page size', async () => {
    for (const first of [1, 2, 3, 4, 7, 10]) {
      const seen: string[] = [];
      let after: string | null = null;
      for (;;) {
        const page: Awaited<ReturnType<typeof upstreamConnection<string>>> = await upstreamConnection(source(), { first, after });
        seen.push(...nodes(page));
        if (!page.pageInfo.hasNextPage) break;
        after = page.pageInfo.endCursor;
      }
      expect(seen).toEqual(ROWS);
    }
  });

  it('first: 0 answers no edges; first out of range, last/before and foreign cursors are BAD_USER_INPUT naming the argument', async () => {
    expect(nodes(await upstreamConnection(source(), { first: 0 }))).toEqual([]);
    const refused = async (args: object) => {
      const err = (await upstreamConnection(source(), args).catch((e) => e)) as GraphQLError;
      expect(err).toBeInstanceOf(GraphQLError);
      expect(err.extensions.code).toBe('BAD_USER_INPUT');
      return err.extensions.field;
    };
    expect(await refused({ first: 1001 })).toBe('first');
    expect(await refused({ first: -1 })).toBe('first');
    expect(await refused({ last: 2 })).toBe('last');
    expect(await refused({ first: 2, after: 'not-a-cursor' })).toBe('after');
  });
});
