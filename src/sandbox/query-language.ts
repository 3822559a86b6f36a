/**
 * The Wix API Query Language (docs/upstream.md §1.4), generic over wire objects: filters, sort, cursor and offset
 * paging, with each API's own field/operator table (QuerySpec). Anything the table does not allow is a 400 in the
 * upstream's validationError shape, as the real APIs answer.
 */
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import type { CursorPagingMetadata, Filter, PagingMetadataV2, QueryV2, Sorting } from '../wire/types.js';
import { invalidArgument } from './errors.js';
import { narrow } from './index.js';

export type Op =
  | '$eq'
  | '$ne'
  | '$lt'
  | '$lte'
  | '$gt'
  | '$gte'
  | '$in'
  | '$nin'
  | '$exists'
  | '$hasSome'
  | '$hasAll'
  | '$startsWith'
  | '$contains';

export interface FieldSpec {
  ops: readonly Op[];
  /** absent = not sortable; 'ASC' = ascending only (attendance §2.3); 'BOTH' = ASC and DESC. */
  sort?: 'ASC' | 'BOTH';
}

export interface QuerySpec {
  /** Filterable/sortable fields by wire path (dotted paths like 'guestDetails.checkedIn', 'start.utcDate'). */
  fields: Record<string, FieldSpec>;
  defaultSort: Sorting[];
  defaultLimit: number;
  maxLimit: number;
  paging: 'cursor' | 'offset' | 'both';
  /**
   * 'cursor' -> {count, cursors{next,prev}, hasNext}; 'cursor-no-count' -> {cursors, hasNext} (attendance);
   * 'v2' -> PagingMetadataV2: offset paging {count, offset, total, tooManyToCount}, cursor paging {count, cursors}.
   */
  metadata: 'cursor' | 'cursor-no-count' | 'v2';
  maxSort?: number;
}

export const ALL_OPS: readonly Op[] = ['$eq', '$ne', '$lt', '$lte', '$gt', '$gte', '$in', '$nin', '$exists', '$hasSome', '$hasAll', '$startsWith', '$contains'];

export function runQuery<T extends object>(
  items: Iterable<T>,
  query: QueryV2 | undefined | null,
  spec: QuerySpec,
): { items: T[]; pagingMetadata: CursorPagingMetadata | PagingMetadataV2 } {
  const q = query ?? {};
  if (q.cursorPaging && q.paging) {
    throw invalidArgument({ field: 'query.paging', description: 'paging and cursorPaging are a one-of: send only one' });
  }
  const useOffset = !!q.paging || (!q.cursorPaging && spec.paging === 'offset');
  if (q.paging && spec.paging === 'cursor') {
    throw invalidArgument({ field: 'query.paging', description: 'this API supports cursor paging only (cursorPaging)' });
  }
  if (q.cursorPaging && spec.paging === 'offset') {
    throw invalidArgument({ field: 'query.cursorPaging', description: 'this API supports offset paging only (paging)' });
  }

  let filter: Filter | null | undefined = q.filter;
  let sort: Sorting[] | undefined = q.sort;
  let offset = 0;
  let limit: number;
  const cursor = q.cursorPaging?.cursor;
  if (cursor) {
    // The SDK sends only {cursorPaging} on follow-up calls: filter and sort travel inside the cursor.
    const state = decodeCursor(cursor);
    filter = state.f;
    sort = state.s;
    offset = state.o;
    limit = checkLimit(q.cursorPaging?.limit ?? state.l, spec, 'query.cursorPaging.limit');
  } else if (useOffset) {
    limit = checkLimit(q.paging?.limit ?? spec.defaultLimit, spec, 'query.paging.limit');
    offset = q.paging?.offset ?? 0;
    if (!Number.isInteger(offset) || offset < 0) {
      throw invalidArgument({ field: 'query.paging.offset', description: `must be a non-negative integer, got ${JSON.stringify(offset)}` });
    }
  } else {
    limit = checkLimit(q.cursorPaging?.limit ?? spec.defaultLimit, spec, 'query.cursorPaging.limit');
  }
  validateFilter(filter, spec, 'query.filter');
  const sorting = normaliseSort(sort, spec);

  const matching = sortBy(
    narrow(items, filter).filter((item) => evaluate(item, filter ?? {})),
    sorting,
  );
  const page = matching.slice(offset, offset + limit);
  const hasNext = offset + limit < matching.length;

  if (useOffset) {
    const meta: PagingMetadataV2 = { count: page.length, offset, total: matching.length, tooManyToCount: false };
    if (spec.metadata !== 'v2') {
      return { items: page, pagingMetadata: { count: page.length, cursors: {}, hasNext } as CursorPagingMetadata };
    }
    return { items: page, pagingMetadata: meta };
  }
  const cursors = {
    next: hasNext ? encodeCursor({ f: filter ?? null, s: sort, o: offset + limit, l: limit }) : null,
    prev: offset > 0 ? encodeCursor({ f: filter ?? null, s: sort, o: Math.max(0, offset - limit), l: limit }) : null,
  };
  if (spec.metadata === 'v2') return { items: page, pagingMetadata: { count: page.length, cursors } };
  if (spec.metadata === 'cursor-no-count') return { items: page, pagingMetadata: { cursors, hasNext } };
  return { items: page, pagingMetadata: { count: page.length, cursors, hasNext } };
}

