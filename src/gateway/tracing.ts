/**
 * OpenTelemetry traces, three levels deep: the operation (`query Name`), the resolvers that called the upstream
 * (`resolve Type.field`), and each upstream HTTP attempt (`upstream METHOD /route/{id}`) with its status. Attributes
 * are operation names and types, field paths, route templates and statuses: never a token, a header, a path with an
 * id or a variable.
 *
 * A span per resolver would cost every scalar field; instead each resolver of an object-typed field runs with a
 * cheap "pending" marker in the OTel context, and only the first upstream call made under it turns the marker into
 * a span (started when the resolver started). So resolvers that answer from memory cost no span.
 *
 * Off (no spans, no context manager, resolvers untouched) unless OTEL_EXPORTER_OTLP_ENDPOINT is set or a test
 * hands createGateway an exporter.
 */
import { context, createContextKey, SpanKind, SpanStatusCode, trace, type Context, type Span, type Tracer } from '@opentelemetry/api';
import type { SpanExporter, SpanProcessor } from '@opentelemetry/sdk-trace-base';
import { getNamedType, getOperationAST, isLeafType, isObjectType, type GraphQLFieldResolver, type GraphQLResolveInfo, type GraphQLSchema } from 'graphql';
import type { Plugin } from 'graphql-yoga';
import type { UpstreamHttpOptions } from './upstream/http.js';

export interface Tracing {
  plugin: Plugin;
  aroundAttempt: NonNullable<UpstreamHttpOptions['aroundAttempt']>;
  /** Flushes and stops the exporter. */
  shutdown(): Promise<void>;
}

export interface TracingOptions {
  serviceName: string;
  /** OTLP/HTTP base URL; spans go to `<endpoint>/v1/traces` in batches. */
  otlpEndpoint?: string;
  /** Tests: export every span as it ends (e.g. to an InMemorySpanExporter). */
  exporter?: SpanExporter;
}

export async function createTracing(schema: GraphQLSchema, options: TracingOptions): Promise<Tracing | undefined> {
  if (!options.otlpEndpoint && !options.exporter) return undefined;
  // Loaded only when tracing is on: a gateway without it pays no start-up time for the SDK and the exporter.
  const [{ AsyncLocalStorageContextManager }, { resourceFromAttributes }, { BasicTracerProvider, BatchSpanProcessor, SimpleSpanProcessor }] = await Promise.all([
    import('@opentelemetry/context-async-hooks'),
    import('@opentelemetry/resources'),
    import('@opentelemetry/sdk-trace-base'),
  ]);
  const processors: SpanProcessor[] = [];
  if (options.exporter) processors.push(new SimpleSpanProcessor(options.exporter));
  if (options.otlpEndpoint) {
    const url = `${options.otlpEndpoint.replace(/\/+$/, '')}/v1/traces`;
    const { OTLPTraceExporter } = await import('@opentelemetry/exporter-trace-otlp-http');
    processors.push(new BatchSpanProcessor(new OTLPTraceExporter({ url })));
  }
  const provider = new BasicTracerProvider({
    resource: resourceFromAttributes({ 'service.name': options.serviceName }),
    spanProcessors: processors,
  });
  const tracer = provider.getTracer('attendance-graph');
  // Spans find their parent through the active context, which must follow async calls (DataLoader batches included).
  if (!contextManagerSet) contextManagerSet = context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
  wrapResolvers(schema);

  const operations = new WeakMap<object, Span>();
  const around = (payload: { context: object }, wrapped: () => unknown) => {
    const span = tracer.startSpan('graphql operation', { kind: SpanKind.SERVER });
    operations.set(payload.context, span);
    (payload.context as TracedContext)[TRACER] = tracer;
    return context.with(trace.setSpan(context.active(), span), wrapped);
  };
  const name = (ctx: object, document: Parameters<typeof getOperationAST>[0], operationName?: string | null) => {
    const span = operations.get(ctx);
    const op = getOperationAST(document, operationName);
    if (!span || !op) return span;
    const label = op.name?.value ?? 'anonymous';
    span.updateName(`${op.operation} ${label}`);
    span.setAttributes({ 'graphql.operation.type': op.operation, 'graphql.operation.name': label });
    return span;
  };
  const end = (span: Span | undefined, errors: readonly unknown[] | undefined) => {
    if (!span) return;
    if (errors?.length) span.setStatus({ code: SpanStatusCode.ERROR, message: `${errors.length} error(s)` });
    span.end();
  };

  return {
    plugin: {
      instrumentation: { execute: around, subscribe: around },
      onExecute({ args }) {
        const span = name(args.contextValue as object, args.document, args.operationName);
        return {
          onExecuteDone({ result }) {
            if (Symbol.asyncIterator in result) return { onEnd: () => end(span, undefined) };
            end(span, result.errors);
            return undefined;
          },
        };
      },
      onSubscribe({ args }) {
        const span = name(args.contextValue as object, args.document, args.operationName);
        return {
          onSubscribeResult({ result }) {
            // The span covers setting the subscription up; events are separate work.
            end(span, Symbol.asyncIterator in result ? undefined : result.errors);
            return undefined;
          },
          onSubscribeError() {
            end(span, [1]);
          },
        };
      },
    } as Plugin,
    aroundAttempt(route, run) {
      let parent = context.active();
      const pending = parent.getValue(PENDING) as Pending | undefined;
      if (pending) {
        pending.span ??= tracer.startSpan(
          `resolve ${pending.info.parentType.name}.${pending.info.fieldName}`,
          { startTime: pending.startTime, attributes: { 'graphql.field.path': pathOf(pending.info), 'graphql.field.name': pending.info.fieldName } },
          pending.parent,
        );
        parent = trace.setSpan(pending.parent, pending.span);
      }
      const method = route.route.split(' ')[0]!;
      return tracer.startActiveSpan(
        `upstream ${route.route}`,
        { kind: SpanKind.CLIENT, attributes: { 'http.request.method': method, 'url.template': route.route.slice(method.length + 1), 'upstream.domain': route.domain } },
        parent,
        async (span) => {
          try {
            return await run((status, upstreamRequestId) => {
              if (status !== 'error') span.setAttribute('http.response.status_code', status);
              if (upstreamRequestId) span.setAttribute('upstream.request_id', upstreamRequestId);
            });
          } catch (err) {
            span.setStatus({ code: SpanStatusCode.ERROR, message: (err as { code?: string }).code ?? 'error' });
            throw err;
          } finally {
            span.end();
          }
        },
      );
    },
    shutdown: () => provider.shutdown(),
  };
}

