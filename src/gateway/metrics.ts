/**
 * Prometheus metrics (prom-client) on one registry, served at METRICS_PATH. graphqlMetrics records what
 * @graphql-yoga/plugin-prometheus did (Yoga's HTTP duration, envelop's phases, requests and errors, same names,
 * help and labels) at a fraction of its per-request cost; the gateway adds what only it knows: operations by name and outcome, upstream calls by domain/route/status,
 * DataLoader batch sizes, webhooks by type and outcome, live subscribers by transport and circuit-breaker state.
 *
 * Labels never hold a token, an id or a path with an id: upstream routes are templates (`/events/v2/rsvps/{id}`),
 * operation names are what the client named its operation, capped at OPERATION_NAMES_MAX distinct values.
 */
import { getOperationAST, type DocumentNode, type ExecutionResult, type GraphQLSchema } from 'graphql';
import { isAsyncIterable, type Plugin } from 'graphql-yoga';
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { UpstreamAttempt } from './upstream/http.js';

export type OperationOutcome = 'ok' | 'partial' | 'error' | 'rejected';
export type WebhookMetricOutcome = 'accepted' | 'duplicate' | 'busy' | 'stale' | 'ignored' | 'rejected' | 'failed';
export type SubscriberTransport = 'ws' | 'sse' | 'multipart';
export type BreakerState = 'closed' | 'open' | 'half_open';

export interface GatewayMetrics {
  /** The Yoga plugins to install (the /metrics endpoint and envelop's phase metrics); none when metrics are off. */
  plugins: Plugin[];
  operation(name: string | undefined, type: string | undefined, outcome: OperationOutcome, transport: string, seconds: number): void;
  upstreamAttempt(attempt: UpstreamAttempt): void;
  batch(loader: string, size: number): void;
  webhook(type: string, outcome: WebhookMetricOutcome): void;
  /** +1 when a subscription starts delivering, -1 when it ends. */
  subscribers(transport: SubscriberTransport, delta: 1 | -1): void;
  /** A circuit breaker reports its state through `read`, which is called at every scrape. */
  registerBreaker(name: string, read: () => BreakerState): void;
  /** The registry (tests, benchmarks). */
  registry?: Registry;
}

export interface MetricsOptions {
  enabled: boolean;
  /** Path served (default /metrics). */
  path: string;
}

/** Distinct operation names kept as label values; later names are counted as "other" (clients choose names). */
const OPERATION_NAMES_MAX = 200;
const SECONDS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

export function createMetrics(options: MetricsOptions): GatewayMetrics {
  if (!options.enabled) return NO_METRICS;
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });

  const operations = new Counter({
    name: 'graphql_operations_total',
    help: 'GraphQL operations by operation name, type, outcome (ok, partial, error, rejected) and transport',
    labelNames: ['operation_name', 'operation_type', 'outcome', 'transport'] as const,
    registers: [registry],
  });
  const operationSeconds = new Histogram({
    name: 'graphql_operation_duration_seconds',
    help: 'Time from request to result of a GraphQL operation (a subscription: until it is set up)',
    labelNames: ['operation_name', 'operation_type', 'outcome'] as const,
    buckets: SECONDS,
    registers: [registry],
  });
  const upstream = new Counter({
    name: 'upstream_requests_total',
    help: 'Upstream HTTP attempts (retries included) by domain, route template and status (or "error" for no answer)',
    labelNames: ['domain', 'route', 'status'] as const,
    registers: [registry],
  });
  const upstreamSeconds = new Histogram({
    name: 'upstream_request_duration_seconds',
    help: 'Duration of one upstream HTTP attempt by domain, route template and status',
    labelNames: ['domain', 'route', 'status'] as const,
    buckets: SECONDS,
    registers: [registry],
  });
  const batches = new Histogram({
    name: 'dataloader_batch_size',
    help: 'Keys per DataLoader batch, by loader (source.key)',
    labelNames: ['loader'] as const,
    buckets: [1, 2, 5, 10, 20, 50, 100, 250, 1000],
    registers: [registry],
  });
  const webhooks = new Counter({
    name: 'webhooks_total',
    help: 'Webhooks received by event type and outcome (accepted, duplicate, stale, ignored, rejected, failed)',
    labelNames: ['type', 'outcome'] as const,
    registers: [registry],
  });
  const live = new Gauge({
    name: 'live_subscribers',
    help: 'Subscriptions currently delivering, by transport (ws, sse, multipart)',
    labelNames: ['transport'] as const,
    registers: [registry],
  });
  for (const transport of ['ws', 'sse', 'multipart']) live.set({ transport }, 0);
  const breakers = new Map<string, () => BreakerState>();
  new Gauge({
    name: 'upstream_circuit_breaker_state',
    help: 'Circuit breaker state: 1 on the current state (closed, open, half_open), 0 on the others',
    labelNames: ['breaker', 'state'] as const,
    registers: [registry],
    collect() {
      for (const [breaker, read] of breakers) {
        const current = read();
        for (const state of ['closed', 'open', 'half_open'] as const) this.set({ breaker, state }, state === current ? 1 : 0);
      }
    },
  });

  const names = new Set<string>();
  const nameLabel = (name: string | undefined) => {
    if (!name) return 'anonymous';
    if (names.has(name)) return name;
    if (names.size >= OPERATION_NAMES_MAX) return 'other';
    names.add(name);
    return name;
  };

  return {
    registry,
    plugins: [graphqlMetrics(registry, options.path)],
    operation(name, type, outcome, transport, seconds) {
      const operation_name = nameLabel(name);
      const operation_type = type ?? 'unknown';
      operations.inc({ operation_name, operation_type, outcome, transport });
      operationSeconds.observe({ operation_name, operation_type, outcome }, seconds);
    },
    upstreamAttempt(a) {
      const labels = { domain: a.route.domain, route: a.route.route, status: String(a.status) };
      upstream.inc(labels);
      upstreamSeconds.observe(labels, a.ms / 1000);
    },
    batch: (loader, size) => batches.observe({ loader }, size),
    webhook: (type, outcome) => webhooks.inc({ type, outcome }),
    subscribers: (transport, delta) => live.inc({ transport }, delta),
    registerBreaker: (name, read) => void breakers.set(name, read),
  };
}