export function matchesFilter(item: object, filter: Filter | null | undefined, spec: QuerySpec): boolean {
  validateFilter(filter, spec);
  return evaluate(item, filter ?? {});
}

export function countMatching<T extends object>(items: Iterable<T>, filter: Filter | null | undefined, spec: QuerySpec, fieldName = 'filter'): number {
  validateFilter(filter, spec, fieldName);
  let n = 0;
  for (const item of items) if (evaluate(item, filter ?? {})) n++;
  return n;
}

/** Throws a 400 naming the first field or operator the API does not support. */
export function validateFilter(filter: unknown, spec: QuerySpec, fieldName = 'filter'): void {
  if (filter === undefined || filter === null) return;
  if (typeof filter !== 'object' || Array.isArray(filter)) {
    throw invalidArgument({ field: fieldName, description: 'filter must be an object' });
  }
  for (const [key, value] of Object.entries(filter as Record<string, unknown>)) {
    const path = `${fieldName}.${key}`;
    if (key === '$and' || key === '$or') {
      if (!Array.isArray(value)) throw invalidArgument({ field: path, description: `${key} takes an array of filters` });
      value.forEach((sub, i) => validateFilter(sub, spec, `${path}[${i}]`));
      continue;
    }
    if (key === '$not') {
      if (!value || typeof value !== 'object' || Array.isArray(value)) {
        throw invalidArgument({ field: path, description: `$not takes a filter object, got ${JSON.stringify(value)}` });
      }
      validateFilter(value, spec, path);
      continue;
    }
    if (key.startsWith('$')) throw invalidArgument({ field: path, description: `unknown operator ${key} at the top of a filter` });
    const field = spec.fields[key];
    if (!field) {
      throw invalidArgument({
        field: path,
        description: `filtering on "${key}" is not supported; supported fields: ${Object.keys(spec.fields).filter((f) => !f.startsWith('__')).join(', ')}`,
        violatedRule: 'OTHER',
        ruleName: 'UNSUPPORTED_FILTER_FIELD',
      });
    }
    if (value && typeof value === 'object' && !Array.isArray(value) && !isOperatorObject(value)) {
      // `{f: {}}` or `{f: {$eq: 1, x: 2}}`: neither an operator object nor a scalar to compare with.
      throw invalidArgument({ field: path, description: `expected a value or an object of operators ($eq, $in, …), got ${JSON.stringify(value)}` });
    }
    const conditions = isOperatorObject(value) ? Object.entries(value as Record<string, unknown>) : [['$eq', value] as [string, unknown]];
    for (const [op, operand] of conditions) {
      if (!(ALL_OPS as readonly string[]).includes(op)) {
        throw invalidArgument({ field: `${path}.${op}`, description: `unknown operator ${op}` });
      }
      // `{f: null}` and `{f: {$ne: null}}` are the SDK's isEmpty/isNotEmpty (docs/upstream.md §1.4): allowed wherever
      // $eq/$ne or $exists is.
      const allowed = field.ops.includes(op as Op) || (operand === null && (op === '$eq' || op === '$ne') && field.ops.includes('$exists'));
      if (!allowed) {
        throw invalidArgument({
          field: `${path}.${op}`,
          description: `operator ${op} is not supported on "${key}"; supported: ${field.ops.join(' ')}`,
          violatedRule: 'OTHER',
          ruleName: 'UNSUPPORTED_FILTER_OPERATOR',
        });
      }
      checkOperand(op as Op, operand, `${path}.${op}`);
    }
  }
}

