/**
 * Cursor connections filled by paging upstream. A connection page can be larger than the upstream's page (an
 * analyst's `first: 500` over an API that stops at 100 is five upstream calls); its cursors remember the upstream
 * page an edge came from and how far into it, so `after` resumes there without re-reading earlier pages.
 */
import { GraphQLError } from 'graphql';
import type { Filter, QueryV2 } from '../../wire/types.js';
import type { LinkLoader, ListSource } from '../loaders.js';
import { pages, type PagePosition } from '../upstream/query.js';
import type { builder } from './builder.js';

export const DEFAULT_FIRST = 50;
/** The most edges one connection page returns; larger reads page with `after`. */
export const MAX_FIRST = 1000;

export interface ConnectionArgs {
  first?: number | null;
  after?: string | null;
  last?: number | null;
  before?: string | null;
}

export interface Connection<T> {
  edges: { cursor: string; node: T }[];
  pageInfo: { hasNextPage: boolean; hasPreviousPage: boolean; startCursor: string | null; endCursor: string | null };
  /** Set only when the selection asks for it (or when it costs nothing): see TotalCount. */
  totalCount?: TotalCount;
}

/**
 * Every row the connection's filter matches, whatever the page: a number, a count still on its way (started beside
 * the first page's read), or null when the upstream would not count.
 */
export type TotalCount = number | null | Promise<number | null>;

/**
 * Connection type options with a `totalCount` field, described with how this list is counted. Nullable, so a count
 * read apart from the page (a count endpoint) that fails costs the count, not the page.
 */
export function countedConnection(how: string) {
  return {
    fields: (t: PothosSchemaTypes.ObjectFieldBuilder<(typeof builder)['$inferSchemaTypes'], { totalCount?: TotalCount }>) => ({
      totalCount: t.int({
        nullable: true,
        description: `Every row the list holds, whatever the page. ${how} Null, with an error, when the count could not be read.`,
        resolve: (c) => c.totalCount ?? null,
      }),
    }),
  };
}

/** Connection type options for a list the upstream cannot count: no `totalCount` field, and the reason why. */
export function uncountedConnection(why: string) {
  return { description: `A page of the list. It has no totalCount: ${why}` };
}

/** The totalCount of every one-to-many link (Event.guests, Session.bookings, Contact.rsvps, …). */
export const LINK_COUNTED = countedConnection(
  "Counted from the parent's rows, which the link reads whole for its first page: no extra upstream call. After a " +
    "cursor: the total the upstream page carries (guests, bookings), the RSVP count endpoint, or one batched read of " +
    "the parent's rows (attendance, participations), each only when totalCount is selected.",
);

/**
 * A one-to-many link (Event.guests, Session.bookings, …). The first page comes from the request's loader, which
 * reads every parent's rows in one batched `$in` query, so a list of 20 events costs one call, and up to MAX_FIRST
 * edges come back whatever the upstream's page size. Its cursors are upstream positions of the parent's own list
 * (an offset, or a skip count from its start for cursor-paged APIs whose cursors belong to the batched query), so
 * `after` reads on from there upstream with the parent's filter instead of re-reading every row through the loader.
 */
export async function linkConnection<T>(
  args: ConnectionArgs,
  loader: LinkLoader<T>,
  key: string,
  mask?: number,
  /** Whether the selection asks for totalCount (schema/selection.ts selectsTotalCount). */
  wantTotal = false,
): Promise<Connection<T>> {
  pageSize(args);
  // Without `after`, the loader read every row of the parent: the count is their number, at no cost.
  if (!args.after) return rowsConnection(args, await loader.load(key, mask), loader.src.style);
  const page = await upstreamConnection(loader.src, args, { [loader.field]: key }, undefined, mask, wantTotal);
  if (!wantTotal) return page;
  // Lists the upstream does not count (attendance, participations) are counted from the parent's rows: one
  // batched read, with the base projection only.
  const total = Promise.resolve(page.totalCount).then((n) => n ?? loader.load(key, 0).then((rows) => rows.length));
  return { ...page, totalCount: handled(total) };
}