const NO_METRICS: GatewayMetrics = {
  plugins: [],
  operation: () => {},
  upstreamAttempt: () => {},
  batch: () => {},
  webhook: () => {},
  subscribers: () => {},
  registerBreaker: () => {},
};

/** Per GraphQL context: the operation type the phase metrics are labelled with (set once its document parsed). */
const PHASE_LABELS = Symbol('phaseLabels');
/** Per HTTP request: when it arrived (ms) and, once parsed, its operation type. */
const HTTP_START = Symbol('httpStart');
const HTTP_TYPE = Symbol('httpType');

type Labelled = { [PHASE_LABELS]?: { operationType: string | undefined } };
type Timed = Request & { [HTTP_START]?: number; [HTTP_TYPE]?: string };

/**
 * The metrics @graphql-yoga/plugin-prometheus recorded with the options the gateway gave it (operation names and
 * resolver fields off, introspection skipped, no deprecated-field counter or request summary), in one plugin.
 * That plugin walked generic machinery on every request: a label object filtered through Object.entries and
 * fromEntries per observation, a handler list filtered per phase, a spread of the whole GraphQL context (which
 * built the request's loaders) for the HTTP duration. Here the label objects are made once per operation type.
 * Semantics kept: phases are labelled by the document's first definition (`undefined` when it is a fragment or
 * did not parse), the HTTP duration by the executed operation and only for requests whose document parsed, the
 * context phase observes 0 as envelop's did, request_duration is the execute/subscribe time.
 */
