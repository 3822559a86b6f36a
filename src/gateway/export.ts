/**
 * Export: a query whose result is one connection (or one list of objects, such as a report's groups) can be
 * downloaded from the same /graphql as CSV (`Accept: text/csv`: a header row of leaf paths, one row per edge) or
 * NDJSON (`Accept: application/x-ndjson`: one JSON object per edge).
 *
 * The rows stream as pages arrive: the connection is read 100 edges per execution (its own `first`/`after`, so each
 * execution costs what a client paging by hand would), and the next page is read only when the client has taken the
 * last one (a pull stream), so an export of any size holds about one page in memory. Each page runs through Yoga's
 * whole pipeline (credentials, limits, masking) as an ordinary JSON request. At most EXPORT_MAX_ROWS rows, or the
 * connection's own `first` when smaller.
 */
import {
  getNamedType,
  getNullableType,
  GraphQLObjectType,
  isLeafType,
  isListType,
  Kind,
  parse,
  print,
  visit,
  type DocumentNode,
  type FieldNode,
  type FragmentDefinitionNode,
  type GraphQLOutputType,
  type GraphQLSchema,
  type OperationDefinitionNode,
  type SelectionSetNode,
} from 'graphql';
import type { Plugin } from 'graphql-yoga';

/** Edges per execution: the upstream page size of most lists, so one page is about one upstream call. */
export const EXPORT_PAGE_SIZE = 100;

type Format = 'csv' | 'ndjson';

interface GraphQLParams {
  query?: string;
  variables?: Record<string, unknown> | null;
  operationName?: string | null;
}

interface ExecutionBody {
  data?: Record<string, unknown> | null;
  errors?: unknown[];
}

export interface ExportOptions {
  schema: GraphQLSchema;
  maxRows: number;
  /** Runs one operation as a JSON request with the caller's headers (Yoga's own fetch). */
  execute(params: GraphQLParams, headers: Headers): Promise<{ status: number; body: ExecutionBody }>;
  /** The export request's id, which its pages carry as theirs (one id in the logs and upstream for the download). */
  requestIdOf?(request: Request): string | undefined;
}

export function useExport(options: ExportOptions): Plugin {
  return {
    // Not an async function: every request passes here, and only an export needs a promise.
    onRequest({ request, url, endResponse }) {
      const format = formatOf(request.headers.get('accept'));
      if (!format || url.pathname !== '/graphql') return undefined;
      if (request.method !== 'GET' && request.method !== 'POST') return undefined;
      return exportResponse(request, url, format, options).then(endResponse);
    },
  };
}

// Private helpers -------------------------------------------------------------------------------------------------

/** Only when CSV or NDJSON is what the client asks for first, so browsers and GraphiQL are unaffected. */
function formatOf(accept: string | null): Format | null {
  const first = accept?.split(',')[0]?.split(';')[0]?.trim().toLowerCase();
  if (first === 'text/csv') return 'csv';
  if (first === 'application/x-ndjson') return 'ndjson';
  return null;
}

