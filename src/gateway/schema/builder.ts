/**
 * The Pothos builder and its plugins, nothing else (ARCHITECTURE.md convention 1). Types, queries, mutations and
 * subscriptions live in one file per type beside this one; index.ts imports them and exports the schema.
 */
import SchemaBuilder from '@pothos/core';
import ErrorsPlugin from '@pothos/plugin-errors';
import RelayPlugin from '@pothos/plugin-relay';
import type { GatewayContext } from '../context.js';

export const builder = new SchemaBuilder<{
  Context: GatewayContext;
  Scalars: {
    /** ISO-8601 UTC timestamp, as the upstream sends it. */
    DateTime: { Input: string; Output: string };
    /** Free-form JSON (form answers, extended fields). */
    JSON: { Input: unknown; Output: unknown };
  };
  /** What every connection resolver may return beside edges and pageInfo (schema/paging.ts TotalCount). */
  Connection: { totalCount?: number | null | Promise<number | null> };
  DefaultEdgesNullability: false;
  DefaultNodeNullability: false;
}>({
  plugins: [ErrorsPlugin, RelayPlugin],
  relay: {
    clientMutationId: 'omit',
    cursorType: 'String',
    edgesFieldOptions: { nullable: false },
    nodeFieldOptions: { nullable: false },
  },
  errors: {
    defaultTypes: [],
  },
});

builder.queryType({});
builder.mutationType({});
builder.subscriptionType({});
