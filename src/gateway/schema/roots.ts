/** The two root fields every node type has: one by id, and a filtered, sorted connection paged from upstream. */
import type { ObjectRef } from '@pothos/core';
import type { GraphQLResolveInfo } from 'graphql';
import type { ListSource } from '../loaders.js';
import type { GatewayContext } from '../context.js';
import { builder } from './builder.js';
import type { defineFilter } from './filters.js';
import { globalId } from '../validation.js';
import { countedConnection, uncountedConnection, upstreamConnection } from './paging.js';
import { loadOrNull } from './loading.js';
import { selectedFieldsets, selectsTotalCount } from './selection.js';

type Resource = 'session' | 'booking' | 'attendance' | 'participation' | 'event' | 'guest' | 'rsvp';

/** The fieldsets the selection needs, for the kinds that have fieldsets (undefined, i.e. all, for the others). */
function fieldsetsOf(resource: Resource, info: GraphQLResolveInfo, connection = false): number | undefined {
  return resource === 'event' || resource === 'guest' || resource === 'rsvp' ? selectedFieldsets(resource, info, connection) : undefined;
}

export function addRootQueries<T>(options: {
  /** GraphQL type name, for global ids. */
  typename: string;
  /** The loader and the upstream list source of the same name. */
  resource: Resource;
  ref: ObjectRef<any, any>;
  filter: ReturnType<typeof defineFilter>;
  plural: string;
  /** The connection type's options: a totalCount saying how it is counted, or why the list has none. */
  connection: ReturnType<typeof countedConnection> | ReturnType<typeof uncountedConnection>;
}) {
  const { typename, resource, ref, filter, plural } = options;
  builder.queryFields((t) => ({
    [resource]: t.field({
      type: ref,
      nullable: true,
      description: `One ${typename}, by its global id or its upstream id; null when the upstream has none.`,
      args: { id: t.arg.id({ required: true }) },
      // The ref's shape is generic here, which Pothos cannot check against; each caller passes a matching pair.
      resolve: ((_root: unknown, args: { id: string | number }, ctx: GatewayContext, info: GraphQLResolveInfo) =>
        loadOrNull(
          ctx.loaders[resource] as { load(key: string, mask?: number): Promise<T | null> },
          globalId(typename, String(args.id), 'id'),
          fieldsetsOf(resource, info),
        )) as never,
    }),
    [plural]: t.connection({
      type: ref,
      args: { filter: t.arg({ type: filter.filterRef }), sort: t.arg({ type: [filter.sortRef!] }) },
      resolve: (_root, args, ctx, info) =>
        upstreamConnection<T>(
          ctx.loaders.sources[resource] as unknown as ListSource<T>,
          args,
          filter.toFilter(args.filter),
          filter.toSort(args.sort),
          fieldsetsOf(resource, info, true),
          selectsTotalCount(info),
        ),
    }, options.connection),
  }));
}
