/**
 * Key lookups without a full evaluation of every row: the gateway's reads are `$in`/`$eq` lists of ids on one flat
 * field (guests by eventId/rsvpId/id, RSVPs by id/eventId, participations by eventId, …), each a hash lookup here.
 * `narrow` keeps only the rows a filter's key conditions can match; runQuery still evaluates the whole filter on
 * what is left, so this only skips rows that could never match and the answer is exactly the full scan's.
 * It is built from the query each time, so there is nothing to keep up to date when a route writes a row.
 */
import type { Filter } from '../wire/types.js';

// Operands the query language compares by identity alone: not timestamps (compared as instants) and not numbers
// (which match their numeric strings), see `equal` in query-language.ts.
const ISO_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})$/;
const NUMERIC = /^-?\d+(\.\d+)?$/;

interface KeyCondition {
  field: string;
  values: Set<string>;
}

/** The rows of `items` that satisfy every key condition of `filter` (all of them when it has none). */
export function narrow<T extends object>(items: Iterable<T>, filter: Filter | null | undefined): T[] {
  const conditions: KeyCondition[] = [];
  if (filter) collect(filter, conditions);
  if (conditions.length === 0) return Array.isArray(items) ? items : [...items];
  // The most selective condition first: usually the only one.
  conditions.sort((a, b) => a.values.size - b.values.size);
  const out: T[] = [];
  for (const item of items) {
    let keep = true;
    for (const c of conditions) {
      if (!holds((item as Record<string, unknown>)[c.field], c.values)) {
        keep = false;
        break;
      }
    }
    if (keep) out.push(item);
  }
  return out;
}

/** A field's value matches when it, or (for a list field) one of its elements, is one of the values. */
function holds(value: unknown, values: Set<string>): boolean {
  if (typeof value === 'string') return values.has(value);
  if (Array.isArray(value)) return value.some((v) => typeof v === 'string' && values.has(v));
  return false;
}

/** Key conditions that every matching row must meet: top-level fields and those under top-level `$and`s. */
function collect(filter: Filter, out: KeyCondition[]): void {
  for (const [key, value] of Object.entries(filter)) {
    if (key === '$and') {
      if (Array.isArray(value)) for (const sub of value) if (sub && typeof sub === 'object') collect(sub as Filter, out);
      continue;
    }
    // Dotted paths fan out over arrays in the query language; only flat fields are looked up here.
    if (key.startsWith('$') || key.includes('.')) continue;
    const values = keyValues(value);
    if (values) out.push({ field: key, values });
  }
}

function keyValues(condition: unknown): Set<string> | undefined {
  if (isPlain(condition)) return new Set([condition]);
  if (!condition || typeof condition !== 'object' || Array.isArray(condition)) return undefined;
  const ops = condition as Record<string, unknown>;
  if (!Object.keys(ops).every((k) => k.startsWith('$'))) return undefined;
  if (isPlain(ops.$eq)) return new Set([ops.$eq]);
  if (Array.isArray(ops.$in) && ops.$in.every(isPlain)) return new Set(ops.$in as string[]);
  return undefined;
}

function isPlain(v: unknown): v is string {
  return typeof v === 'string' && !ISO_TIME.test(v) && !NUMERIC.test(v);
}
