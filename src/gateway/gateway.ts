/**
 * createGateway(config): Yoga over node:http with graphql-ws on the same port and path. Builds everything and
 * binds nothing until start() (ARCHITECTURE.md convention 5); main.ts is the only caller that picks a port from the env.
 */
import { randomUUID } from 'node:crypto';
import { setMaxListeners } from 'node:events';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { useDeferStream } from '@graphql-yoga/plugin-defer-stream';
import { createYoga, isAsyncIterable, Repeater, type Plugin, type YogaServerInstance } from 'graphql-yoga';
import { pino, type Logger } from 'pino';
import type { SpanExporter } from '@opentelemetry/sdk-trace-base';
import { WebSocketServer } from 'ws';
import { GraphQLError, type ExecutionArgs, type ExecutionResult, type ValidationRule } from 'graphql';
import type { GatewayConfig } from './config.js';
import { createContext, releaseLoaders, type GatewayContext, type GatewayServices } from './context.js';
import { checkVariables, useOperationLimits } from './limits.js';
import { useCompiledQueries } from './compiled-queries.js';
import { createLiveQueries, type LiveQueries } from './live/live-queries.js';
import { createSharedSubscriptions, type SharedSubscriptions } from './live/shared.js';
import { useHealth } from './health.js';
import { createIdempotencyStore } from './idempotency.js';
import { usePartialResultStatus } from './partial-results.js';
import { useJsonBytes } from './json-answer.js';
import { createMetrics } from './metrics.js';
import { tuneRuntime } from './runtime.js';
import { useMultipartSubscriptions } from './multipart-subscriptions.js';
import { createOperationLog } from './operation-log.js';
import { createPersistedOperations } from './persisted-operations.js';
import { createGatewayPubSub } from './pubsub.js';
import { createRequestScope, requestScopeOf, useRequestScope, type RequestScope } from './request-scope.js';
import { createTracing } from './tracing.js';
import { schema } from './schema/index.js';
import { SHARED_SUBSCRIPTION_FIELDS } from './schema/subscriptions.js';
import {
  corsFor,
  createRedactor,
  finishError,
  isAllowedWebSocketOrigin,
  maskError,
  useMaskedErrorLog,
  useRequestHardening,
} from './security.js';
import { useBoundedStreams } from './streams.js';
import { createUpstreamHttp, type UpstreamAttempt, type UpstreamRequest } from './upstream/http.js';
import { createMemoryParentStore, createRedisParentStore, learningParents } from './webhooks/parents.js';
import { createWebhookReceiver, WEBHOOK_PATH } from './webhooks/receiver.js';
import { createGraphiQLRenderer, graphiqlOptions, useGatewayPages } from './ui/pages.js';
import { serveGraphqlWs } from './ws-server.js';
import { useExport } from './export.js';

export interface GatewayOptions {
  /** Test-only: false disables DataLoader batching (to show the N+1 count the loaders prevent). */
  batchLoads?: boolean;
  /** Observe every upstream attempt (metrics, tests). */
  onUpstreamAttempt?: (req: UpstreamRequest, status: number | 'error', ms: number, attempt: UpstreamAttempt) => void;
  /** Tests: export spans here (e.g. an InMemorySpanExporter), with or without OTEL_EXPORTER_OTLP_ENDPOINT. */
  spanExporter?: SpanExporter;
  /** Tests: multipart subscriptions' heartbeat interval (default 5000 ms, what Apollo's protocol expects). */
  multipartHeartbeatMs?: number;
  /** Tests: receive the gateway's log lines (pino's JSON) instead of stdout. */
  logStream?: { write(line: string): void };
}

export interface Gateway {
  yoga: YogaServerInstance<Record<string, unknown>, GatewayContext>;
  services: GatewayServices;
  /** graphql-ws subscribers sharing one execution per event (live/shared.ts). */
  shared: SharedSubscriptions;
  /** `@live` queries: groups of graphql-ws live queries sharing one re-run and one serialisation (live/live-groups.ts). */
  liveQueries: Pick<LiveQueries, 'stats'>;
  server: Server;
  /** http://host:port once started. */
  url: string;
  start(port?: number, host?: string): Promise<string>;
  /**
   * Graceful stop (SIGTERM): refuse new connections, /readyz 503, end subscriptions (SSE streams complete,
   * WebSockets close with 1001 Going Away), let in-flight requests finish for up to `drainMs` (default
   * SHUTDOWN_DRAIN_MS), then close Redis and the upstream pool.
   */
  shutdown(drainMs?: number): Promise<void>;
  /** Immediate stop (tests): cut every connection, then close Redis and the upstream pool. */
  stop(): Promise<void>;
}

