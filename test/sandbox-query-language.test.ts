/**
 * The sandbox's Wix API Query Language (docs/upstream.md §1.4): operators, combinators, dotted and array paths, sort,
 * cursor and offset paging, and the 400s the real APIs answer for anything their field table does not allow.
 */
import { describe, expect, it } from 'vitest';
import { SandboxError } from '../src/sandbox/errors.js';
import { countMatching, matchesFilter, runQuery, validateFilter, type QuerySpec } from '../src/sandbox/query-language.js';
import type { CursorPagingMetadata, PagingMetadataV2, QueryV2 } from '../src/wire/types.js';

interface Item {
  id: string;
  name: string;
  status: string;
  count: number;
  revision: string;
  createdDate: string;
  tags?: string[];
  details?: { checkedIn?: boolean; note?: string | null };
  guests?: Array<{ fullName: string }>;
}

const spec: QuerySpec = {
  fields: {
    id: { ops: ['$eq', '$ne', '$in', '$nin'], sort: 'BOTH' },
    name: { ops: ['$eq', '$ne', '$startsWith', '$contains', '$in'], sort: 'BOTH' },
    status: { ops: ['$eq', '$ne', '$in', '$nin', '$exists'], sort: 'ASC' },
    count: { ops: ['$eq', '$lt', '$lte', '$gt', '$gte'], sort: 'BOTH' },
    revision: { ops: ['$eq', '$gt', '$lt'], sort: 'BOTH' },
    createdDate: { ops: ['$eq', '$lt', '$lte', '$gt', '$gte'], sort: 'BOTH' },
    tags: { ops: ['$hasSome', '$hasAll', '$exists'] },
    'details.checkedIn': { ops: ['$eq', '$ne', '$exists'] },
    'details.note': { ops: ['$eq', '$exists'] },
    'guests.fullName': { ops: ['$eq', '$startsWith', '$hasSome'] },
  },
  defaultSort: [{ fieldName: 'createdDate', order: 'DESC' }],
  defaultLimit: 50,
  maxLimit: 100,
  paging: 'both',
  metadata: 'cursor',
  maxSort: 3,
};

const items: Item[] = [
  { id: 'a', name: 'Ada Lovelace', status: 'YES', count: 2, revision: '9', createdDate: '2024-01-01T10:00:00Z', tags: ['vip', 'speaker'], details: { checkedIn: true, note: 'front row' }, guests: [{ fullName: 'Ada Lovelace' }, { fullName: 'Charles Babbage' }] },
  { id: 'b', name: 'Grace Hopper', status: 'NO', count: 10, revision: '10', createdDate: '2024-01-02T10:00:00.500Z', tags: ['vip'], details: { checkedIn: false, note: null }, guests: [{ fullName: 'Grace Hopper' }] },
  { id: 'c', name: 'alan turing', status: 'WAITLIST', count: 1.5, revision: '2', createdDate: '2024-01-02T10:00:00Z', tags: [], details: {} },
  { id: 'd', name: 'Barbara Liskov', status: 'YES', count: 0, revision: '100', createdDate: '2023-12-31T23:59:59.999Z' },
];

const ids = (filter: Record<string, unknown>) => items.filter((i) => matchesFilter(i, filter, spec)).map((i) => i.id);

function badRequest(fn: () => unknown, field: string | RegExp, description?: RegExp): void {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(SandboxError);
    const e = err as SandboxError;
    expect(e.status).toBe(400);
    const violation = e.body.details.validationError!.fieldViolations[0]!;
    if (typeof field === 'string') expect(violation.field).toBe(field);
    else expect(violation.field).toMatch(field);
    if (description) expect(violation.description).toMatch(description);
    return;
  }
  throw new Error('expected a 400, got no error');
}

