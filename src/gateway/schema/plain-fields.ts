/**
 * Fields that only read their parent's property of the same name lose their resolver, so the executor reads the
 * property itself. graphql-jit (compiled-queries.ts) compiles a field without a resolver to a property read; with
 * one, every row pays for a call, an args object, a resolve-info object and its response path (nine objects deep
 * for a guest of an event's guest list). The relay plugin's `edges`, `node` and `pageInfo` and the schema's many
 * `(g) => g.attendanceStatus` are such fields. graphql-js's default resolver reads the same property.
 *
 * Only a resolver whose whole source is `(x) => x.<the field's own name>` is dropped. The values it reads are plain
 * data (upstream JSON, or connection objects the gateway builds synchronously); a field whose value may be a promise
 * (a connection's `totalCount`) keeps its resolver, since it is written differently (`c.totalCount ?? null`).
 */
import { isObjectType, type GraphQLSchema } from 'graphql';

const PROPERTY_READ = /^\(?\s*([A-Za-z_$][\w$]*)\s*\)?\s*=>\s*\1\s*\.\s*([A-Za-z_$][\w$]*)\s*;?$/;

/** Drops the resolvers that read `parent[fieldName]`, in place; answers how many were dropped. */
export function dropPropertyReadResolvers(schema: GraphQLSchema): number {
  let dropped = 0;
  for (const type of Object.values(schema.getTypeMap())) {
    if (!isObjectType(type) || type.name.startsWith('__') || type === schema.getSubscriptionType()) continue;
    for (const field of Object.values(type.getFields())) {
      if (!field.resolve || field.subscribe) continue;
      const read = PROPERTY_READ.exec(field.resolve.toString().trim());
      if (read?.[2] !== field.name) continue;
      field.resolve = undefined;
      dropped++;
    }
  }
  return dropped;
}