export async function createGateway(config: GatewayConfig, options: GatewayOptions = {}): Promise<Gateway> {
  tuneRuntime();
  const root = createLogger(config, options.logStream);
  const lines = logLines(config, root);
  const logger = lines.yoga;
  const metrics = createMetrics({ enabled: config.metrics, path: config.metricsPath });
  const tracing = await createTracing(schema, { serviceName: config.otelServiceName, otlpEndpoint: config.otlpEndpoint, exporter: options.spanExporter });
  const rawHttp = createUpstreamHttp({
    baseUrl: config.upstreamUrl,
    timeoutMs: config.upstreamTimeoutMs,
    retries: config.upstreamRetries,
    connections: config.upstreamConnections,
    budgetMs: config.upstreamBudgetMs,
    breakerFailures: config.upstreamBreakerFailures,
    breakerHalfOpenMs: config.upstreamBreakerHalfOpenMs,
    onAttempt: (req, status, ms, attempt) => {
      metrics.upstreamAttempt(attempt);
      options.onUpstreamAttempt?.(req, status, ms, attempt);
    },
    aroundAttempt: tracing?.aroundAttempt,
    // Under the id of the request the call was made for, its caller's credentials redacted.
    onFailure: (req, err) => lines.write('warn', req.scope?.requestId, req.scope?.secrets, [`upstream failure ${err.code}: ${err.detail}`]),
  });
  const pubsubHandle = await createGatewayPubSub({
    redisUrl: config.redisUrl,
    prefix: config.redisPrefix,
    maxLen: config.redisStreamMaxLen,
    onError: (message) => logger.warn(message),
  });
  // Parents of entities learned from every upstream answer, for deletion webhooks that carry only the id.
  const parents = pubsubHandle.redis
    ? createRedisParentStore(pubsubHandle.redis, config.webhookDedupTtlSeconds)
    : createMemoryParentStore(config.webhookDedupTtlSeconds);
  const http = learningParents(rawHttp, parents);
  // Breakers are made per upstream API on first use; each reports to /metrics from its first state change.
  http.onBreakerChange((domain) =>
    metrics.registerBreaker(domain, () => {
      const state = http.breakers()[domain] ?? 'closed';
      return state === 'half-open' ? 'half_open' : state;
    }),
  );
  // Aborted when shutdown begins: every open subscription ends (SSE sends its `complete`).
  const stopping = new AbortController();
  // Every open subscription listens for shutdown on this one signal (endOnAbort), so eleven of them are not a leak:
  // without this, Node warns "MaxListenersExceededWarning" on the console as soon as a dashboard shows 11 events.
  setMaxListeners(0, stopping.signal);
  const services: GatewayServices = {
    config,
    http,
    pubsub: pubsubHandle.pubsub,
    batchLoads: options.batchLoads ?? true,
    siteCache: new Map(),
    idempotency: createIdempotencyStore(config.idempotencyTtlSeconds, pubsubHandle.redis),
    metrics,
  };
  const operationLog = createOperationLog(metrics);
  const persisted = createPersistedOperations(config, pubsubHandle.redis);

  const liveQueries = createLiveQueries({
    pubsub: pubsubHandle.pubsub,
    coalesceMs: config.liveQueryCoalesceMs,
    // A live query group's push is the `next` payload graphql-ws would send (onNext below), masked as Yoga masks.
    encode: (result) => JSON.stringify(nextPayload(config, result, true)),
    maxBufferedBytes: config.streamMaxBufferedBytes,
    detach: (ctx) => createContext(services, ctx.creds?.source === 'caller' ? ctx.creds.authorization : undefined, undefined, ctx.requestScope),
    onError: (m) => logger.error(m),
  });
  // POST /webhooks/wix: verify, de-duplicate, publish to subscriptions (issue #5), one atomic Redis step with Redis.
  const webhooks = createWebhookReceiver({
    config,
    pubsub: pubsubHandle.pubsub,
    redis: pubsubHandle.redis,
    stream: pubsubHandle.stream,
    onOutcome: metrics.webhook,
    parents,
  });
  const plugins: Plugin<any>[] = [
    // Which requests may execute (JSON POSTs, GET without mutations), 400 for unreadable ones, request ids on errors.
    useRequestHardening(config, (request) => requestScopeOf(request)?.requestId),
    // Unexpected errors are logged under their request's id (Yoga's own masking, after this, finds them masked).
    useMaskedErrorLog((context, error) => {
      const scope = (context as { requestScope?: RequestScope } | undefined)?.requestScope;
      lines.write('error', scope?.requestId, scope?.secrets, [error]);
    }),
    // Limits on one request, checked before any upstream call (the analysts' GraphiQL is open to ad-hoc queries).
    ...useOperationLimits(config),
    // Plain queries run compiled (graphql-jit); subscriptions, mutations, @defer/@stream and @live do not.
    useCompiledQueries((m) => logger.error(m)),
    // An SSE subscriber that stops reading is cut off at STREAM_MAX_BUFFERED_BYTES.
    useBoundedStreams(config),
    // The webhook route for yoga.fetch; the HTTP server below answers it before Yoga.
    webhooks.plugin,
    // Request ids in responses and upstream, the access log, metrics and traces (issue #14).
    useRequestScope(root, (scope) => operationLog.onResponse(scope)) as Plugin,
    operationLog.plugin as Plugin,
    ...metrics.plugins,
    ...(tracing ? [tracing.plugin] : []),
    // APQ, or only the manifest's operations under PERSISTED_OPERATIONS_FILE.
    ...persisted.plugins,
    // Subscriptions as Apollo Client's HttpLink asks for them (multipart/mixed;subscriptionSpec="1.0").
    useMultipartSubscriptions({ heartbeatMs: options.multipartHeartbeatMs }),
    // @defer / @stream: a long list or a slow linked field arrives in parts (multipart/mixed or SSE).
    useDeferStreamOnce(),
    // `query @live { … }`: re-executed and pushed again when a webhook touches what it read (live/live-queries.ts).
    ...liveQueries.plugins,
    // Accept: text/csv or application/x-ndjson on /graphql: the one connection (or list) of a query, streamed.
    useExport({
      schema,
      maxRows: config.exportMaxRows,
      requestIdOf: (request) => requestScopeOf(request)?.requestId,
      execute: async (params, headers) => {
        const res = await yoga.fetch('http://gateway.internal/graphql', { method: 'POST', headers, body: JSON.stringify(params) });
        return { status: res.status, body: await res.json() };
      },
    }),
    // GET / and GET /dashboard (the door's live check-in screen), served from this origin only.
    useGatewayPages({ graphiql: config.graphiql }),
    usePartialResultStatus(),
    // A finished execution's rows are let go at once (context.ts releaseLoaders); a stream keeps them until it ends.
    {
      onExecute: () => ({
        onExecuteDone: ({ args, result }) => {
          if (isAsyncIterable(result)) return { onEnd: () => releaseLoaders(args.contextValue) };
          releaseLoaders(args.contextValue);
          return undefined;
        },
      }),
    },
    useHealth({
      draining: () => stopping.signal.aborted,
      openBreakers: () => Object.entries(http.breakers()).filter(([, state]) => state === 'open').map(([domain]) => domain),
      redis: () => pubsubHandle.redisUp(),
    }),
    {
      onSubscribe: () => ({
        onSubscribeResult: ({ result, setResult }) => {
          if (result && Symbol.asyncIterator in result) setResult(endOnAbort(result as AsyncIterable<unknown>, stopping.signal) as never);
        },
      }),
    },
    // Last, after every plugin that replaces the result: JSON answers written as bytes in pieces (json-answer.ts).
    useJsonBytes(),
  ];
  // GraphiQL's example tabs get real ids from the gateway itself, asked with its default credentials.
  const examples = graphiqlOptions(async (query) => {
    const res = await yoga.fetch('http://gateway.internal/graphql', {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/json' },
      body: JSON.stringify({ query }),
    });
    return res.json();
  });

  const yoga = createYoga<Record<string, unknown>, GatewayContext>({
    schema,
    graphqlEndpoint: '/graphql',
    graphiql: config.graphiql ? examples : false,
    renderGraphiQL: createGraphiQLRenderer(),
    // Redacted in every NODE_ENV: development shows no more upstream or internal text than production.
    maskedErrors: { maskError, isDev: false },
    cors: corsFor(config),
    // Nothing here takes file uploads; multipart is the other content type a cross-site form can send.
    multipart: false,
    // MAX_BODY_BYTES is enforced in limits.ts, without a counting stream for bodies that state their length.
    maxRequestBodySize: false,
    logging: logger,
    landingPage: false,
    // Parsed documents and parse errors by query text, without the default cache's one-hour TTL (a clock read on
    // every request's lookup); at most PARSE_CACHE_MAX of each, the oldest dropped first.
    parserAndValidationCache: { documentCache: boundedCache(PARSE_CACHE_MAX), errorCache: boundedCache(PARSE_CACHE_MAX) },
    extraParamNames: persisted.extraParamNames,
    plugins,
    context: (initial: { request?: Request; connectionParams?: Record<string, unknown>; requestScope?: RequestScope }) => {
      const { request, connectionParams, requestScope } = initial;
      const ctx = createContext(
        services,
        authorizationOf(request, connectionParams),
        connectionParams ? undefined : request?.signal,
        requestScope ?? requestScopeOf(request) ?? createRequestScope(root, 'http', request?.headers.get('x-request-id'), [request?.headers.get('authorization')]),
      );
      // envelop merges a returned context with Object.assign, which reads every getter: context.ts's lazy `loaders`
      // would be built for every request, most of which (a refused one, a query that reads no list) never use them.
      // Its properties are copied as they are (the getter too) and nothing is left to merge.
      Object.defineProperties(initial, Object.getOwnPropertyDescriptors(ctx));
      return NOTHING_TO_MERGE as unknown as GatewayContext;
    },
  });

  const shared = createSharedSubscriptions({
    shareable: SHARED_SUBSCRIPTION_FIELDS,
    // The masking Yoga applies (maskedErrors above) and the wording onNext gives: shared executions do not pass
    // through Yoga's plugins.
    maskErrors: (errors) => errors.map((e) => finishError(config, maskError(e) as GraphQLError)),
    maxBufferedBytes: config.streamMaxBufferedBytes,
    onError: (m) => yoga.logger.error(m),
  });
  // Webhooks skip Yoga's Fetch API adapter (a Request, a body stream and a Response per webhook): the upstream
  // posts thousands a second, and only the receiver's own answer matters to it (issue 12).
  const server = createServer((req, res) => {
    if (req.url === WEBHOOK_PATH || req.url?.startsWith(`${WEBHOOK_PATH}?`)) return webhooks.handleNode(req, res);
    void yoga(req, res);
  });
  const wss = new WebSocketServer({
    server,
    path: '/graphql',
    maxPayload: config.maxBodyBytes,
    verifyClient: ({ req }: { req: IncomingMessage }) => isAllowedWebSocketOrigin(config, req),
  });
  const socketIds = new WeakMap<object, number>();
  let nextSocketId = 0;
  const sharedMembers = new Set<string>();
  serveGraphqlWs(
    {
      execute: (args: any) => args.rootValue.execute(args),
      subscribe: (args: any) => args.rootValue.subscribe(args),
      // Run every WebSocket operation through Yoga's own pipeline, so HTTP and WS share one context and plugin
      // chain (ARCHITECTURE.md convention 6). The context is built once per operation, from connection_init's payload.
      // Each operation gets its own request id; the connection's credentials are redacted from its log lines.
      onSubscribe: async (ctx, id, params) => {
          const requestScope = createRequestScope(root, 'ws', ctx.extra.request.headers['x-request-id'], [authorizationOf(undefined, ctx.connectionParams)]);
          const requestId = requestScope.requestId;
          const { schema, execute, subscribe, contextFactory, parse, validate } = yoga.getEnveloped({
            ...ctx,
            req: ctx.extra.request,
            socket: ctx.extra.socket,
            params,
            connectionParams: ctx.connectionParams,
            requestScope,
          });
          const query = persisted.resolveWsQuery(params as typeof params & { documentId?: unknown });
          if (query instanceof GraphQLError) return [finishError(config, query, requestId)];
          let args: ExecutionArgs & { rootValue: unknown };
          let contextValue: GatewayContext;
          try {
            // Limits refuse by throwing (armor's rules do); over WS that must be an error message, not a closed socket.
            checkVariables(config, params.variables);
            const document = parse(query);
            const errors = validate(schema, document);
            if (errors.length) return (errors as readonly GraphQLError[]).map((e) => finishError(config, e, requestId));
            contextValue = (await contextFactory()) as unknown as GatewayContext;
            args = { schema, operationName: params.operationName, document, variableValues: params.variables, contextValue, rootValue: { execute, subscribe } };
          } catch (err) {
            // A refusal answers this operation only; an unexpected failure is masked, not a closed socket.
            return [finishError(config, maskError(err) as GraphQLError, requestId)];
          }
          // Plain `@live` queries join a group: their own first result, then the group's pushes (live/live-groups.ts).
          const live = await liveQueries.attach({ args, execute, socket: ctx.extra.socket, id });
          if (live) return { ...args, rootValue: live };
          // Shareable subscriptions join a group; graphql-ws then holds only the member (no context, no execution).
          const member = await shared.attach({ ...args, variables: params.variables, socket: ctx.extra.socket, id, query, context: contextValue });
          if (member) {
            // A shared member never runs Yoga's subscribe, where live_subscribers counts: count it here, until onComplete.
            metrics.subscribers('ws', 1);
            sharedMembers.add(`${id}@${socketIds.get(ctx.extra.socket) ?? socketIds.set(ctx.extra.socket, nextSocketId++).get(ctx.extra.socket)}`);
            return { ...args, contextValue: null, rootValue: member };
          }
          return args;
        },
      onComplete: (ctx, id) => {
        if (sharedMembers.delete(`${id}@${socketIds.get(ctx.extra.socket)}`)) metrics.subscribers('ws', -1);
      },
      onNext: (_ctx, _id, _payload, args, result) =>
        'errors' in result && result.errors?.length
          ? nextPayload(config, result as ExecutionResult, false, (args.contextValue as GatewayContext | null)?.requestScope?.requestId)
          : undefined,
      onError: (_ctx, _id, _payload, errors) => errors.map((e) => finishError(config, maskError(e) as GraphQLError).toJSON()),
    },
    wss,
    { maxSubscriptions: config.wsMaxSubscriptions, maxBufferedBytes: config.streamMaxBufferedBytes, keepAliveMs: config.wsKeepAliveMs },
  );

  const gateway: Gateway = {
    yoga,
    services,
    shared,
    liveQueries,
    server,
    url: '',
    async start(port = config.port, host = config.host) {
      await new Promise<void>((resolve, reject) => {
        server.once('error', reject);
        server.listen(port, host, () => resolve());
      });
      const addr = server.address() as AddressInfo;
      const shownHost = host === '0.0.0.0' || host === '::' ? 'localhost' : host;
      gateway.url = `http://${shownHost}:${addr.port}`;
      return gateway.url;
    },
    async shutdown(drainMs = config.shutdownDrainMs) {
      stopping.abort();
      // Stop accepting; idle keep-alive sockets close now, busy ones once their response is sent.
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeIdleConnections();
      // A keep-alive socket whose last response has just finished would hold the close until the client's idle
      // timeout (seconds after the last in-flight request ended): while draining, such sockets are closed as they
      // fall idle.
      const sweep = setInterval(() => server.closeIdleConnections(), 50);
      for (const client of wss.clients) client.close(1001, 'Server shutting down');
      const wsClosed = new Promise<void>((resolve) => wss.close(() => resolve()));
      let timer: ReturnType<typeof setTimeout> | undefined;
      const deadline = new Promise<void>((resolve) => (timer = setTimeout(resolve, drainMs)));
      await Promise.race([Promise.all([closed, wsClosed]), deadline]);
      clearTimeout(timer);
      clearInterval(sweep);
      for (const client of wss.clients) client.terminate();
      server.closeAllConnections();
      await closed;
      await pubsubHandle.close();
      await http.close();
    },
    async stop() {
      stopping.abort();
      for (const client of wss.clients) client.terminate();
      await new Promise<void>((resolve) => wss.close(() => resolve()));
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await liveQueries.close();
      await pubsubHandle.close();
      await http.close();
      await tracing?.shutdown();
    },
  };
  return gateway;
}