function graphqlMetrics(registry: Registry, endpoint: string): Plugin {
  const histogram = (name: string, help: string, labelNames: string[]) => new Histogram({ name, help, labelNames, registers: [registry] });
  const http = histogram('graphql_yoga_http_duration', 'Time spent on HTTP connection', ['operationType', 'method', 'statusCode', 'url']);
  const parse = histogram('graphql_envelop_phase_parse', 'Time spent on running GraphQL "parse" function', ['operationType']);
  const validate = histogram('graphql_envelop_phase_validate', 'Time spent on running GraphQL "validate" function', ['operationType']);
  const context = histogram('graphql_envelop_phase_context', 'Time spent on building the GraphQL context', ['operationType']);
  const execute = histogram('graphql_envelop_phase_execute', 'Time spent on running the GraphQL "execute" function', ['operationType']);
  const subscribe = histogram('graphql_envelop_phase_subscribe', 'Time spent on running the GraphQL "subscribe" function', ['operationType']);
  const requestDuration = histogram('graphql_envelop_request_duration', 'Time spent on running the GraphQL operation from parse to execute', ['operationType']);
  const errors = new Counter({
    name: 'graphql_envelop_error_result',
    help: 'Counts the amount of errors reported from all phases',
    labelNames: ['operationType', 'phase'],
    registers: [registry],
  });
  const requests = new Counter({
    name: 'graphql_envelop_request',
    help: 'Counts the amount of GraphQL requests executed through Envelop',
    labelNames: ['operationType'],
    registers: [registry],
  });
  const schemaChanges = new Counter({ name: 'graphql_envelop_schema_change', help: 'Counts the amount of schema changes', labelNames: [], registers: [registry] });
  const counted = new WeakSet<GraphQLSchema>();

  const typeLabels = new Map<string | undefined, { operationType: string | undefined }>();
  const labelsOf = (operationType: string | undefined) => {
    let labels = typeLabels.get(operationType);
    if (!labels) typeLabels.set(operationType, (labels = { operationType }));
    return labels;
  };
  const errorLabels = new Map<string, { operationType: string | undefined; phase: string | undefined }>();
  const countError = (operationType: string | undefined, phase: string | undefined) => {
    const key = `${operationType}\n${phase}`;
    let labels = errorLabels.get(key);
    if (!labels) errorLabels.set(key, (labels = { operationType, phase }));
    errors.inc(labels);
  };
  const since = (start: number) => (Date.now() - start) / 1000;
  // execute/subscribe, timed from now: `done` takes the phase's result (or its stream) and, once it has ended,
  // observes the phase, the request duration (the same time) and the request count; errors are counted per result.
  const timed = (phase: Histogram, contextValue: unknown) => {
    const labels = (contextValue as Labelled)[PHASE_LABELS];
    if (!labels) return undefined;
    const finish = finishing(phase, labels, Date.now());
    return {
      labels,
      done({ result }: { result: unknown }) {
        if (isAsyncIterable(result)) return { onNext: ({ result: r }: { result: unknown }) => finish.result(r as ExecutionResult), onEnd: finish.end };
        finish.result(result as ExecutionResult);
        finish.end();
        return undefined;
      },
    };
  };
  // execute/subscribe: the phase, the request duration (the same time) and the request count, errors per result.
  const finishing = (phase: Histogram, labels: { operationType: string | undefined }, start: number) => ({
    result(result: ExecutionResult) {
      if (result.errors?.length) for (let i = 0; i < result.errors.length; i++) countError(labels.operationType, 'execute');
    },
    end() {
      const seconds = since(start);
      phase.observe(labels, seconds);
      requestDuration.observe(labels, seconds);
      requests.inc(labels);
    },
  });

  return {
    onPluginInit({ registerContextErrorHandler }) {
      registerContextErrorHandler(({ context: ctx }) => {
        const labels = (ctx as Labelled)[PHASE_LABELS];
        countError(labels?.operationType, 'context');
      });
    },
    onSchemaChange({ schema }) {
      if (counted.has(schema)) return;
      counted.add(schema);
      schemaChanges.inc();
    },
    onRequest({ request, url, fetchAPI, endResponse }) {
      if (url.pathname === endpoint) {
        return registry.metrics().then((text) => endResponse(new fetchAPI.Response(text, { headers: { 'Content-Type': registry.contentType } })));
      }
      (request as Timed)[HTTP_START] = Date.now();
      return undefined;
    },
    onParse({ context: ctx, params }) {
      const source = params.source;
      if ((typeof source === 'string' ? source : source.body).includes('__schema')) {
        // Introspection: no phase metrics, but Yoga's HTTP duration still counts it.
        const request = (ctx as { request?: Timed }).request;
        if (!request) return undefined;
        return ({ result }) => {
          if (result && !(result instanceof Error)) request[HTTP_TYPE] = operationTypeOf(result as DocumentNode, ctx);
        };
      }
      const start = Date.now();
      return ({ result }) => {
        const seconds = since(start);
        const request = (ctx as { request?: Timed }).request;
        if (result == null || result instanceof Error) {
          parse.observe(labelsOf(undefined), seconds);
          countError(undefined, 'parse');
          return;
        }
        const document = result as DocumentNode;
        const labels = labelsOf((document.definitions[0] as { operation?: string }).operation);
        (ctx as Labelled)[PHASE_LABELS] = labels;
        parse.observe(labels, seconds);
        if (request) request[HTTP_TYPE] = operationTypeOf(document, ctx);
      };
    },
    onValidate({ context: ctx }) {
      const labels = (ctx as Labelled)[PHASE_LABELS];
      if (!labels) return undefined;
      const start = Date.now();
      return ({ valid }) => {
        validate.observe(labels, since(start));
        if (!valid) countError(labels.operationType, 'validate');
      };
    },
    onContextBuilding({ context: ctx }) {
      const labels = (ctx as Labelled)[PHASE_LABELS];
      // envelop's plugin took its start and end time together here: the phase is observed as 0.
      if (labels) context.observe(labels, 0);
    },
    onExecute({ args }) {
      const phase = timed(execute, args.contextValue);
      return phase && { onExecuteDone: phase.done };
    },
    onSubscribe({ args }) {
      const phase = timed(subscribe, args.contextValue);
      if (!phase) return undefined;
      return {
        onSubscribeResult: phase.done,
        onSubscribeError() {
          countError(phase.labels.operationType, undefined);
        },
      };
    },
    onResponse({ request, response }) {
      const start = (request as Timed)[HTTP_START];
      const operationType = (request as Timed)[HTTP_TYPE];
      if (start === undefined || operationType === undefined) return;
      http.observe({ method: request.method, statusCode: response.status, operationType, url: request.url }, since(start));
    },
  } as Plugin;
}

/** Yoga's HTTP duration label: the operation the request names (or its only one), else 'unknown'. */
function operationTypeOf(document: DocumentNode, ctx: unknown): string {
  const name = (ctx as { params?: { operationName?: string | null } }).params?.operationName;
  return getOperationAST(document, name)?.operation || 'unknown';
}