// Private helpers: evaluation, sorting and cursors.

function isOperatorObject(value: unknown): boolean {
  return !!value && typeof value === 'object' && !Array.isArray(value) && Object.keys(value).length > 0 && Object.keys(value).every((k) => k.startsWith('$'));
}

function checkOperand(op: Op, operand: unknown, field: string): void {
  const list = ['$in', '$nin', '$hasSome', '$hasAll'].includes(op);
  if (list && !Array.isArray(operand)) throw invalidArgument({ field, description: `${op} takes an array, got ${JSON.stringify(operand)}` });
  if (op === '$exists' && typeof operand !== 'boolean') throw invalidArgument({ field, description: `$exists takes true or false` });
  if ((op === '$startsWith' || op === '$contains') && typeof operand !== 'string') {
    throw invalidArgument({ field, description: `${op} takes a string` });
  }
  if (['$lt', '$lte', '$gt', '$gte'].includes(op) && (operand === null || typeof operand === 'object')) {
    throw invalidArgument({ field, description: `${op} takes a string, number or date` });
  }
}

/** Values at a dotted path; arrays along the way fan out, so `guestList.guests.fullName` yields every name. */
function valuesAt(item: unknown, path: string): unknown[] {
  if (!path.includes('.')) {
    // A flat field (most filters and every sort): the same answer without the walk.
    const value = item === null || item === undefined ? undefined : (item as any)[path];
    return value === undefined ? [] : [value];
  }
  let current: unknown[] = [item];
  for (const part of path.split('.')) {
    const next: unknown[] = [];
    for (const value of current) {
      if (value === null || value === undefined) continue;
      const child = Array.isArray(value) ? value.flatMap((v) => (v && typeof v === 'object' ? [(v as any)[part]] : [])) : (value as any)[part];
      if (Array.isArray(child) && Array.isArray(value)) next.push(...child);
      else next.push(child);
    }
    current = next;
  }
  return current.filter((v) => v !== undefined);
}

function evaluate(item: unknown, filter: Filter): boolean {
  for (const [key, value] of Object.entries(filter)) {
    if (key === '$and') {
      if (!(value as Filter[]).every((f) => evaluate(item, f))) return false;
    } else if (key === '$or') {
      if (!(value as Filter[]).some((f) => evaluate(item, f))) return false;
    } else if (key === '$not') {
      if (evaluate(item, value as Filter)) return false;
    } else {
      const conditions = isOperatorObject(value) ? Object.entries(value as Record<string, unknown>) : [['$eq', value] as [string, unknown]];
      const values = valuesAt(item, key);
      for (const [op, operand] of conditions) if (!test(values, op as Op, operand)) return false;
    }
  }
  return true;
}

function test(raw: unknown[], op: Op, operand: unknown): boolean {
  // An array field is matched element-wise; a scalar field is a one-element list.
  const values = raw.flatMap((v) => (Array.isArray(v) ? v : [v])).filter((v) => v !== null);
  const present = raw.some((v) => v !== null && !(Array.isArray(v) && v.length === 0));
  switch (op) {
    case '$eq':
      return operand === null ? !present : values.some((v) => equal(v, operand));
    case '$ne':
      return operand === null ? present : !values.some((v) => equal(v, operand));
    case '$in':
      return values.some((v) => isIn(v, operand as unknown[]));
    case '$nin':
      return !values.some((v) => isIn(v, operand as unknown[]));
    case '$hasSome':
      return (operand as unknown[]).some((o) => values.some((v) => equal(v, o)));
    case '$hasAll':
      return (operand as unknown[]).every((o) => values.some((v) => equal(v, o)));
    case '$exists':
      return operand ? present : !present;
    case '$startsWith':
      return values.some((v) => typeof v === 'string' && v.toLowerCase().startsWith((operand as string).toLowerCase()));
    case '$contains':
      return values.some((v) => typeof v === 'string' && v.toLowerCase().includes((operand as string).toLowerCase()));
    case '$lt':
      return values.some((v) => compare(v, operand) < 0);
    case '$lte':
      return values.some((v) => compare(v, operand) <= 0);
    case '$gt':
      return values.some((v) => compare(v, operand) > 0);
    case '$gte':
      return values.some((v) => compare(v, operand) >= 0);
  }
}