/** Distinct query texts whose parsed document (or parse error) is kept: Yoga's default size. */
const PARSE_CACHE_MAX = 1024;

/** A map of at most `max` entries that drops its oldest entry to make room. */
function boundedCache<V>(max: number): { get(key: string): V | undefined; set(key: string, value: V): void } {
  const entries = new Map<string, V>();
  return {
    get: (key) => entries.get(key),
    set(key, value) {
      if (entries.size >= max && !entries.has(key)) entries.delete(entries.keys().next().value!);
      entries.set(key, value);
    },
  };
}

/** What the context factory hands envelop to merge once it has written the context itself. */
const NOTHING_TO_MERGE = Object.freeze({}) as Record<string, never>;

/**
 * The payload of a graphql-ws `next` message, as graphql-ws builds it (errors last, as JSON) with the gateway's
 * wording on errors; `mask` applies Yoga's masking too, for results that did not pass through Yoga's plugins.
 */
function nextPayload(config: GatewayConfig, result: ExecutionResult, mask: boolean, requestId?: string): Record<string, unknown> {
  const { errors, ...rest } = result;
  if (!errors?.length) return errors ? { ...rest, errors: [] } : rest;
  return { ...result, errors: errors.map((e) => finishError(config, (mask ? maskError(e) : e) as GraphQLError, requestId).toJSON()) };
}