describe('filter operators', () => {
  it('implicit equality and $eq / $ne', () => {
    expect(ids({ status: 'YES' })).toEqual(['a', 'd']);
    expect(ids({ status: { $eq: 'NO' } })).toEqual(['b']);
    expect(ids({ status: { $ne: 'YES' } })).toEqual(['b', 'c']);
    expect(ids({ status: 'MAYBE' })).toEqual([]);
  });

  it('$lt $lte $gt $gte compare numbers numerically, int64 strings numerically and timestamps as instants', () => {
    expect(ids({ count: { $gt: 1 } })).toEqual(['a', 'b', 'c']);
    expect(ids({ count: { $gte: 2 } })).toEqual(['a', 'b']);
    expect(ids({ count: { $lt: 2 } })).toEqual(['c', 'd']);
    expect(ids({ count: { $lte: 0 } })).toEqual(['d']);
    // "10" > "9" as numbers although not as strings.
    expect(ids({ revision: { $gt: '9' } })).toEqual(['b', 'd']);
    expect(ids({ revision: { $lt: '10' } })).toEqual(['a', 'c']);
    // "…00.500Z" is after "…00Z" although "." sorts before "Z".
    expect(ids({ createdDate: { $gt: '2024-01-02T10:00:00Z' } })).toEqual(['b']);
    expect(ids({ createdDate: { $eq: '2024-01-02T10:00:00.000Z' } })).toEqual(['c']);
    expect(ids({ createdDate: { $gte: '2024-01-01T00:00:00Z', $lt: '2024-01-02T10:00:00Z' } })).toEqual(['a']);
  });

  it('$in and $nin', () => {
    expect(ids({ status: { $in: ['NO', 'WAITLIST'] } })).toEqual(['b', 'c']);
    expect(ids({ status: { $in: [] } })).toEqual([]);
    expect(ids({ status: { $nin: ['YES'] } })).toEqual(['b', 'c']);
    expect(ids({ id: { $nin: [] } })).toEqual(['a', 'b', 'c', 'd']);
  });

  it('$in matches as $eq does: timestamps as instants, int64 strings and numbers alike, also among plain strings', () => {
    const withIn: QuerySpec = {
      ...spec,
      fields: { ...spec.fields, createdDate: { ops: ['$in'] }, revision: { ops: ['$in'] } },
    };
    const matching = (filter: Record<string, unknown>) => items.filter((i) => matchesFilter(i, filter, withIn)).map((i) => i.id);
    expect(matching({ createdDate: { $in: ['2024-01-02T10:00:00.000Z', 'x'] } })).toEqual(['c']);
    expect(matching({ revision: { $in: [10, 'x'] } })).toEqual(['b']);
    expect(matching({ status: { $in: ['WAITLIST', 'x', 'y'] }, id: { $in: ['c', 'd'] } })).toEqual(['c']);
  });

  it('$exists, {f: null} (is empty) and {f: {$ne: null}} (is not empty)', () => {
    expect(ids({ 'details.checkedIn': { $exists: true } })).toEqual(['a', 'b']);
    expect(ids({ 'details.checkedIn': { $exists: false } })).toEqual(['c', 'd']);
    expect(ids({ 'details.note': null })).toEqual(['b', 'c', 'd']);
    expect(ids({ 'details.note': { $ne: null } })).toEqual(['a']);
    expect(ids({ tags: { $exists: true } })).toEqual(['a', 'b']);
  });

  it('$hasSome and $hasAll on arrays, and on scalars as membership', () => {
    expect(ids({ tags: { $hasSome: ['speaker', 'nobody'] } })).toEqual(['a']);
    expect(ids({ tags: { $hasSome: ['vip'] } })).toEqual(['a', 'b']);
    expect(ids({ tags: { $hasAll: ['vip', 'speaker'] } })).toEqual(['a']);
    expect(ids({ tags: { $hasAll: ['vip', 'nobody'] } })).toEqual([]);
    expect(ids({ 'guests.fullName': { $hasSome: ['Grace Hopper', 'X'] } })).toEqual(['b']);
  });

  it('$startsWith and $contains (case-insensitive, as the Wix text operators)', () => {
    expect(ids({ name: { $startsWith: 'a' } })).toEqual(['a', 'c']);
    expect(ids({ name: { $startsWith: 'lovelace' } })).toEqual([]);
    expect(ids({ name: { $contains: 'HOP' } })).toEqual(['b']);
    expect(ids({ name: { $contains: 'zzz' } })).toEqual([]);
  });

  it('dotted paths, and array-valued paths that match when any element matches', () => {
    expect(ids({ 'details.checkedIn': true })).toEqual(['a']);
    expect(ids({ 'details.checkedIn': false })).toEqual(['b']);
    expect(ids({ 'guests.fullName': 'Charles Babbage' })).toEqual(['a']);
    expect(ids({ 'guests.fullName': { $startsWith: 'gr' } })).toEqual(['b']);
  });

  it('$and, $or, $not, and several fields in one object ANDed', () => {
    expect(ids({ status: 'YES', count: { $gt: 0 } })).toEqual(['a']);
    expect(ids({ $and: [{ status: 'YES' }, { count: 0 }] })).toEqual(['d']);
    expect(ids({ $or: [{ status: 'NO' }, { count: 0 }] })).toEqual(['b', 'd']);
    expect(ids({ $not: { status: 'YES' } })).toEqual(['b', 'c']);
    expect(ids({ $or: [{ $and: [{ status: 'YES' }, { $not: { count: 0 } }] }, { name: { $contains: 'turing' } }] })).toEqual(['a', 'c']);
    expect(countMatching(items, { $or: [{ status: 'NO' }, { status: 'YES' }] }, spec)).toBe(3);
    expect(countMatching(items, null, spec)).toBe(4);
  });
});