const ISO_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})$/;
const INT = /^-?\d+$/;

/** Timestamps compare as instants: `…:00Z` and `…:00.000Z` are the same time but not the same string (§1.3). */
function asInstant(a: unknown, b: unknown): [number, number] | undefined {
  if (typeof a !== 'string' || typeof b !== 'string' || !ISO_TIME.test(a) || !ISO_TIME.test(b)) return undefined;
  const x = Date.parse(a);
  const y = Date.parse(b);
  return Number.isNaN(x) || Number.isNaN(y) ? undefined : [x, y];
}

/**
 * `$in` lists as sets, once per list (a filter is evaluated against every row with the same arrays). A value in the
 * set is equal to one of them; when every operand is a plain string (no timestamp, nothing numeric), `equal` can
 * match nothing else, so a value not in the set is in no operand: a 100-id `$in` costs one lookup per row, not 100
 * comparisons.
 */
const IN_SETS = new WeakMap<readonly unknown[], { set: Set<unknown>; plain: boolean }>();
const NUMERIC = /^-?\d+(\.\d+)?$/;

function isIn(value: unknown, operand: readonly unknown[]): boolean {
  let known = IN_SETS.get(operand);
  if (!known) {
    known = { set: new Set(operand), plain: operand.every((o) => typeof o === 'string' && !ISO_TIME.test(o) && !NUMERIC.test(o)) };
    IN_SETS.set(operand, known);
  }
  if (known.set.has(value)) return true;
  return !known.plain && operand.some((o) => equal(value, o));
}

function equal(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  const instants = asInstant(a, b);
  if (instants) return instants[0] === instants[1];
  // int64 values travel as strings ("2") but callers may filter with numbers, and vice versa.
  if ((typeof a === 'number' && typeof b === 'string') || (typeof a === 'string' && typeof b === 'number')) {
    return /^-?\d+(\.\d+)?$/.test(String(a)) && /^-?\d+(\.\d+)?$/.test(String(b)) && Number(a) === Number(b);
  }
  return false;
}

function compare(a: unknown, b: unknown): number {
  if (a === undefined || a === null) return b === undefined || b === null ? 0 : -1;
  if (b === undefined || b === null) return 1;
  if (typeof a === 'number' && typeof b === 'number') return a < b ? -1 : a > b ? 1 : 0;
  const instants = asInstant(a, b);
  if (instants) return instants[0] - instants[1];
  // int64 strings (revision, entityEventSequence) order numerically: "10" after "9" (§1.3).
  const numeric = (v: unknown) => (typeof v === 'number' && Number.isInteger(v)) || (typeof v === 'string' && INT.test(v));
  if (numeric(a) && numeric(b)) {
    const x = BigInt(a as string | number);
    const y = BigInt(b as string | number);
    return x < y ? -1 : x > y ? 1 : 0;
  }
  const decimal = (v: unknown) => typeof v === 'number' || (typeof v === 'string' && /^-?\d+(\.\d+)?$/.test(v));
  if ((typeof a === 'number' || typeof b === 'number') && decimal(a) && decimal(b)) return Math.sign(Number(a) - Number(b));
  if (typeof a === 'boolean' && typeof b === 'boolean') return Number(a) - Number(b);
  const sa = String(a);
  const sb = String(b);
  return sa < sb ? -1 : sa > sb ? 1 : 0;
}