/**
 * useDeferStream, with the validation rules it adds collected once: its own onValidate copies and filters the rule
 * list on every request (an assignment envelop never reads back: only addValidationRule reaches the validation).
 */
function useDeferStreamOnce(): Plugin {
  const plugin = useDeferStream() as Plugin;
  const rules: ValidationRule[] = [];
  plugin.onValidate?.({ params: { rules: [] }, addValidationRule: (rule: ValidationRule) => rules.push(rule) } as never);
  return {
    ...plugin,
    onValidate({ addValidationRule }) {
      for (const rule of rules) addValidationRule(rule);
    },
  } as Plugin;
}

/** Ends a subscription's stream when `signal` aborts (shutdown), so SSE completes instead of being cut. */
function endOnAbort<T>(source: AsyncIterable<T>, signal: AbortSignal): AsyncIterable<T> {
  return new Repeater<T>(async (push, stop) => {
    const it = source[Symbol.asyncIterator]();
    const onAbort = () => stop();
    if (signal.aborted) stop();
    else signal.addEventListener('abort', onAbort, { once: true });
    const stopped = stop.then(() => ({ done: true as const, value: undefined }));
    try {
      for (;;) {
        const next = await Promise.race([it.next(), stopped]);
        if (next.done) break;
        await push(next.value);
      }
    } finally {
      signal.removeEventListener('abort', onAbort);
      stop();
      await it.return?.();
    }
  });
}

