import { GraphQLError, Kind, type ValueNode } from 'graphql';
import { builder } from './builder.js';

const ISO = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,9})?(Z|[+-]\d{2}:\d{2})$/;

builder.scalarType('DateTime', {
  description: 'An ISO-8601 timestamp (UTC, e.g. 2026-01-01T09:00:00.000Z).',
  serialize: (value) => String(value),
  parseValue: (value) => parseDateTime(value),
});

builder.scalarType('JSON', {
  description: 'Arbitrary JSON, passed through as the upstream has it.',
  serialize: (value) => value,
  parseValue: (value) => value,
  parseLiteral: (ast) => literal(ast),
});

function parseDateTime(value: unknown): string {
  if (typeof value !== 'string' || !ISO.test(value) || Number.isNaN(Date.parse(value))) {
    throw new GraphQLError(`DateTime must be an ISO-8601 timestamp such as 2026-01-01T09:00:00Z, got ${JSON.stringify(value)}`);
  }
  return new Date(value).toISOString();
}

function literal(ast: ValueNode): unknown {
  switch (ast.kind) {
    case Kind.STRING:
    case Kind.BOOLEAN:
      return ast.value;
    case Kind.INT:
    case Kind.FLOAT:
      return Number(ast.value);
    case Kind.NULL:
      return null;
    case Kind.LIST:
      return ast.values.map(literal);
    case Kind.OBJECT:
      return Object.fromEntries(ast.fields.map((f) => [f.name.value, literal(f.value)]));
    default:
      throw new GraphQLError('JSON literals cannot contain variables');
  }
}