/** A connection over rows already held (links the upstream cannot filter by parent); `after` slices them. */
export async function arrayConnection<T>(args: ConnectionArgs, rows: readonly T[], style?: ListSource<T>['style']): Promise<Connection<T>> {
  return rowsConnection(args, rows, style);
}

/**
 * arrayConnection without its promise, for linkConnection, which runs once per parent row (a hundred events'
 * guest lists): an async function returning another async function's promise costs a promise and two microtasks more.
 */
function rowsConnection<T>(args: ConnectionArgs, rows: readonly T[], style?: ListSource<T>['style']): Connection<T> {
  const first = pageSize(args);
  const start = args.after ? decodeCursor(args.after) : { p: {}, s: 0 };
  if (start.p.cursor) throw badArg('after', 'is not a cursor of this list');
  const from = (start.p.offset ?? 0) + start.s;
  const offsetStyle = style === 'offset';
  const edges: ArrayEdge<T>[] = [];
  for (let i = from, end = Math.min(rows.length, from + first); i < end; i++) edges.push(new ArrayEdge(rows[i]!, i + 1, offsetStyle));
  return { edges, pageInfo: new PageInfo(edges, rows.length > from + first, !!args.after), totalCount: rows.length };
}

/**
 * An edge whose cursor is encoded only when selected: most operations never ask for it, and a link field builds an
 * edge per row of every parent.
 */
class ArrayEdge<T> {
  constructor(
    readonly node: T,
    private readonly index: number,
    private readonly offsetStyle: boolean,
  ) {}

  get cursor(): string {
    return encodeCursor(this.offsetStyle ? { p: { offset: this.index }, s: 0 } : { p: {}, s: this.index });
  }
}

/** A connection read page by page from an upstream list, with the filter and sort translated already. */
export async function upstreamConnection<T>(
  src: ListSource<T>,
  args: ConnectionArgs,
  filter?: QueryV2['filter'],
  sort?: QueryV2['sort'],
  /** The fieldsets the nodes' selection needs (schema/selection.ts); absent = all. */
  mask?: number,
  /** Whether the selection asks for totalCount (schema/selection.ts selectsTotalCount). */
  wantTotal = false,
): Promise<Connection<T>> {
  const first = pageSize(args);
  const start = args.after ? decodeCursor(args.after) : { p: {}, s: 0 };
  const edges: Connection<T>['edges'] = [];
  let hasNextPage = false;
  // An offset-paged answer carries the total with its rows; a cursor-paged one never does, so its count endpoint is
  // asked beside the first page, not after it.
  const counting = wantTotal && src.style === 'cursor' && src.count ? handled(src.count(filter ?? undefined)) : undefined;
  let pageTotal: number | undefined;
  let read = false;
  if (first > 0) {
    let skip = start.s;
    // One row more than needed tells whether a next page exists, unless the upstream's page ends exactly there.
    for await (const page of pages(src, { filter: filter ?? undefined, sort, from: start.p, want: start.s + first + 1, mask })) {
      read = true;
      pageTotal ??= page.total;
      for (let i = skip; i < page.items.length && !hasNextPage; i++) {
        if (edges.length === first) hasNextPage = true;
        else edges.push(new PageEdge(page.items[i]!, page, i));
      }
      skip = Math.max(0, skip - page.items.length);
      if (edges.length === first) {
        hasNextPage ||= page.next !== null;
        break;
      }
    }
  }
  const result = connection(edges, hasNextPage, !!args.after);
  if (wantTotal) result.totalCount = counting ?? pageTotal ?? handled(countApart(src, filter ?? undefined, read));
  return result;
}