// Private: the pending resolver marker and the resolver wrapping.

const PENDING = createContextKey('attendance-graph.pending-resolver');
const TRACER = Symbol('attendance-graph.tracer');
let contextManagerSet = false;

interface Pending {
  info: GraphQLResolveInfo;
  startTime: number;
  parent: Context;
  span?: Span;
}
interface TracedContext {
  [TRACER]?: Tracer;
}

const wrappedSchemas = new WeakSet<GraphQLSchema>();

/**
 * Wraps, once per schema, the resolvers of fields that return objects (links, connections, roots: where upstream
 * calls happen). A context without a tracer (a gateway with tracing off in the same process) goes straight through.
 */
function wrapResolvers(schema: GraphQLSchema): void {
  if (wrappedSchemas.has(schema)) return;
  wrappedSchemas.add(schema);
  for (const type of Object.values(schema.getTypeMap())) {
    if (!isObjectType(type) || type.name.startsWith('__')) continue;
    for (const field of Object.values(type.getFields())) {
      if (!field.resolve || isLeafType(getNamedType(field.type))) continue;
      const resolve: GraphQLFieldResolver<unknown, unknown> = field.resolve;
      field.resolve = (root, args, ctx, info) => {
        if (!(ctx as TracedContext | undefined)?.[TRACER]) return resolve(root, args, ctx, info);
        const parent = context.active();
        const pending: Pending = { info, startTime: performance.timeOrigin + performance.now(), parent };
        const done = () => pending.span?.end();
        const fail = (err: unknown) => {
          pending.span?.setStatus({ code: SpanStatusCode.ERROR, message: (err as { extensions?: { code?: string } }).extensions?.code ?? 'error' });
          pending.span?.end();
        };
        let result: unknown;
        try {
          result = context.with(parent.setValue(PENDING, pending), () => resolve(root, args, ctx, info));
        } catch (err) {
          fail(err);
          throw err;
        }
        if (result instanceof Promise) {
          return result.then(
            (value) => {
              done();
              return value;
            },
            (err) => {
              fail(err);
              throw err;
            },
          );
        }
        done();
        return result;
      };
    }
  }
}

function pathOf(info: GraphQLResolveInfo): string {
  const parts: (string | number)[] = [];
  for (let p: GraphQLResolveInfo['path'] | undefined = info.path; p; p = p.prev) parts.unshift(p.key);
  return parts.join('.');
}