async function exportResponse(request: Request, url: URL, format: Format, options: ExportOptions): Promise<Response> {
  let params: GraphQLParams;
  try {
    params = request.method === 'GET' ? paramsFromUrl(url) : ((await request.json()) as GraphQLParams);
  } catch {
    return refusal('the request body must be JSON: {"query": ..., "variables": ...}');
  }
  if (typeof params?.query !== 'string') return refusal('query: a GraphQL query string is required');
  let plan: ExportPlan;
  try {
    plan = planExport(options.schema, params, options.maxRows);
  } catch (err) {
    return refusal(err instanceof Error ? err.message : String(err));
  }
  const headers = forwardHeaders(request.headers);
  const requestId = options.requestIdOf?.(request);
  if (requestId) headers.set('x-request-id', requestId);
  const pages = readPages(plan, params, headers, options);
  // The first page is read before answering, so a bad query or refused credentials get a JSON error, not a broken file.
  const first = await pages.next();
  if (!first.done && 'errors' in first.value) {
    return new Response(JSON.stringify({ errors: first.value.errors }), {
      status: first.value.status >= 400 ? first.value.status : 200,
      headers: { 'content-type': 'application/json; charset=utf-8' },
    });
  }
  const encoder = new TextEncoder();
  let pending: IteratorResult<PageResult> | null = first;
  let written = 0;
  const stream = new ReadableStream<Uint8Array>(
    {
      start(controller) {
        if (format === 'csv') controller.enqueue(encoder.encode(csvLine(plan.columns.map((c) => c.join('.')))));
      },
      async pull(controller) {
        const next = pending ?? (await pages.next());
        pending = null;
        if (next.done) return controller.close();
        if ('errors' in next.value) {
          // Headers are gone already: fail the transfer so the client sees an incomplete download, not a short file.
          return controller.error(new Error('export: a later page failed'));
        }
        let text = '';
        for (const row of next.value.rows) {
          if (written === plan.limit) break;
          written++;
          text += format === 'csv' ? csvLine(plan.columns.map((c) => cell(valueAt(row, c)))) : `${JSON.stringify(row)}\n`;
        }
        if (text) controller.enqueue(encoder.encode(text));
        if (written === plan.limit) {
          controller.close();
          await pages.return(undefined);
        }
      },
      async cancel() {
        await pages.return(undefined);
      },
    },
    { highWaterMark: 1 },
  );
  return new Response(stream, {
    status: 200,
    headers: {
      'content-type': format === 'csv' ? 'text/csv; charset=utf-8' : 'application/x-ndjson; charset=utf-8',
      'content-disposition': `attachment; filename="${plan.name}.${format === 'csv' ? 'csv' : 'ndjson'}"`,
      'x-export-row-limit': String(plan.limit),
      'cache-control': 'no-store',
    },
  });
}

type PageResult = { rows: Record<string, unknown>[] } | { errors: unknown[]; status: number };

/** Executes the plan page by page; a connection pages with its own cursor until the end or the row limit. */
async function* readPages(plan: ExportPlan, params: GraphQLParams, headers: Headers, options: ExportOptions): AsyncGenerator<PageResult> {
  let after: string | null = null;
  let read = 0;
  for (;;) {
    const size = plan.connection ? Math.min(EXPORT_PAGE_SIZE, plan.limit - read) : plan.limit;
    const query = plan.connection ? print(withPage(plan.document, plan.target, size, after)) : params.query!;
    const { status, body } = await options.execute({ query, variables: params.variables, operationName: params.operationName }, headers);
    if (body.errors?.length || !body.data) {
      yield { errors: body.errors ?? [{ message: 'export: no data' }], status };
      return;
    }
    const container = plan.path.reduce<unknown>((v, key) => (v && typeof v === 'object' ? (v as Record<string, unknown>)[key] : undefined), body.data);
    if (!plan.connection) {
      yield { rows: Array.isArray(container) ? (container as Record<string, unknown>[]) : [] };
      return;
    }
    const conn = (container ?? {}) as { edges?: { node: Record<string, unknown> }[]; __exportPage?: { hasNextPage: boolean; endCursor: string | null } };
    const rows = (conn.edges ?? []).map((e) => e.node);
    read += rows.length;
    yield { rows };
    const page = conn.__exportPage;
    if (!page?.hasNextPage || !page.endCursor || read >= plan.limit || rows.length === 0) return;
    after = page.endCursor;
  }
}

interface ExportPlan {
  document: DocumentNode;
  /** Response keys from the data root to the connection (or list). */
  path: string[];
  /** The connection field node (identity within `document`), to set first/after on. */
  target: FieldNode;
  connection: boolean;
  /** Leaf paths of a row (a node, or a list item), in selection order. */
  columns: string[][];
  limit: number;
  name: string;
}

