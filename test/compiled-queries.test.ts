/**
 * Which operations run compiled (src/gateway/compiled-queries.ts): plain queries only. Incremental delivery
 * (@defer/@stream) and @live need the standard executor, so a compiled run of them would answer in one part or
 * never again; subscriptions and mutations stay on it too.
 */
import { parse } from 'graphql';
import { describe, expect, it } from 'vitest';
import { compilable } from '../src/gateway/compiled-queries.js';

describe('compiled queries', () => {
  it('compiles a plain query, also one that names a fragment', () => {
    expect(compilable(parse('{ events(first: 2) { edges { node { eventId } } } }'))).toBe(true);
    expect(compilable(parse('query Q { events(first: 2) { edges { node { ...E } } } } fragment E on Event { eventId title }'), 'Q')).toBe(true);
  });

  it('leaves @defer, @stream and @live queries, mutations and subscriptions to the standard executor', () => {
    expect(compilable(parse('{ events(first: 2) { edges { node { eventId ... @defer { title } } } } }'))).toBe(false);
    expect(compilable(parse('query Q { events(first: 2) { edges @stream(initialCount: 1) { node { ...E } } } } fragment E on Event { eventId }'), 'Q')).toBe(false);
    expect(compilable(parse('query Q { ...R } fragment R on Query { events(first: 1) { edges { node { ... @defer { title } } } } }'), 'Q')).toBe(false);
    expect(compilable(parse('query @live { events(first: 2) { edges { node { eventId } } } }'))).toBe(false);
    expect(compilable(parse('mutation { __typename }'))).toBe(false);
    expect(compilable(parse('subscription { __typename }'))).toBe(false);
  });

  it('decides per operation of a document with several', () => {
    const doc = parse('query A { __typename } subscription B { __typename }');
    expect(compilable(doc, 'A')).toBe(true);
    expect(compilable(doc, 'B')).toBe(false);
  });
});
