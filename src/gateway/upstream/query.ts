/**
 * A small builder for the Wix API Query Language (docs/upstream.md §1.4) and the one place that pages through an
 * upstream list, whichever paging style the API speaks.
 */
import type { CursorPagingMetadata, Filter, PagingMetadataV2, QueryV2, Sorting } from '../../wire/types.js';

/** `{field: {$in: values}}`: every key the loaders batch on takes $in upstream (participations: §3.3). */
export function inFilter(field: string, values: readonly string[]): Filter {
  return { [field]: { $in: [...values] } };
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

export interface Page<T> {
  items: T[];
  next: PagePosition | null;
}

export type PagingStyle = 'cursor' | 'offset';

/** Builds the query for one page: the SDK sends only `cursorPaging` once it holds a cursor (docs/upstream.md §1.4). */
export function pageQuery(style: PagingStyle, pos: PagePosition, limit: number, filter?: Filter, sort?: Sorting[]): QueryV2 {
  if (style === 'offset') return { filter: filter ?? undefined, sort, paging: { limit, offset: pos.offset ?? 0 } };
  if (pos.cursor) return { cursorPaging: { limit, cursor: pos.cursor } };
  return { filter: filter ?? undefined, sort, cursorPaging: { limit } };
}

/** The position after a page, read from the upstream's paging metadata. */
export function nextPosition(
  style: PagingStyle,
  pos: PagePosition,
  received: number,
  meta: CursorPagingMetadata | PagingMetadataV2 | undefined,
): PagePosition | null {
  if (style === 'offset') {
    const offset = (pos.offset ?? 0) + received;
    const total = (meta as PagingMetadataV2 | undefined)?.total;
    return received > 0 && (total === undefined || offset < total) ? { offset } : null;
  }
  const next = meta?.cursors?.next;
  return next ? { cursor: next } : null;
}

/**
 * Reads pages until `max` items (or the end). Each page asks for at most `pageMax`, the upstream's own maximum,
 * so an analyst's `first: 500` becomes five calls of 100 where the API stops at 100.
 */
export async function collect<T>(
  fetchPage: (pos: PagePosition, limit: number) => Promise<Page<T>>,
  options: { pageMax: number; max?: number; start?: PagePosition },
): Promise<{ items: T[]; next: PagePosition | null }> {
  const max = options.max ?? Number.POSITIVE_INFINITY;
  const items: T[] = [];
  let pos: PagePosition | null = options.start ?? {};
  while (pos && items.length < max) {
    const limit = Math.min(options.pageMax, max - items.length);
    const page: Page<T> = await fetchPage(pos, limit);
    items.push(...page.items);
    pos = page.next;
    if (page.items.length === 0) break;
  }
  return { items, next: pos };
}

/** Splits keys into chunks no larger than the upstream takes in one `$in` / page. */
export function chunk<T>(items: readonly T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}