describe('filter validation (400 INVALID_ARGUMENT with fieldViolations)', () => {
  it('names an unsupported field and lists the supported ones', () => {
    badRequest(() => validateFilter({ secret: 1 }, spec, 'query.filter'), 'query.filter.secret', /"secret".*supported fields: id, name/);
  });

  it('names an operator the field does not support, and an unknown operator', () => {
    badRequest(() => validateFilter({ status: { $gt: 'A' } }, spec, 'query.filter'), 'query.filter.status.$gt', /\$gt is not supported on "status"; supported: \$eq/);
    badRequest(() => validateFilter({ status: { $regex: 'A' } }, spec, 'query.filter'), 'query.filter.status.$regex', /unknown operator/);
    badRequest(() => validateFilter({ $nor: [] }, spec, 'query.filter'), 'query.filter.$nor');
    // isEmpty ({f: null}) is allowed where $eq or $exists is, and nowhere else.
    badRequest(() => validateFilter({ tags: null }, { ...spec, fields: { tags: { ops: ['$hasSome'] } } }, 'query.filter'), 'query.filter.tags.$eq');
    expect(() => validateFilter({ 'details.note': null, count: null }, spec)).not.toThrow();
  });

  it('rejects malformed operands and combinators', () => {
    badRequest(() => validateFilter({ status: { $in: 'YES' } }, spec), 'filter.status.$in', /array/);
    badRequest(() => validateFilter({ tags: { $hasAll: 'vip' } }, spec), 'filter.tags.$hasAll', /array/);
    badRequest(() => validateFilter({ status: { $exists: 'yes' } }, spec), 'filter.status.$exists');
    badRequest(() => validateFilter({ name: { $startsWith: 1 } }, spec), 'filter.name.$startsWith');
    badRequest(() => validateFilter({ count: { $gt: { x: 1 } } }, spec), 'filter.count.$gt');
    badRequest(() => validateFilter({ $and: { status: 'YES' } }, spec), 'filter.$and', /array/);
    badRequest(() => validateFilter({ $or: [{ status: 'YES' }, { nope: 1 }] }, spec), 'filter.$or[1].nope');
    badRequest(() => validateFilter({ $not: null }, spec), 'filter.$not');
    badRequest(() => validateFilter({ status: { $eq: 'YES', other: 1 } }, spec), 'filter.status');
    badRequest(() => validateFilter('status=YES', spec), 'filter');
    badRequest(() => matchesFilter(items[0]!, { nope: 1 }, spec), 'filter.nope');
  });

  it('rejects bad sort, limit and paging combinations', () => {
    badRequest(() => runQuery(items, { sort: [{ fieldName: 'tags' }] }, spec), 'query.sort[0].fieldName', /"tags"/);
    badRequest(() => runQuery(items, { sort: [{ fieldName: 'status', order: 'DESC' }] }, spec), 'query.sort[0].order', /only be sorted ASC/);
    badRequest(() => runQuery(items, { sort: [{ fieldName: 'name', order: 'UP' as never }] }, spec), 'query.sort[0].order');
    badRequest(() => runQuery(items, { sort: [{ fieldName: 'id' }, { fieldName: 'name' }, { fieldName: 'count' }, { fieldName: 'revision' }] }, spec), 'query.sort', /at most 3/);
    badRequest(() => runQuery(items, { cursorPaging: { limit: 101 } }, spec), 'query.cursorPaging.limit', /0 to 100/);
    badRequest(() => runQuery(items, { cursorPaging: { limit: -1 } }, spec), 'query.cursorPaging.limit');
    badRequest(() => runQuery(items, { paging: { limit: 1000 } }, spec), 'query.paging.limit');
    badRequest(() => runQuery(items, { paging: { offset: -5 } }, spec), 'query.paging.offset');
    badRequest(() => runQuery(items, { paging: { limit: 1 }, cursorPaging: { limit: 1 } }, spec), 'query.paging', /one-of/);
    badRequest(() => runQuery(items, { paging: { limit: 1 } }, { ...spec, paging: 'cursor' }), 'query.paging', /cursor paging only/);
    badRequest(() => runQuery(items, { cursorPaging: { limit: 1 } }, { ...spec, paging: 'offset' }), 'query.cursorPaging', /offset paging only/);
    badRequest(() => runQuery(items, { filter: { status: { $lt: 'X' } } }, spec), 'query.filter.status.$lt');
  });

  it('rejects forged, tampered and garbage cursors', () => {
    const first = runQuery(items, { cursorPaging: { limit: 1 } }, spec).pagingMetadata as CursorPagingMetadata;
    const next = first.cursors.next!;
    const [payload, mac] = next.split('.');
    const state = JSON.parse(Buffer.from(payload!, 'base64url').toString());
    // Same MAC, different payload (someone widened the filter in the cursor).
    const forged = `${Buffer.from(JSON.stringify({ ...state, f: { secret: 1 } })).toString('base64url')}.${mac}`;
    badRequest(() => runQuery(items, { cursorPaging: { cursor: forged } }, spec), 'query.cursorPaging.cursor', /not issued by this API/);
    badRequest(() => runQuery(items, { cursorPaging: { cursor: `${payload}.AAAA` } }, spec), 'query.cursorPaging.cursor');
    badRequest(() => runQuery(items, { cursorPaging: { cursor: 'garbage' } }, spec), 'query.cursorPaging.cursor');
    badRequest(() => runQuery(items, { cursorPaging: { cursor: 'x'.repeat(16_001) } }, spec), 'query.cursorPaging.cursor');
  });
});

