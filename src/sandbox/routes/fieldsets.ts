/** The `fields` list of a request (docs/upstream.md §0.7, §1.1): what a route reads before it calls the domain. */
import { invalidArgument } from '../errors.js';

/**
 * Reads a `fields` list (a body array, or repeated query params of a GET: §1.1) and refuses unknown values or
 * more than `max`, naming what was expected.
 */
export function parseFieldsets<T extends string>(raw: unknown, allowed: readonly T[], max: number, field = 'fields'): T[] {
  if (raw === undefined || raw === null) return [];
  const list = Array.isArray(raw) ? raw : [raw];
  if (list.length > max) {
    throw invalidArgument({ field, description: `must contain at most ${max} items, got ${list.length}`, violatedRule: 'MAX_SIZE', data: { max } });
  }
  for (const value of list) {
    if (!allowed.includes(value as T)) {
      throw invalidArgument({ field, description: `expected one of ${allowed.join(', ')}, got ${JSON.stringify(value)}`, violatedRule: 'INVALID_ENUM_VALUE' });
    }
  }
  return [...new Set(list as T[])];
}
