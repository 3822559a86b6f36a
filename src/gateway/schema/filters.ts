/**
 * Typed filter and sort inputs generated from each upstream's own field/operator table (docs/upstream.md §2.3, §3.3,
 * §3.6, §4.3, §5.4, §6.1, §6.2), so the graph offers exactly what the upstream accepts and a query it would refuse
 * cannot be written. Inputs translate to the Wix API Query Language here, in one place.
 */
import { GraphQLEnumType, GraphQLError, type GraphQLSchema } from 'graphql';
import type { Filter, Sorting } from '../../wire/types.js';
import { builder } from './builder.js';

export type Op = 'eq' | 'ne' | 'lt' | 'lte' | 'gt' | 'gte' | 'in' | 'nin' | 'exists' | 'startsWith';
type ScalarName = 'String' | 'ID' | 'Int' | 'Boolean' | 'DateTime';

export interface FilterField {
  /** Wire path, e.g. 'guestDetails.checkedIn'. */
  path: string;
  type: ScalarName | { enumName: string; values: readonly string[] };
  ops: readonly Op[];
  description?: string;
}

export interface SortField {
  path: string;
  /** 'ASC' = the upstream sorts this field ascending only (attendance, docs/upstream.md §2.3). */
  orders: 'ASC' | 'BOTH';
}

export const SortOrderEnum = builder.enumType('SortOrder', { values: ['ASC', 'DESC'] as const });

const enumRefs = new Map<string, ReturnType<typeof builder.enumType>>();

/**
 * The value an upstream enum field shows when the upstream sends one this schema does not list yet: Wix adds enum
 * values over time, and one new status must not turn a whole list into errors.
 */
export const UNKNOWN_ENUM_VALUE = 'UNKNOWN';

/** Names of the enums that carry upstream values (see tolerateUnknownEnumValues). */
export const upstreamEnumNames = new Set<string>();

/** An enum shared by output types and filters (same name, same values), plus UNKNOWN for values added upstream. */
export function sharedEnum(name: string, values: readonly string[], description?: string) {
  let ref = enumRefs.get(name);
  if (!ref) {
    const all = values.includes(UNKNOWN_ENUM_VALUE) ? values : [...values, UNKNOWN_ENUM_VALUE];
    ref = builder.enumType(name, {
      description,
      values: Object.fromEntries(
        all.map((v) => [v, v === UNKNOWN_ENUM_VALUE && !values.includes(v) ? { description: 'A value the upstream sent that this schema does not list yet.' } : {}]),
      ) as Record<string, object>,
    });
    enumRefs.set(name, ref);
    upstreamEnumNames.add(name);
  }
  return ref;
}

/** Makes every upstream enum serialize a value it does not know as UNKNOWN instead of failing the field. */
export function tolerateUnknownEnumValues(schema: GraphQLSchema): GraphQLSchema {
  for (const name of upstreamEnumNames) {
    const type = schema.getType(name);
    if (!(type instanceof GraphQLEnumType)) continue;
    const serialize = type.serialize.bind(type);
    type.serialize = (value: unknown) => {
      try {
        return serialize(value);
      } catch {
        return UNKNOWN_ENUM_VALUE;
      }
    };
  }
  return schema;
}

/**
 * Declares `${name}Filter` (one input per field with only its operators, plus and/or/not) and, when sort fields
 * are given, `${name}Sort`. Returns the refs and the translators to the upstream's filter and sort.
 */
export function defineFilter(name: string, fields: Record<string, FilterField>, sortFields: Record<string, SortField> = {}) {
  const fieldInputs = Object.fromEntries(
    Object.entries(fields).map(([key, field]) => {
      const typeRef = typeof field.type === 'string' ? field.type : sharedEnum(field.type.enumName, field.type.values);
      const input = builder.inputType(`${name}${key[0]!.toUpperCase()}${key.slice(1)}Filter`, {
        description: field.description ?? `Operators the upstream supports on ${field.path}.`,
        fields: (t) =>
          Object.fromEntries(
            field.ops.map((op) => {
              if (op === 'exists') return [op, t.boolean({ description: 'true: the field is set; false: it is not' })];
              if (op === 'in' || op === 'nin') return [op, t.field({ type: [typeRef as any], required: false })];
              return [op, t.field({ type: typeRef as any, required: false })];
            }),
          ),
      });
      return [key, input];
    }),
  );

  const filterRef = builder.inputRef<Record<string, any>>(`${name}Filter`);
  filterRef.implement({
    description: `Filter on ${name}: every field listed is combined with AND; use and/or/not for more.`,
    fields: (t) => ({
      ...Object.fromEntries(Object.entries(fieldInputs).map(([key, input]) => [key, t.field({ type: input as any, required: false })])),
      and: t.field({ type: [filterRef], required: false }),
      or: t.field({ type: [filterRef], required: false }),
      not: t.field({ type: filterRef, required: false }),
    }),
  });

  const sortKeys = Object.keys(sortFields);
  const sortRef = sortKeys.length
    ? builder.inputType(`${name}Sort`, {
        fields: (t) => ({
          field: t.field({ type: sharedEnum(`${name}SortField`, sortKeys), required: true }),
          order: t.field({ type: SortOrderEnum, required: false, defaultValue: 'ASC' }),
        }),
      })
    : undefined;

  function toFilter(input: Record<string, any> | null | undefined, at = 'filter'): Filter | undefined {
    if (!input) return undefined;
    const parts: Filter[] = [];
    for (const [key, value] of Object.entries(input)) {
      if (value === null || value === undefined) continue;
      if (key === 'and' || key === 'or') {
        const subs = (value as Record<string, any>[]).map((v, i) => toFilter(v, `${at}.${key}[${i}]`) ?? {});
        parts.push({ [`$${key}`]: subs });
      } else if (key === 'not') {
        parts.push({ $not: toFilter(value, `${at}.not`) ?? {} });
      } else {
        const field = fields[key]!;
        const ops = Object.entries(value as Record<string, unknown>).filter(([, v]) => v !== undefined && v !== null);
        if (ops.length === 0) continue;
        for (const [op, operand] of ops) {
          if ((op === 'in' || op === 'nin') && Array.isArray(operand) && operand.length === 0) {
            throw new GraphQLError(`${at}.${key}.${op}: must list at least one value`, { extensions: { code: 'BAD_USER_INPUT', field: `${at}.${key}.${op}` } });
          }
        }
        parts.push({ [field.path]: Object.fromEntries(ops.map(([op, operand]) => [`$${op}`, operand])) });
      }
    }
    if (parts.length === 0) return undefined;
    return parts.length === 1 ? parts[0] : { $and: parts };
  }

  function toSort(input: readonly { field: unknown; order?: string | null }[] | null | undefined): Sorting[] | undefined {
    if (!input?.length) return undefined;
    return input.map((s, i) => {
      const spec = sortFields[String(s.field)]!;
      const order = (s.order ?? 'ASC') as 'ASC' | 'DESC';
      if (spec.orders === 'ASC' && order === 'DESC') {
        throw new GraphQLError(`sort[${i}].order: ${s.field} can only be sorted ASC upstream`, {
          extensions: { code: 'BAD_USER_INPUT', field: `sort[${i}].order` },
        });
      }
      return { fieldName: spec.path, order };
    });
  }

  return { filterRef, sortRef, toFilter, toSort };
}

export const ID_EQ_IN: readonly Op[] = ['eq', 'ne', 'in', 'nin'];
export const RANGE: readonly Op[] = ['eq', 'ne', 'lt', 'lte', 'gt', 'gte', 'in', 'nin'];
