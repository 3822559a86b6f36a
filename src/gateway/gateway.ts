/**
 * createGateway(config): Yoga over node:http with graphql-ws on the same port and path. Builds everything and
 * binds nothing until start() (STYLE.md example 5); main.ts is the only caller that picks a port from the env.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createYoga, type Plugin, type YogaServerInstance } from 'graphql-yoga';
import { useDeferStream } from '@graphql-yoga/plugin-defer-stream';
import { useServer } from 'graphql-ws/use/ws';
import { pino } from 'pino';
import { WebSocketServer } from 'ws';
import type { ExecutionArgs } from 'graphql';
import { costLimitPlugin } from '@escape.tech/graphql-armor-cost-limit';
import { maxAliasesPlugin } from '@escape.tech/graphql-armor-max-aliases';
import { maxDepthPlugin } from '@escape.tech/graphql-armor-max-depth';
import { maxTokensPlugin } from '@escape.tech/graphql-armor-max-tokens';
import type { GatewayConfig } from './config.js';
import { createContext, type GatewayContext, type GatewayServices } from './context.js';
import { createGatewayPubSub } from './pubsub.js';
import { schema } from './schema/index.js';
import { createUpstreamHttp, type UpstreamRequest } from './upstream/http.js';
import { useWixWebhooks } from './webhooks/receiver.js';
import { createGraphiQLRenderer, graphiqlOptions, useGatewayPages } from './ui/pages.js';

export interface GatewayOptions {
  /** Test-only: false disables DataLoader batching (to show the N+1 count the loaders prevent). */
  batchLoads?: boolean;
  /** Observe every upstream attempt (metrics, tests). */
  onUpstreamAttempt?: (req: UpstreamRequest, status: number | 'error', ms: number) => void;
}

export interface Gateway {
  yoga: YogaServerInstance<Record<string, unknown>, GatewayContext>;
  services: GatewayServices;
  server: Server;
  /** http://host:port once started. */
  url: string;
  start(port?: number, host?: string): Promise<string>;
  stop(): Promise<void>;
}

export async function createGateway(config: GatewayConfig, options: GatewayOptions = {}): Promise<Gateway> {
  const http = createUpstreamHttp({
    baseUrl: config.upstreamUrl,
    timeoutMs: config.upstreamTimeoutMs,
    retries: config.upstreamRetries,
    connections: config.upstreamConnections,
    onAttempt: options.onUpstreamAttempt,
  });
  const pubsubHandle = await createGatewayPubSub(config.redisUrl);
  const services: GatewayServices = {
    config,
    http,
    pubsub: pubsubHandle.pubsub,
    batchLoads: options.batchLoads ?? true,
    siteCache: new Map(),
  };

  // Limits on one operation, checked at validation before any upstream call (the analysts' GraphiQL is open to
  // ad-hoc queries): depth, static cost, aliases and tokens (graphql-armor).
  const plugins: Plugin<any>[] = [
    maxDepthPlugin({ n: config.maxQueryDepth, ignoreIntrospection: true, flattenFragments: true }),
    // Cost = the most objects the response could hold: each `first` multiplies what is below it.
    costLimitPlugin({ maxCost: config.maxQueryCost, objectCost: 1, scalarCost: 0, depthCostFactor: 1, ignoreIntrospection: true }),
    maxAliasesPlugin({ n: 30 }),
    maxTokensPlugin({ n: 5000 }),
    // POST /webhooks/wix: verify, de-duplicate, publish to subscriptions (issue #5).
    useWixWebhooks({ config, pubsub: pubsubHandle.pubsub, redis: pubsubHandle.redis }),
    // @defer / @stream: a long list or a slow linked field arrives in parts (multipart/mixed or SSE).
    useDeferStream(),
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
    maskedErrors: !config.development,
    logging: yogaLogger(config),
    landingPage: false,
    plugins,
    context: ({ request, connectionParams }: { request?: Request; connectionParams?: Record<string, unknown> }) =>
      createContext(services, authorizationOf(request, connectionParams)),
  });

  const server = createServer(yoga);
  const wss = new WebSocketServer({ server, path: '/graphql' });
  useServer(
    {
      execute: (args: any) => args.rootValue.execute(args),
      subscribe: (args: any) => args.rootValue.subscribe(args),
      // Run every WebSocket operation through Yoga's own pipeline, so HTTP and WS share one context and plugin
      // chain (STYLE.md example 6). The context is built once per operation, from connection_init's payload.
      onSubscribe: async (ctx, _id, params) => {
        const { schema, execute, subscribe, contextFactory, parse, validate } = yoga.getEnveloped({
          ...ctx,
          req: ctx.extra.request,
          socket: ctx.extra.socket,
          params,
          connectionParams: ctx.connectionParams,
        });
        const args: ExecutionArgs & { rootValue: unknown } = {
          schema,
          operationName: params.operationName,
          document: parse(params.query),
          variableValues: params.variables,
          contextValue: await contextFactory(),
          rootValue: { execute, subscribe },
        };
        const errors = validate(args.schema, args.document);
        if (errors.length) return errors;
        return args;
      },
    },
    wss,
  );

  const gateway: Gateway = {
    yoga,
    services,
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
  const secrets = [config.wixApiKey].filter((s): s is string => !!s);
  const scrub = (text: string) => secrets.reduce((t, secret) => t.split(secret).join('[redacted]'), text);
  const write =
    (level: 'debug' | 'info' | 'warn' | 'error') =>
    (...args: unknown[]) => {
      if (!logger.isLevelEnabled(level)) return;
      const [first, ...rest] = args;
      const message = scrub(first instanceof Error ? first.message : String(first));
      logger[level](rest.length ? { detail: rest.map((r) => (r instanceof Error ? scrub(r.message) : r)) } : {}, message);
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
