/**
 * createGateway(config): Yoga over node:http with graphql-ws on the same port and path. Builds everything and
 * binds nothing until start() (ARCHITECTURE.md convention 5); main.ts is the only caller that picks a port from the env.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createYoga, type Plugin, type YogaServerInstance } from 'graphql-yoga';
import { useDeferStream } from '@graphql-yoga/plugin-defer-stream';
import { pino } from 'pino';
import { WebSocketServer } from 'ws';
import { GraphQLError, type ExecutionArgs } from 'graphql';
import type { GatewayConfig } from './config.js';
import { createContext, type GatewayContext, type GatewayServices } from './context.js';
import { checkVariables, useOperationLimits } from './limits.js';
import { createLiveQueries } from './live/live-queries.js';
import { createSharedSubscriptions, type SharedSubscriptions } from './live/shared.js';
import { createGatewayPubSub } from './pubsub.js';
import { schema } from './schema/index.js';
import { SHARED_SUBSCRIPTION_FIELDS } from './schema/subscriptions.js';
import {
  corsFor,
  createRedactor,
  currentRequestId,
  finishError,
  isAllowedWebSocketOrigin,
  maskError,
  runInRequestScope,
  useRequestHardening,
} from './security.js';
import { useBoundedStreams } from './streams.js';
import { createUpstreamHttp, type UpstreamRequest } from './upstream/http.js';
import { useWixWebhooks } from './webhooks/receiver.js';
import { createGraphiQLRenderer, graphiqlOptions, useGatewayPages } from './ui/pages.js';
import { serveGraphqlWs } from './ws-server.js';

export interface GatewayOptions {
  /** Test-only: false disables DataLoader batching (to show the N+1 count the loaders prevent). */
  batchLoads?: boolean;
  /** Observe every upstream attempt (metrics, tests). */
  onUpstreamAttempt?: (req: UpstreamRequest, status: number | 'error', ms: number) => void;
}

export interface Gateway {
  yoga: YogaServerInstance<Record<string, unknown>, GatewayContext>;
  services: GatewayServices;
  /** graphql-ws subscribers sharing one execution per event (live/shared.ts). */
  shared: SharedSubscriptions;
  server: Server;
  /** http://host:port once started. */
  url: string;
  start(port?: number, host?: string): Promise<string>;
  stop(): Promise<void>;
}