describe('sort and paging', () => {
  const many = Array.from({ length: 1000 }, (_, i) => ({
    id: `id-${String((i * 7919) % 1000).padStart(4, '0')}`,
    name: `n${i % 10}`,
    status: i % 3 === 0 ? 'YES' : 'NO',
    count: i % 5,
    revision: String(i),
    createdDate: new Date(Date.UTC(2024, 0, 1) + (i % 17) * 60_000).toISOString(),
  }));

  it('sorts by the default sort, then by id so equal keys come in a fixed order', () => {
    const { items: page } = runQuery(many, { cursorPaging: { limit: 100 } }, spec);
    for (let i = 1; i < page.length; i++) {
      const [a, b] = [page[i - 1]!, page[i]!];
      expect(a.createdDate >= b.createdDate).toBe(true);
      if (a.createdDate === b.createdDate) expect(a.id < b.id).toBe(true);
    }
    const multi = runQuery(many, { sort: [{ fieldName: 'count', order: 'DESC' }, { fieldName: 'name' }], paging: { limit: 100 } }, spec).items;
    for (let i = 1; i < multi.length; i++) {
      const [a, b] = [multi[i - 1]!, multi[i]!];
      expect(a.count >= b.count).toBe(true);
      if (a.count === b.count) expect(a.name < b.name || (a.name === b.name && a.id < b.id)).toBe(true);
    }
    // int64 revisions sort as numbers.
    const byRevision = runQuery(many, { sort: [{ fieldName: 'revision', order: 'DESC' }], cursorPaging: { limit: 3 } }, spec).items;
    expect(byRevision.map((i) => i.revision)).toEqual(['999', '998', '997']);
  });

  it('cursor-pages 1,000 items with a filter and sort carried only in the cursor: no loss, no repeats, accurate hasNext', () => {
    const filter = { status: 'NO' };
    const expected = many.filter((i) => i.status === 'NO').length;
    const seen: string[] = [];
    let query: QueryV2 = { filter, sort: [{ fieldName: 'name', order: 'DESC' }], cursorPaging: { limit: 37 } };
    let pages = 0;
    for (;;) {
      const { items: page, pagingMetadata } = runQuery(many, query, spec);
      const meta = pagingMetadata as CursorPagingMetadata;
      pages++;
      expect(meta.count).toBe(page.length);
      if (pages === 1) expect(meta.cursors.prev ?? null).toBeNull();
      else expect(meta.cursors.prev).toEqual(expect.any(String));
      for (const item of page) {
        expect(item.status).toBe('NO');
        seen.push(item.id);
      }
      expect(meta.hasNext).toBe(seen.length < expected);
      if (!meta.hasNext) {
        expect(meta.cursors.next ?? null).toBeNull();
        break;
      }
      // What the SDK sends for the next page: the cursor alone (a stray filter is ignored).
      query = { filter: { status: 'YES' }, cursorPaging: { cursor: meta.cursors.next! } };
    }
    expect(pages).toBe(Math.ceil(expected / 37));
    expect(seen).toHaveLength(expected);
    expect(new Set(seen).size).toBe(expected);
    // The order held across pages.
    const names = seen.map((id) => many.find((i) => i.id === id)!.name);
    expect([...names].sort().reverse()).toEqual(names);
  });

  it('a prev cursor returns the previous page, and a limit sent with a cursor overrides the cursor’s', () => {
    const p1 = runQuery(many, { cursorPaging: { limit: 10 } }, spec);
    const p2 = runQuery(many, { cursorPaging: { cursor: (p1.pagingMetadata as CursorPagingMetadata).cursors.next! } }, spec);
    const back = runQuery(many, { cursorPaging: { cursor: (p2.pagingMetadata as CursorPagingMetadata).cursors.prev! } }, spec);
    expect(back.items.map((i) => i.id)).toEqual(p1.items.map((i) => i.id));
    const wide = runQuery(many, { cursorPaging: { cursor: (p1.pagingMetadata as CursorPagingMetadata).cursors.next!, limit: 25 } }, spec);
    expect(wide.items).toHaveLength(25);
    expect(wide.items.slice(0, 10).map((i) => i.id)).toEqual(p2.items.map((i) => i.id));
  });

  it('offset-pages 1,000 items with total, and the v2 metadata shapes', () => {
    const v2: QuerySpec = { ...spec, metadata: 'v2', maxLimit: 1000 };
    const seen = new Set<string>();
    for (let offset = 0; offset < 1000; offset += 64) {
      const { items: page, pagingMetadata } = runQuery(many, { paging: { limit: 64, offset } }, v2);
      expect(pagingMetadata).toEqual({ count: Math.min(64, 1000 - offset), offset, total: 1000, tooManyToCount: false });
      page.forEach((i) => seen.add(i.id));
    }
    expect(seen.size).toBe(1000);
    const past = runQuery(many, { paging: { limit: 10, offset: 2000 } }, v2);
    expect(past.items).toEqual([]);
    expect((past.pagingMetadata as PagingMetadataV2).total).toBe(1000);
    // The v2 variant with cursor paging: count and cursors, no total, no hasNext.
    const cursorMeta = runQuery(many, { cursorPaging: { limit: 1000 } }, v2).pagingMetadata;
    expect(cursorMeta).toEqual({ count: 1000, cursors: { next: null, prev: null } });
  });

  it('attendance’s cursor metadata has no count; offset-only APIs page by offset by default', () => {
    const attendance: QuerySpec = { ...spec, metadata: 'cursor-no-count', paging: 'cursor' };
    const meta = runQuery(many, { cursorPaging: { limit: 5 } }, attendance).pagingMetadata as CursorPagingMetadata;
    expect(meta.count).toBeUndefined();
    expect(meta.hasNext).toBe(true);
    expect(meta.cursors.next).toEqual(expect.any(String));
    const offsetOnly: QuerySpec = { ...spec, metadata: 'v2', paging: 'offset', defaultLimit: 50 };
    expect(runQuery(many, {}, offsetOnly).pagingMetadata).toEqual({ count: 50, offset: 0, total: 1000, tooManyToCount: false });
    // No query at all: the default sort and page size.
    const { items: page } = runQuery(many, undefined, spec);
    expect(page).toHaveLength(50);
  });
});
