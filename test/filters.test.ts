/**
 * Filter and sort translation (src/gateway/schema/filters.ts) in process: the typed GraphQL input becomes the Wix
 * API Query Language the upstream reads. Over real HTTP the graph tests check the rows that come back.
 */
import { describe, expect, it } from 'vitest';
import { GraphQLError } from 'graphql';
import { defineFilter, ID_EQ_IN, RANGE } from '../src/gateway/schema/filters.js';

const { toFilter, toSort } = defineFilter(
  'UnitThing',
  {
    id: { path: 'id', type: 'ID', ops: ID_EQ_IN },
    checkedIn: { path: 'guestDetails.checkedIn', type: 'Boolean', ops: ['eq', 'exists'] },
    created: { path: 'createdDate', type: 'DateTime', ops: RANGE },
  },
  { created: { path: 'createdDate', orders: 'BOTH' }, name: { path: 'lastName', orders: 'ASC' } },
);

function thrown(fn: () => unknown): GraphQLError {
  try {
    fn();
  } catch (err) {
    return err as GraphQLError;
  }
  throw new Error('expected a throw');
}

describe('toFilter', () => {
  it('maps fields to wire paths and operators to $-operators; one field is the filter itself', () => {
    expect(toFilter({ checkedIn: { eq: true } })).toEqual({ 'guestDetails.checkedIn': { $eq: true } });
    expect(toFilter({ id: { in: ['a', 'b'] } })).toEqual({ id: { $in: ['a', 'b'] } });
  });

  it('joins several fields with $and, and keeps several operators on one field together', () => {
    expect(toFilter({ id: { ne: 'a' }, created: { gte: '2026-01-01T00:00:00Z', lt: '2026-02-01T00:00:00Z' } })).toEqual({
      $and: [{ id: { $ne: 'a' } }, { createdDate: { $gte: '2026-01-01T00:00:00Z', $lt: '2026-02-01T00:00:00Z' } }],
    });
  });

  it('translates and / or / not recursively', () => {
    expect(toFilter({ or: [{ id: { eq: 'a' } }, { not: { checkedIn: { exists: true } } }] })).toEqual({
      $or: [{ id: { $eq: 'a' } }, { $not: { 'guestDetails.checkedIn': { $exists: true } } }],
    });
  });

  it('leaves out null and empty parts; an empty filter is no filter', () => {
    expect(toFilter(null)).toBeUndefined();
    expect(toFilter({ id: null, created: {} })).toBeUndefined();
    expect(toFilter({ id: { eq: 'a', in: null } })).toEqual({ id: { $eq: 'a' } });
  });

  it('refuses an empty in-list, naming the path inside and/or', () => {
    const err = thrown(() => toFilter({ and: [{ id: { eq: 'a' } }, { id: { in: [] } }] }));
    expect(err.extensions.code).toBe('BAD_USER_INPUT');
    expect(err.extensions.field).toBe('filter.and[1].id.in');
  });
});

describe('toSort', () => {
  it('maps sort fields to wire paths, ASC by default', () => {
    expect(toSort([{ field: 'created', order: 'DESC' }, { field: 'name' }])).toEqual([
      { fieldName: 'createdDate', order: 'DESC' },
      { fieldName: 'lastName', order: 'ASC' },
    ]);
    expect(toSort([])).toBeUndefined();
  });

  it('refuses DESC on a field the upstream sorts ascending only, naming the position', () => {
    expect(thrown(() => toSort([{ field: 'created' }, { field: 'name', order: 'DESC' }])).extensions.field).toBe('sort[1].order');
  });
});