export async function createGateway(config: GatewayConfig, options: GatewayOptions = {}): Promise<Gateway> {
  const logger = yogaLogger(config);
  const http = createUpstreamHttp({
    baseUrl: config.upstreamUrl,
    timeoutMs: config.upstreamTimeoutMs,
    retries: config.upstreamRetries,
    connections: config.upstreamConnections,
    onAttempt: options.onUpstreamAttempt,
    onFailure: (_req, err) => logger.warn(`upstream failure ${err.code}: ${err.detail}`),
  });
  const pubsubHandle = await createGatewayPubSub(config.redisUrl);
  const services: GatewayServices = {
    config,
    http,
    pubsub: pubsubHandle.pubsub,
    batchLoads: options.batchLoads ?? true,
    siteCache: new Map(),
  };

  const liveQueries = createLiveQueries({
    pubsub: pubsubHandle.pubsub,
    coalesceMs: config.liveQueryCoalesceMs,
    onError: (m) => logger.error(m),
  });
  const plugins: Plugin<any>[] = [
    // Which requests may execute (JSON POSTs, GET without mutations), 400 for unreadable ones, request ids on errors.
    useRequestHardening(config),
    // Limits on one request, checked before any upstream call (the analysts' GraphiQL is open to ad-hoc queries).
    ...useOperationLimits(config),
    // An SSE subscriber that stops reading is cut off at STREAM_MAX_BUFFERED_BYTES.
    useBoundedStreams(config),
    // POST /webhooks/wix: verify, de-duplicate, publish to subscriptions (issue #5).
    useWixWebhooks({ config, pubsub: pubsubHandle.pubsub, redis: pubsubHandle.redis }),
    // @defer / @stream: a long list or a slow linked field arrives in parts (multipart/mixed or SSE).
    useDeferStream(),
    // `query @live { … }`: re-executed and pushed again when a webhook touches what it read (live/live-queries.ts).
    ...liveQueries.plugins,
    // GET / and GET /dashboard (the door's live check-in screen), served from this origin only.
    useGatewayPages({ graphiql: config.graphiql }),
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
    maxRequestBodySize: config.maxBodyBytes,
    logging: logger,
    landingPage: false,
    plugins,
    context: ({ request, connectionParams }: { request?: Request; connectionParams?: Record<string, unknown> }) =>
      createContext(services, authorizationOf(request, connectionParams)),
  });

  const shared = createSharedSubscriptions({
    shareable: SHARED_SUBSCRIPTION_FIELDS,
    // The masking Yoga applies (maskedErrors above) and the wording onNext gives: shared executions do not pass
    // through Yoga's plugins.
    maskErrors: (errors) => errors.map((e) => finishError(config, maskError(e) as GraphQLError)),
    maxBufferedBytes: config.streamMaxBufferedBytes,
    onError: (m) => yoga.logger.error(m),
  });
  const server = createServer((req, res) => runInRequestScope(req.headers['x-request-id'], [req.headers.authorization], () => yoga(req, res)));
  const wss = new WebSocketServer({
    server,
    path: '/graphql',
    maxPayload: config.maxBodyBytes,
    verifyClient: ({ req }: { req: import('node:http').IncomingMessage }) => isAllowedWebSocketOrigin(config, req),
  });
  serveGraphqlWs(
    {
      execute: (args: any) => args.rootValue.execute(args),
      subscribe: (args: any) => args.rootValue.subscribe(args),
      // Run every WebSocket operation through Yoga's own pipeline, so HTTP and WS share one context and plugin
      // chain (ARCHITECTURE.md convention 6). The context is built once per operation, from connection_init's payload.
      // Each operation gets its own request id; the connection's credentials are redacted from its log lines.
      onSubscribe: (ctx, id, params) =>
        runInRequestScope(ctx.extra.request.headers['x-request-id'], [authorizationOf(undefined, ctx.connectionParams)], async () => {
          const { schema, execute, subscribe, contextFactory, parse, validate } = yoga.getEnveloped({
            ...ctx,
            req: ctx.extra.request,
            socket: ctx.extra.socket,
            params,
            connectionParams: ctx.connectionParams,
          });
          let args: ExecutionArgs & { rootValue: unknown };
          let contextValue: GatewayContext;
          try {
            // Limits refuse by throwing (armor's rules do); over WS that must be an error message, not a closed socket.
            checkVariables(config, params.variables);
            const document = parse(params.query);
            const errors = validate(schema, document);
            if (errors.length) return (errors as readonly GraphQLError[]).map((e) => finishError(config, e));
            contextValue = (await contextFactory()) as unknown as GatewayContext;
            args = { schema, operationName: params.operationName, document, variableValues: params.variables, contextValue, rootValue: { execute, subscribe } };
          } catch (err) {
            if (err instanceof GraphQLError) return [finishError(config, maskError(err) as GraphQLError)];
            throw err;
          }
          // Shareable subscriptions join a group; graphql-ws then holds only the member (no context, no execution).
          const member = await shared.attach({ ...args, variables: params.variables, socket: ctx.extra.socket, id, query: params.query, context: contextValue });
          if (member) return { ...args, contextValue: null, rootValue: member };
          return args;
        }),
      onNext: (_ctx, _id, _payload, _args, result) =>
        'errors' in result && result.errors?.length ? { ...result, errors: result.errors.map((e) => finishError(config, e as GraphQLError).toJSON()) } : undefined,
      onError: (_ctx, _id, _payload, errors) => errors.map((e) => finishError(config, maskError(e) as GraphQLError).toJSON()),
    },
    wss,
    { maxSubscriptions: config.wsMaxSubscriptions, maxBufferedBytes: config.streamMaxBufferedBytes },
  );

  const gateway: Gateway = {
    yoga,
    services,
    shared,
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
    async stop() {
      for (const client of wss.clients) client.terminate();
      await new Promise<void>((resolve) => wss.close(() => resolve()));
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await liveQueries.close();
      await pubsubHandle.close();
      await http.close();
    },
  };
  return gateway;
}

/**
 * Yoga's log calls go to pino (JSON lines on stdout). Anything that looks like a credential is redacted, so a
 * logged request or error never carries the caller's token or the configured API key.
 */
function yogaLogger(config: GatewayConfig) {
  const logger = pino({
    level: config.logLevel,
    redact: { paths: ['authorization', '*.authorization', '*.headers.authorization', 'apiKey', '*.apiKey'], censor: '[redacted]' },
  });
  const scrub = createRedactor(config);
  const write =
    (level: 'debug' | 'info' | 'warn' | 'error') =>
    (...args: unknown[]) => {
      if (!logger.isLevelEnabled(level)) return;
      const [first, ...rest] = args;
      const message = scrub(first instanceof Error ? first.message : String(first));
      const detail = rest.map((r) => scrub(r instanceof Error ? r.message : typeof r === 'string' ? r : JSON.stringify(r) ?? String(r)));
      logger[level]({ requestId: currentRequestId(), ...(detail.length ? { detail } : {}) }, message);
    };
  return { debug: write('debug'), info: write('info'), warn: write('warn'), error: write('error') };
}

/** HTTP: the Authorization header. WebSocket: connection_init's payload ({Authorization} or {authorization}). */
function authorizationOf(request: Request | undefined, connectionParams: Record<string, unknown> | undefined): string | undefined {
  const fromParams = connectionParams?.Authorization ?? connectionParams?.authorization;
  if (typeof fromParams === 'string') return fromParams;
  if (connectionParams) return undefined;
  return request?.headers.get('authorization') ?? undefined;
}