/**
 * An edge of an upstream page whose cursor is encoded only when selected, like ArrayEdge: a root list of a hundred
 * events encoded a hundred cursors per query for nothing (JSON, a buffer and base64 each: 0.4% of the nested
 * query's gateway CPU).
 */
class PageEdge<T> {
  constructor(
    readonly node: T,
    private readonly page: { items: unknown[]; at: PagePosition; next: PagePosition | null },
    private readonly index: number,
  ) {}

  get cursor(): string {
    return encodeCursor(cursorAfter(this.page, this.index));
  }
}

/** The edge's cursor: the next upstream page when the edge ends its page (no re-read), else its page and index. */
function cursorAfter(page: { items: unknown[]; at: PagePosition; next: PagePosition | null }, i: number): CursorState {
  return i + 1 === page.items.length && page.next ? { p: page.next, s: 0 } : { p: page.at, s: i + 1 };
}

function connection<T>(edges: Connection<T>['edges'], hasNextPage: boolean, hasPreviousPage: boolean): Connection<T> {
  return { edges, pageInfo: new PageInfo(edges, hasNextPage, hasPreviousPage) };
}

/**
 * pageInfo with its cursors encoded only when selected: a link field makes a connection per parent (a hundred
 * events, two cursors each), and most operations ask for neither.
 */
class PageInfo {
  readonly #edges: readonly { cursor: string }[];
  constructor(
    edges: readonly { cursor: string }[],
    readonly hasNextPage: boolean,
    readonly hasPreviousPage: boolean,
  ) {
    this.#edges = edges;
  }

  get startCursor(): string | null {
    return this.#edges[0]?.cursor ?? null;
  }

  get endCursor(): string | null {
    return this.#edges.at(-1)?.cursor ?? null;
  }
}

/** `first` within 0..MAX_FIRST (default 50); backward paging is refused: upstream cursors only go forward. */
export function pageSize(args: ConnectionArgs): number {
  if (args.last != null || args.before != null) {
    throw badArg('last', 'backward paging (last/before) is not supported: the upstream cursors only go forward; use first/after');
  }
  const first = args.first ?? DEFAULT_FIRST;
  if (!Number.isInteger(first) || first < 0 || first > MAX_FIRST) throw badArg('first', `must be from 0 to ${MAX_FIRST}, got ${first}`);
  return first;
}

function badArg(field: string, reason: string): GraphQLError {
  return new GraphQLError(`${field}: ${reason}`, { extensions: { code: 'BAD_USER_INPUT', field, http: { status: 400 } } });
}

interface CursorState {
  p: PagePosition;
  s: number;
}

function encodeCursor(state: CursorState): string {
  return Buffer.from(JSON.stringify(state)).toString('base64url');
}

function decodeCursor(cursor: string): CursorState {
  try {
    const state = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as CursorState;
    if (state && typeof state === 'object' && typeof state.s === 'number' && state.p && typeof state.p === 'object') return state;
  } catch {
    // fall through to the error below
  }
  throw badArg('after', 'is not a cursor this gateway issued');
}

// Private helpers of totalCount: where a count not carried by a page comes from, and keeping it from going unhandled.

/**
 * The total when no page answer carried it: an offset list read for nothing else (`first: 0`) tells it in a one-row
 * page, else the count endpoint (an offset list that answered `tooManyToCount`), else null: the upstream cannot count.
 */
async function countApart<T>(src: ListSource<T>, filter: Filter | undefined, read: boolean): Promise<number | null> {
  if (src.style === 'offset' && !read) {
    for await (const page of pages(src, { filter, want: 1, mask: 0 })) {
      if (page.total !== undefined) return page.total;
      break;
    }
  }
  return src.count ? src.count(filter) : null;
}

/**
 * A promise whose rejection is also caught here: a count started beside a page read must not become an unhandled
 * rejection when the page read fails first and nobody awaits the count. The totalCount field still sees the error.
 */
function handled<T>(promise: Promise<T>): Promise<T> {
  promise.catch(() => {});
  return promise;
}
