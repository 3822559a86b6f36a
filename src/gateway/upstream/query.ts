/**
 * A small builder for the Wix API Query Language (docs/upstream.md §1.4) and the one place that pages through an
 * upstream list (pages(), one end-of-list rule) or reads rows by ids (readByKeys()), whichever paging style the
 * API speaks.
 */
import type { CursorPagingMetadata, Filter, PagingMetadataV2, QueryV2, Sorting } from '../../wire/types.js';

/** `{field: {$in: values}}`: every key the loaders batch on takes $in upstream (participations: §3.3). */
export function inFilter(field: string, values: readonly string[]): Filter {
  return { [field]: { $in: [...values] } };
}

/** A query body with its `fields` (fieldsets), left out when there are none: the base projection. */
export function withFields<B extends object>(body: B, fields: readonly string[]): B & { fields?: readonly string[] } {
  return fields.length ? { ...body, fields } : body;
}

/** `$and` of the given filters, dropping empty ones. */
export function and(...filters: (Filter | undefined | null)[]): Filter | undefined {
  const parts = filters.filter((f): f is Filter => !!f && Object.keys(f).length > 0);
  if (parts.length === 0) return undefined;
  return parts.length === 1 ? parts[0] : { $and: parts };
}

/**
 * Where a page starts: an upstream cursor for cursor-paged APIs, or an offset for offset-paged ones. `null` after
 * the last page.
 */
export type PagePosition = { cursor?: string; offset?: number };

export type PagingStyle = 'cursor' | 'offset';

/** One upstream list: its paging style, its page maximum and the call that reads one page. */
export interface PageSource<T> {
  style: PagingStyle;
  pageMax: number;
  /** Largest `$in` list sent in one filter (the same as a page, so one chunk's rows fit in few pages). */
  inMax: number;
  /** The fieldsets the API offers, in the order of the bits of a fieldset mask (absent: the API has none). */
  fieldsets?: readonly string[];
  /** Reads one page with the fieldsets of `mask` (every one when absent). */
  read(query: QueryV2, mask?: number): Promise<{ items: T[]; meta: CursorPagingMetadata | PagingMetadataV2 | undefined }>;
  /** Every row this source reads is handed here with its mask, so the request's by-id loader knows it. */
  seen?: (rows: readonly T[], mask: number) => void;
  /** The API's count endpoint with the query's filter, when it has one the gateway's identity may call. */
  count?: (filter?: Filter) => Promise<number>;
}

/** A PageSource; `inMax` defaults to the page maximum. */
export function pageSource<T>(style: PagingStyle, pageMax: number, read: PageSource<T>['read'], inMax = pageMax, fieldsets: readonly string[] = []): PageSource<T> {
  return { style, pageMax, inMax: Math.min(inMax, pageMax), fieldsets, read };
}

/** One page as read: its rows, where it started, and where the next one starts (null: the list ended). */
export interface Page<T> {
  items: T[];
  at: PagePosition;
  next: PagePosition | null;
  /**
   * Every row the query matches, when the answer says (offset paging's `pagingMetadata.total`, absent with
   * `tooManyToCount`: docs/upstream.md §1.4).
   */
  total?: number;
}

export interface PagesOptions {
  filter?: Filter;
  sort?: Sorting[];
  /** Resume here (an upstream cursor or offset); absent = the list's start. */
  from?: PagePosition;
  /** Stop once this many rows were read (each page asks for no more than what is still wanted). */
  want?: number;
  /** The fieldsets to read (a mask over the source's fieldsets); every one when absent. */
  mask?: number;
}

/** Builds the query for one page: the SDK sends only `cursorPaging` once it holds a cursor (docs/upstream.md §1.4). */
export function pageQuery(style: PagingStyle, pos: PagePosition, limit: number, filter?: Filter, sort?: Sorting[]): QueryV2 {
  if (style === 'offset') return { filter: filter ?? undefined, sort, paging: { limit, offset: pos.offset ?? 0 } };
  if (pos.cursor) return { cursorPaging: { limit, cursor: pos.cursor } };
  return { filter: filter ?? undefined, sort, cursorPaging: { limit } };
}

/**
 * The one end-of-list rule. The list goes on only when every signal the upstream gave agrees that it does: the page
 * had rows, `hasNext` is not false, and there is somewhere to resume from (a next cursor; for offset paging, an
 * offset below `total`, or a full page when no total is sent). An upstream that contradicts itself (`hasNext: false`
 * with a cursor, or `hasNext: true` without one) therefore ends the list instead of looping or guessing.
 */