/** Finds the one connection (or list) a query's result is, and its columns. Throws a message for the client. */
export function planExport(schema: GraphQLSchema, params: GraphQLParams, maxRows: number): ExportPlan {
  const document = parse(params.query!);
  const operations = document.definitions.filter((d): d is OperationDefinitionNode => d.kind === Kind.OPERATION_DEFINITION);
  const operation = params.operationName ? operations.find((o) => o.name?.value === params.operationName) : operations.length === 1 ? operations[0] : undefined;
  if (!operation) throw new Error('operationName: name the operation to export (the document has several, or none by that name)');
  if (operation.operation !== 'query') throw new Error(`export: only queries can be exported, not a ${operation.operation}`);
  const fragments = new Map(
    document.definitions.filter((d): d is FragmentDefinitionNode => d.kind === Kind.FRAGMENT_DEFINITION).map((f) => [f.name.value, f]),
  );

  const path: string[] = [];
  let type: GraphQLObjectType = schema.getQueryType()!;
  let selection: SelectionSetNode = operation.selectionSet;
  for (;;) {
    const nested = fieldsOf(selection, fragments).filter((f) => f.selectionSet);
    if (nested.length !== 1) {
      throw new Error('export: the query must select exactly one connection or list of objects (one field with a selection at each level)');
    }
    const field = nested[0]!;
    const def = type.getFields()[field.name.value];
    if (!def) throw new Error(`export: unknown field ${type.name}.${field.name.value}`);
    path.push(field.alias?.value ?? field.name.value);
    const fieldType = getNullableType(def.type) as GraphQLOutputType;
    const named = getNamedType(fieldType);
    if (isListType(fieldType)) {
      if (!(named instanceof GraphQLObjectType)) throw new Error('export: the list must be of objects');
      return { document, path, target: field, connection: false, columns: columnsOf(field.selectionSet!, named, fragments, []), limit: maxRows, name: path[0]! };
    }
    if (!(named instanceof GraphQLObjectType)) throw new Error('export: the selected field is not an object');
    const edges = fieldsOf(field.selectionSet!, fragments).find((f) => f.name.value === 'edges');
    if (edges && named.getFields().edges) {
      const node = fieldsOf(edges.selectionSet!, fragments).find((f) => f.name.value === 'node');
      const edgeType = getNamedType(named.getFields().edges!.type) as GraphQLObjectType;
      const nodeType = getNamedType(edgeType.getFields().node!.type) as GraphQLObjectType;
      if (!node?.selectionSet) throw new Error('export: select edges { node { ... } } on the connection');
      const first = argumentValue(field, 'first', params.variables);
      const limit = typeof first === 'number' ? Math.min(first, maxRows) : maxRows;
      return { document, path, target: field, connection: true, columns: columnsOf(node.selectionSet, nodeType, fragments, []), limit, name: path[0]! };
    }
    type = named;
    selection = field.selectionSet!;
  }
}

/** The fields of a selection set, with inline fragments and fragment spreads flattened in order. */
function fieldsOf(set: SelectionSetNode, fragments: Map<string, FragmentDefinitionNode>): FieldNode[] {
  return set.selections.flatMap((s) => {
    if (s.kind === Kind.FIELD) return [s];
    if (s.kind === Kind.INLINE_FRAGMENT) return fieldsOf(s.selectionSet, fragments);
    const fragment = fragments.get(s.name.value);
    return fragment ? fieldsOf(fragment.selectionSet, fragments) : [];
  });
}

