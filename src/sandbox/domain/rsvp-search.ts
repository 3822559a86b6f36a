/**
 * RSVP search (docs/upstream.md §5.3 SearchDetails, §5.4): free text as a filter, and VALUE aggregations. `__search`
 * is the sandbox's own lower-cased haystack of the searchable fields: free text becomes a filter on it, so the
 * stateless cursor carries the search to the next page (the SDK sends only `cursorPaging` there, §1.4).
 */
import type { Rsvp } from '../../wire/types.js';
import { invalidArgument } from '../errors.js';

/** The haystack field a search filter names; route query specs declare it with `$contains`. */
export const SEARCH_KEY = '__search';

const SEARCHABLE = ['email', 'emailDomain', 'firstName', 'lastName', 'guestList.guests.fullName'];

const AGGREGATABLE = new Set([
  'createdDate', 'id', 'updatedDate', 'anonymized', 'checkedInGuestCount', 'contactId', 'eventId', 'fullyCheckedIn',
  'memberId', 'status', 'totalGuests',
]);

/** Items carrying the `__search` haystack; projections drop it because they copy named fields only. */
export function searchable(rsvps: Rsvp[]): (Rsvp & { __search: string })[] {
  return rsvps.map((r) => ({ ...r, __search: haystack(r, SEARCHABLE) }));
}

/**
 * SearchDetails (§5.3) as a filter on `__search`, joined to `filter`: each word must (AND) or may (OR, the
 * default) occur. `fields` narrows the searchable fields; fuzzy matching is not emulated (substring match instead).
 */
export function withSearch(filter: any, details: any, field: string): any {
  const expression = typeof details?.expression === 'string' ? details.expression.trim().toLowerCase() : '';
  if (!expression) return filter ?? undefined;
  if (details.fields !== undefined) {
    const fields: unknown[] = Array.isArray(details.fields) ? details.fields : [];
    const unknown = fields.filter((f) => !SEARCHABLE.includes(String(f)));
    if (unknown.length) throw invalidArgument({ field: `${field}.fields`, description: `searchable fields are ${SEARCHABLE.join(', ')}, got ${JSON.stringify(unknown)}` });
    if (fields.length && fields.length < SEARCHABLE.length) {
      throw invalidArgument({ field: `${field}.fields`, description: 'the sandbox searches all searchable fields; omit search.fields' });
    }
  }
  const words = expression.split(/\s+/).slice(0, 20);
  const clauses = words.map((w: string) => ({ [SEARCH_KEY]: { $contains: w } }));
  const text = details.mode === 'AND' ? { $and: clauses } : { $or: clauses };
  return filter && Object.keys(filter).length ? { $and: [filter, text] } : text;
}

/** A minimal VALUE aggregation (counts per value) over the whole matched set; other kinds are refused. */
export function aggregate(items: Rsvp[], aggregations: any[]): unknown[] {
  if (aggregations.length > 10) throw invalidArgument({ field: 'search.aggregations', description: 'at most 10 aggregations' });
  return aggregations.map((agg, i) => {
    const fieldPath = agg?.fieldPath;
    const type = agg?.type ?? (agg?.value ? 'VALUE' : undefined);
    if (type !== 'VALUE') {
      throw invalidArgument({ field: `search.aggregations[${i}].type`, description: `the sandbox supports VALUE aggregations only, got ${JSON.stringify(type)}` });
    }
    if (!AGGREGATABLE.has(fieldPath)) {
      throw invalidArgument({ field: `search.aggregations[${i}].fieldPath`, description: `expected one of ${[...AGGREGATABLE].join(', ')}, got ${JSON.stringify(fieldPath)}` });
    }
    const counts = new Map<string, number>();
    for (const r of items) {
      const v = (r as any)[fieldPath];
      if (v === undefined || v === null) continue;
      counts.set(String(v), (counts.get(String(v)) ?? 0) + 1);
    }
    const byCount = agg?.value?.sortType !== 'VALUE';
    const desc = (agg?.value?.sortDirection ?? 'DESC') === 'DESC';
    const limit = Math.min(Math.max(agg?.value?.limit ?? 10, 1), 250);
    const results = [...counts.entries()]
      .map(([value, count]) => ({ value, count }))
      .sort((a, b) => {
        const d = byCount ? a.count - b.count : a.value < b.value ? -1 : a.value > b.value ? 1 : 0;
        return desc ? -d : d;
      })
      .slice(0, limit);
    return { name: agg?.name ?? fieldPath, type: 'VALUE', fieldPath, values: { results } };
  });
}

// Private helpers.

function haystack(r: Rsvp, fields: string[]): string {
  const parts: string[] = [];
  for (const f of fields) {
    if (f === 'email' && r.email) parts.push(r.email);
    if (f === 'emailDomain' && r.email) parts.push(r.email.split('@')[1] ?? '');
    if (f === 'firstName' && r.firstName) parts.push(r.firstName);
    if (f === 'lastName' && r.lastName) parts.push(r.lastName);
    if (f === 'guestList.guests.fullName') for (const g of r.guestList?.guests ?? []) if (g.fullName) parts.push(g.fullName);
  }
  return ` ${parts.join(' ').toLowerCase()} `;
}