export function nextPosition(
  style: PagingStyle,
  pos: PagePosition,
  received: number,
  limit: number,
  meta: CursorPagingMetadata | PagingMetadataV2 | undefined,
): PagePosition | null {
  if (received === 0) return null;
  const hasNext = (meta as { hasNext?: boolean } | undefined)?.hasNext;
  if (hasNext === false) return null;
  if (style === 'offset') {
    const offset = (pos.offset ?? 0) + received;
    const total = (meta as PagingMetadataV2 | undefined)?.total;
    if (total !== undefined) return offset < total ? { offset } : null;
    return hasNext === true || received >= limit ? { offset } : null;
  }
  const next = meta?.cursors?.next;
  return next ? { cursor: next } : null;
}

/**
 * The one paging loop: an async iterator over an upstream list's pages, from the start or from a position, each
 * page asking for at most the upstream's maximum and no more than is still wanted. Every caller that walks a list
 * (connections, loaders, the waitlist, live counters) goes through here or through readSome, which take each page
 * with the same readPage, so they all stop at the same place.
 */
export async function* pages<T>(src: PageSource<T>, options: PagesOptions = {}): AsyncGenerator<Page<T>> {
  const want = options.want ?? Number.POSITIVE_INFINITY;
  let pos: PagePosition | null = options.from ?? {};
  let read = 0;
  while (pos && read < want) {
    const page: Page<T> = await readPage(src, pos, want - read, options);
    yield page;
    read += page.items.length;
    pos = page.next;
  }
}

/** One page from `pos`, asking for at most the upstream's maximum and no more than `left`. */
async function readPage<T>(src: PageSource<T>, pos: PagePosition, left: number, options: PagesOptions): Promise<Page<T>> {
  const limit = Math.min(src.pageMax, left);
  const mask = options.mask ?? (1 << (src.fieldsets?.length ?? 0)) - 1;
  const { items, meta } = await src.read(pageQuery(src.style, pos, limit, options.filter, options.sort), mask);
  src.seen?.(items, mask);
  return { items, at: pos, next: nextPosition(src.style, pos, items.length, limit, meta), total: totalOf(src.style, meta) };
}

/**
 * The first `want` rows of a list (all without `want`), and whether the list goes on past them: pages' loop
 * without an async iterator per list (a loader reads one per chunk of keys), and a list of one page is that
 * page's own array, not a copy.
 */
export async function readSome<T>(src: PageSource<T>, options: PagesOptions = {}): Promise<{ items: T[]; more: boolean }> {
  const want = options.want ?? Number.POSITIVE_INFINITY;
  let pos: PagePosition | null = options.from ?? {};
  let items: T[] = [];
  let pagesRead = 0;
  let more = false;
  while (pos && items.length < want) {
    const page: Page<T> = await readPage(src, pos, want - items.length, options);
    // The first page's array is the source's (`seen` may hold it): from the second page on, rows go into one copy.
    if (pagesRead === 0) items = page.items;
    else {
      if (pagesRead === 1) items = items.slice();
      for (const item of page.items) items.push(item);
    }
    pagesRead++;
    more = page.next !== null;
    pos = page.next;
  }
  if (options.want !== undefined && items.length > options.want) {
    items = items.slice(0, options.want);
    more = true;
  }
  return { items, more };
}

/** Every row of a list (or the first `want`), read with pages(). */
export async function readAll<T>(src: PageSource<T>, options: PagesOptions = {}): Promise<T[]> {
  return (await readSome(src, options)).items;
}

/**
 * The one by-ids read: rows whose `field` is one of `keys`, one `$in` query per chunk of the source's `inMax`, each
 * paged to its end (a key may match many rows: a one-to-many link). `unique`: the caller's keys are distinct (a
 * loader's batch), so they are not made so again.
 */
export async function readByKeys<T>(src: PageSource<T>, field: string, keys: readonly string[], mask?: number, unique = false): Promise<T[]> {
  const distinct = unique ? keys : [...new Set(keys)];
  if (distinct.length <= src.inMax) return readAll(src, { filter: inFilter(field, distinct), mask });
  const parts = await Promise.all(chunk(distinct, src.inMax).map((part) => readAll(src, { filter: inFilter(field, part), mask })));
  return ([] as T[]).concat(...parts);
}

/** Splits keys into chunks no larger than the upstream takes in one `$in` / page. */
export function chunk<T>(items: readonly T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

// Private helper below: the one reading of a page's total, so every caller agrees on when there is one.

/** The matching rows' total an offset-paged answer carries; cursor-style `count` is the page's own size. */
function totalOf(style: PagingStyle, meta: CursorPagingMetadata | PagingMetadataV2 | undefined): number | undefined {
  const v2 = meta as PagingMetadataV2 | undefined;
  return style === 'offset' && typeof v2?.total === 'number' && v2.tooManyToCount !== true ? v2.total : undefined;
}