/** Leaf paths: scalars and enums, and lists (written as JSON in one cell); objects are walked into. */
function columnsOf(set: SelectionSetNode, type: GraphQLObjectType, fragments: Map<string, FragmentDefinitionNode>, prefix: string[]): string[][] {
  const out: string[][] = [];
  for (const field of fieldsOf(set, fragments)) {
    const key = [...prefix, field.alias?.value ?? field.name.value];
    if (out.some((c) => c.join('.') === key.join('.'))) continue;
    const def = field.name.value === '__typename' ? undefined : type.getFields()[field.name.value];
    const fieldType = def ? (getNullableType(def.type) as GraphQLOutputType) : undefined;
    const named = fieldType ? getNamedType(fieldType) : undefined;
    if (!field.selectionSet || !fieldType || isListType(fieldType) || isLeafType(named) || !(named instanceof GraphQLObjectType)) out.push(key);
    else out.push(...columnsOf(field.selectionSet, named, fragments, key));
  }
  return out;
}

/** The document with the connection's first/after set for one page, and its page info asked under our own alias. */
function withPage(document: DocumentNode, target: FieldNode, first: number, after: string | null): DocumentNode {
  return visit(document, {
    Field(node) {
      if (node !== target) return undefined;
      const args = (node.arguments ?? []).filter((a) => a.name.value !== 'first' && a.name.value !== 'after');
      args.push({ kind: Kind.ARGUMENT, name: { kind: Kind.NAME, value: 'first' }, value: { kind: Kind.INT, value: String(first) } });
      if (after) args.push({ kind: Kind.ARGUMENT, name: { kind: Kind.NAME, value: 'after' }, value: { kind: Kind.STRING, value: after } });
      const pageInfo = parse('{ __exportPage: pageInfo { hasNextPage endCursor } }').definitions[0] as OperationDefinitionNode;
      return {
        ...node,
        arguments: args,
        selectionSet: { ...node.selectionSet!, selections: [...node.selectionSet!.selections, ...pageInfo.selectionSet.selections] },
      };
    },
  });
}

function argumentValue(field: FieldNode, name: string, variables: GraphQLParams['variables']): unknown {
  const arg = field.arguments?.find((a) => a.name.value === name);
  if (!arg) return undefined;
  if (arg.value.kind === Kind.INT) return Number(arg.value.value);
  if (arg.value.kind === Kind.VARIABLE) return variables?.[arg.value.name.value];
  return undefined;
}

function valueAt(row: Record<string, unknown>, path: string[]): unknown {
  let v: unknown = row;
  for (const key of path) v = v && typeof v === 'object' ? (v as Record<string, unknown>)[key] : undefined;
  return v;
}

function cell(value: unknown): string {
  if (value === null || value === undefined) return '';
  if (typeof value === 'object') return JSON.stringify(value);
  if (typeof value !== 'string') return String(value);
  // A cell a spreadsheet would run as a formula is written as text (OWASP CSV injection).
  return /^[=+\-@\t\r]/.test(value) ? `'${value}` : value;
}

/** RFC 4180: quote a field holding a comma, quote or line break; lines end with CRLF. */
function csvLine(cells: string[]): string {
  return `${cells.map((c) => (/[",\r\n]/.test(c) ? `"${c.replace(/"/g, '""')}"` : c)).join(',')}\r\n`;
}

function paramsFromUrl(url: URL): GraphQLParams {
  const variables = url.searchParams.get('variables');
  return {
    query: url.searchParams.get('query') ?? undefined,
    variables: variables ? (JSON.parse(variables) as Record<string, unknown>) : undefined,
    operationName: url.searchParams.get('operationName'),
  };
}

/** The caller's headers for each page's request, minus the ones that describe this request's body and format. */
function forwardHeaders(headers: Headers): Headers {
  const out = new Headers(headers);
  for (const name of ['accept', 'content-type', 'content-length', 'transfer-encoding', 'connection']) out.delete(name);
  out.set('accept', 'application/json');
  out.set('content-type', 'application/json');
  return out;
}

function refusal(message: string): Response {
  return new Response(JSON.stringify({ errors: [{ message, extensions: { code: 'BAD_USER_INPUT' } }] }), {
    status: 400,
    headers: { 'content-type': 'application/json; charset=utf-8' },
  });
}