/**
 * Yoga's log calls go to pino (JSON lines on stdout). Anything that looks like a credential is redacted, so a
 * logged request or error never carries the caller's token or the configured API key.
 */
function createLogger(config: GatewayConfig, stream?: { write(line: string): void }): Logger {
  const options = {
    level: config.logLevel,
    redact: { paths: ['authorization', '*.authorization', '*.headers.authorization', 'apiKey', '*.apiKey'], censor: '[redacted]' },
  };
  return stream ? pino(options, stream) : pino(options);
}

/**
 * Log lines with a request id and the text scrubbed of credentials: `write` for a line of a known request (its id
 * and its caller's credentials), `yoga` for Yoga's own calls, which know no request (a fresh id, so the line's
 * parts still pair up; the request's unexpected errors are logged through useMaskedErrorLog instead).
 */
function logLines(config: GatewayConfig, logger: Logger) {
  const scrub = createRedactor(config);
  const write = (level: 'debug' | 'info' | 'warn' | 'error', requestId: string | undefined, secrets: readonly string[] | undefined, args: unknown[]) => {
    if (!logger.isLevelEnabled(level)) return;
    const [first, ...rest] = args;
    const message = scrub(first instanceof Error ? first.message : String(first), secrets);
    const detail = rest.map((r) => scrub(r instanceof Error ? r.message : typeof r === 'string' ? r : (JSON.stringify(r) ?? String(r)), secrets));
    logger[level]({ requestId: requestId ?? randomUUID(), ...(detail.length ? { detail } : {}) }, message);
  };
  const yoga =
    (level: 'debug' | 'info' | 'warn' | 'error') =>
    (...args: unknown[]) =>
      write(level, undefined, undefined, args);
  return { write, yoga: { debug: yoga('debug'), info: yoga('info'), warn: yoga('warn'), error: yoga('error') } };
}

/** HTTP: the Authorization header. WebSocket: connection_init's payload ({Authorization} or {authorization}). */
function authorizationOf(request: Request | undefined, connectionParams: Record<string, unknown> | undefined): string | undefined {
  const fromParams = connectionParams?.Authorization ?? connectionParams?.authorization;
  if (typeof fromParams === 'string') return fromParams;
  if (connectionParams) return undefined;
  return request?.headers.get('authorization') ?? undefined;
}