function normaliseSort(sort: Sorting[] | undefined, spec: QuerySpec): Sorting[] {
  if (sort !== undefined && !Array.isArray(sort)) throw invalidArgument({ field: 'query.sort', description: 'sort must be an array of {fieldName, order}' });
  if (!sort || sort.length === 0) return spec.defaultSort;
  if (spec.maxSort && sort.length > spec.maxSort) {
    throw invalidArgument({ field: 'query.sort', description: `at most ${spec.maxSort} sort fields, got ${sort.length}` });
  }
  return sort.map((s, i) => {
    const field = spec.fields[s?.fieldName];
    const order = s?.order ?? 'ASC';
    if (order !== 'ASC' && order !== 'DESC') {
      throw invalidArgument({ field: `query.sort[${i}].order`, description: `order must be ASC or DESC, got ${JSON.stringify(order)}` });
    }
    if (!field?.sort) {
      throw invalidArgument({ field: `query.sort[${i}].fieldName`, description: `sorting by "${s?.fieldName}" is not supported` });
    }
    if (field.sort === 'ASC' && order === 'DESC') {
      throw invalidArgument({ field: `query.sort[${i}].order`, description: `"${s.fieldName}" can only be sorted ASC` });
    }
    return { fieldName: s.fieldName, order };
  });
}

/**
 * The rows in sort order, then by id (a stable tie-breaker keeps pages deterministic when sort keys repeat).
 * Each row's sort values are read (and timestamps parsed) once, not once per comparison: the same order at a
 * fraction of the cost on a few thousand rows.
 */
function sortBy<T extends object>(rows: T[], sorting: Sorting[]): T[] {
  if (rows.length < 2) return rows;
  const keyed = rows.map((row) => {
    const id = (row as { id?: string }).id;
    return {
      row,
      id,
      // An id that is neither a timestamp nor an integer compares as a plain string (what `compare` ends in).
      plainId: typeof id === 'string' && !ISO_TIME.test(id) && !INT.test(id),
      keys: sorting.map((s) => {
        const value = valuesAt(row, s.fieldName)[0];
        const instant = typeof value === 'string' && ISO_TIME.test(value) ? Date.parse(value) : Number.NaN;
        return { value, instant };
      }),
    };
  });
  keyed.sort((a, b) => {
    for (let i = 0; i < sorting.length; i++) {
      const x = a.keys[i]!;
      const y = b.keys[i]!;
      // Two timestamps compare as instants, as `compare` does; anything else goes through `compare` itself.
      const c = !Number.isNaN(x.instant) && !Number.isNaN(y.instant) ? x.instant - y.instant : compare(x.value, y.value);
      if (c !== 0) return sorting[i]!.order === 'DESC' ? -c : c;
    }
    if (a.plainId && b.plainId) return a.id! < b.id! ? -1 : a.id! > b.id! ? 1 : 0;
    return compare(a.id, b.id);
  });
  return keyed.map((k) => k.row);
}

interface CursorState {
  f: Filter | null;
  s?: Sorting[];
  o: number;
  l: number;
}

const cursorKey = randomBytes(32);

function encodeCursor(state: CursorState): string {
  const payload = Buffer.from(JSON.stringify(state)).toString('base64url');
  return `${payload}.${sign(payload)}`;
}

function decodeCursor(cursor: string): CursorState {
  const bad = () => invalidArgument({ field: 'query.cursorPaging.cursor', description: 'the cursor is malformed, expired or was not issued by this API' });
  if (typeof cursor !== 'string' || cursor.length > 16_000) throw bad();
  const [payload, mac] = cursor.split('.');
  if (!payload || !mac) throw bad();
  const expected = Buffer.from(sign(payload));
  const given = Buffer.from(mac);
  if (expected.length !== given.length || !timingSafeEqual(expected, given)) throw bad();
  try {
    return JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as CursorState;
  } catch {
    throw bad();
  }
}

function sign(payload: string): string {
  return createHmac('sha256', cursorKey).update(payload).digest('base64url').slice(0, 22);
}

function checkLimit(limit: unknown, spec: QuerySpec, field: string): number {
  if (typeof limit !== 'number' || !Number.isInteger(limit) || limit < 0 || limit > spec.maxLimit) {
    throw invalidArgument({ field, description: `limit must be an integer from 0 to ${spec.maxLimit}, got ${JSON.stringify(limit)}` });
  }
  return limit;
}
