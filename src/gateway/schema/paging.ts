/**
 * Cursor connections filled by paging upstream. A connection page can be larger than the upstream's page (an
 * analyst's `first: 500` over an API that stops at 100 is five upstream calls); its cursors remember the upstream
 * page an edge came from and how far into it, so `after` resumes there without re-reading earlier pages.
 */
import { GraphQLError } from 'graphql';
import type { QueryV2 } from '../../wire/types.js';
import { pager, type ListSource } from '../loaders.js';
import type { PagePosition } from '../upstream/query.js';

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
}

/**
 * A connection over rows the gateway already holds (a one-to-many link read by a loader), with the offset cursors
 * of @pothos/plugin-relay's resolveArrayConnection (`OffsetConnection:<n>`, base64). An edge's cursor is encoded
 * only when selected: most operations never ask for it, and a link field builds an edge per row of every parent.
 */
export function arrayConnection<T>(args: ConnectionArgs, rows: readonly T[]) {
  const first = pageSize(args);
  const start = args.after ? arrayOffset(args.after) + 1 : 0;
  const end = Math.min(rows.length, start + first);
  const edges: ArrayEdge<T>[] = [];
  for (let i = start; i < end; i++) edges.push(new ArrayEdge(rows[i]!, i));
  return {
    edges,
    totalCount: rows.length,
    pageInfo: {
      startCursor: offsetCursor(start),
      endCursor: offsetCursor(start + edges.length - 1),
      hasPreviousPage: start > 0,
      hasNextPage: end < rows.length,
    },
  };
}

class ArrayEdge<T> {
  constructor(
    readonly node: T,
    private readonly offset: number,
  ) {}

  get cursor(): string {
    return offsetCursor(this.offset);
  }
}

const OFFSET_PREFIX = 'OffsetConnection:';

function offsetCursor(offset: number): string {
  return Buffer.from(`${OFFSET_PREFIX}${offset}`).toString('base64');
}

function arrayOffset(cursor: string): number {
  const text = Buffer.from(cursor, 'base64').toString('utf8');
  const offset = Number(text.slice(OFFSET_PREFIX.length));
  if (!text.startsWith(OFFSET_PREFIX) || !Number.isInteger(offset) || offset < 0) throw badArg('after', 'is not a cursor this gateway issued');
  return offset;
}

/** A connection read page by page from an upstream list, with the filter and sort translated already. */
export async function upstreamConnection<T>(
  src: ListSource<T>,
  args: ConnectionArgs,
  filter?: QueryV2['filter'],
  sort?: QueryV2['sort'],
  /** The fieldsets the nodes' selection needs (schema/selection.ts); absent = all. */
  mask?: number,
): Promise<Connection<T>> {
  const first = pageSize(args);
  const start = args.after ? decodeCursor(args.after) : { p: {}, s: 0 };
  const fetchPage = pager(src, filter ?? undefined, sort, mask);
  const edges: Connection<T>['edges'] = [];
  let pos: PagePosition | null = start.p;
  let skip = start.s;
  let hasNextPage = false;
  while (pos && !hasNextPage) {
    // One more than needed tells whether a next page exists without another call.
    const limit = Math.min(src.pageMax, skip + first - edges.length + 1);
    const page = await fetchPage(pos, limit);
    for (let i = skip; i < page.items.length; i++) {
      if (edges.length === first) {
        hasNextPage = true;
        break;
      }
      edges.push({ node: page.items[i]!, cursor: encodeCursor({ p: pos, s: i + 1 }) });
    }
    if (page.items.length === 0) break;
    if (!hasNextPage && edges.length === first) hasNextPage = page.next !== null;
    if (edges.length === first) break;
    skip = 0;
    pos = page.next;
  }
  return {
    edges,
    pageInfo: {
      hasNextPage,
      hasPreviousPage: !!args.after,
      startCursor: edges[0]?.cursor ?? null,
      endCursor: edges.at(-1)?.cursor ?? null,
    },
  };
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
