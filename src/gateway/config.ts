/**
 * The gateway's configuration: the only module that reads process.env. Every option is declared here with its
 * default and what happens when it is wrong; loadConfig() validates them all and throws a ConfigError whose message
 * is one line naming the variable, which main.ts prints before exiting non-zero.
 */

export interface GatewayConfig {
  /** PORT: HTTP/WebSocket port (default 4000; 0 picks a free one). */
  port: number;
  /** HOST: interface to bind (default 0.0.0.0; `npm start` passes 127.0.0.1 unless HOST is set). */
  host: string;
  /** UPSTREAM_URL: base URL of the Wix REST APIs or the sandbox (default https://www.wixapis.com). */
  upstreamUrl: string;
  /** WIX_API_KEY: Authorization used when a caller sends none (optional; a secret: never logged). */
  wixApiKey?: string;
  /** WIX_SITE_ID: `wix-site-id` header sent with WIX_API_KEY (optional). */
  wixSiteId?: string;
  /** UPSTREAM_TIMEOUT_MS: per upstream attempt (default 10000). */
  upstreamTimeoutMs: number;
  /** UPSTREAM_RETRIES: extra attempts for idempotent upstream calls on 429/5xx/connection errors (default 2). */
  upstreamRetries: number;
  /** UPSTREAM_CONNECTIONS: keep-alive connections per upstream origin (default 32). */
  upstreamConnections: number;
  /**
   * UPSTREAM_BUDGET_MS: total time one upstream request may take, every retry and wait included (default 15000).
   * A Retry-After or backoff that would pass it fails at once instead of holding the client.
   */
  upstreamBudgetMs: number;
  /** UPSTREAM_BREAKER_FAILURES: consecutive failures of one upstream API that open its circuit breaker (default 5). */
  upstreamBreakerFailures: number;
  /** UPSTREAM_BREAKER_HALF_OPEN_MS: how long an open breaker fails fast before one probe call is let through (default 2000). */
  upstreamBreakerHalfOpenMs: number;
  /**
   * SHUTDOWN_DRAIN_MS: on SIGTERM, how long in-flight requests may take to finish before the process exits anyway
   * (default 10000). New connections are refused and /readyz answers 503 meanwhile.
   */
  shutdownDrainMs: number;
  /** IDEMPOTENCY_TTL_SECONDS: how long a create mutation's idempotencyKey → result is remembered (default 86400). */
  idempotencyTtlSeconds: number;
  /**
   * WIX_WEBHOOK_PUBLIC_KEY: PEM (or base64 of the PEM) of the RS256 key(s) webhooks are signed with. Several keys,
   * for rotation, are separated by a line `---` or given as WIX_WEBHOOK_PUBLIC_KEY_2. Without one, POST /webhooks/wix
   * answers 503 and no subscription is fed.
   */
  webhookPublicKeys: string[];
  /** WEBHOOK_MAX_BYTES: larger webhook bodies get 413 (default 1 MiB). */
  webhookMaxBytes: number;
  /** WEBHOOK_DEDUP_TTL_SECONDS: how long a webhook id is remembered for de-duplication (default 86400). */
  webhookDedupTtlSeconds: number;
  /** REDIS_URL: shared pubsub and webhook dedup/ordering state for many replicas; unset = in-process only. */
  redisUrl?: string;
  /** REDIS_PREFIX: prefix of every Redis key and stream this gateway uses, so deployments can share a Redis (default none). */
  redisPrefix: string;
  /** REDIS_STREAM_MAXLEN: about how many changes the Redis stream keeps for replicas catching up (default 10000). */
  redisStreamMaxLen: number;
  /** COUNTER_COALESCE_MS: window in which bursts of webhooks share one upstream re-read of a counter (default 250). */
  counterCoalesceMs: number;
  /**
   * LIVE_QUERY_COALESCE_MS: `@live` invalidations are throttled per replica: the first after a quiet window is applied
   * at once, later ones are collected until the window ends, so a burst re-runs each query once per window (default 25).
   */
  liveQueryCoalesceMs: number;
  /**
   * MAX_QUERY_DEPTH / MAX_QUERY_COST: limits on one operation, checked before any upstream call. Depth default 32
   * (a connection costs two levels, edges and node, so a walk of seven links needs about 25). Cost default 1,000,000:
   * the most objects the response could hold, each `first` multiplying what is nested below it.
   */
  maxQueryDepth: number;
  maxQueryCost: number;
  /** MAX_ALIASES: aliases in one operation, `__typename` ones included (default 30). */
  maxAliases: number;
  /** MAX_TOKENS: lexical tokens in one document (default 5000): bounds the parser's work before anything else. */
  maxTokens: number;
  /** MAX_DIRECTIVES: directives in one operation (default 50). */
  maxDirectives: number;
  /**
   * MAX_LIST_LENGTH: items in any list argument or list variable (default 1000). The upstream takes 100 ids per call,
   * so 1000 ids are ten calls; 20,000 ids would be 200 calls from one request.
   */
  maxListLength: number;
  /** MAX_INPUT_DEPTH: nesting of input objects and lists in arguments and variables, e.g. and/or/not filters (default 16). */
  maxInputDepth: number;
  /** MAX_STRING_LENGTH: characters in any string argument or variable (default 10000; the longest documented upstream text is 5000). */
  maxStringLength: number;
  /** MAX_BODY_BYTES: request bodies over this get 413 BODY_TOO_LARGE before they are parsed (default 1 MiB). */
  maxBodyBytes: number;
  /** WS_MAX_SUBSCRIPTIONS: active operations on one graphql-ws socket; the next one is refused (default 100). */
  wsMaxSubscriptions: number;
  /**
   * WS_KEEPALIVE_MS: every WebSocket is pinged this often; one that does not answer a ping within this time is
   * terminated, so a peer gone without a close (a tablet out of Wi-Fi) is dropped within two periods (default 12000).
   */
  wsKeepAliveMs: number;
  /**
   * STREAM_MAX_BUFFERED_BYTES: bytes a WebSocket or SSE stream may hold unsent for a client that does not read
   * (default 4 MiB). Past it the socket is closed with 1013 (the SSE stream ends with SLOW_CONSUMER), so one slow
   * reader cannot grow the gateway's memory.
   */
  streamMaxBufferedBytes: number;
  /**
   * CORS_ORIGINS: comma-separated origins (https://app.example.com) whose pages may call the gateway with
   * credentials; also the only foreign origins allowed to open a WebSocket. Empty (default): same-origin only.
   * `*` is refused: a reflected origin with credentials would let any site act with WIX_API_KEY.
   */
  corsOrigins: string[];
  /** NODE_ENV=development: development defaults (introspection and GraphiQL on). Errors are redacted in every mode. */
  development: boolean;
  /** NODE_ENV=production: production defaults (introspection, suggestions and GraphiQL off). */
  production: boolean;
  /**
   * GRAPHQL_INTROSPECTION: allow __schema/__type queries and "Did you mean" suggestions (default: on, off when
   * NODE_ENV=production).
   */
  introspection: boolean;
  /** LOG_LEVEL: pino level (default info; silent in tests). */
  logLevel: 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';
  /** GRAPHIQL: serve GraphiQL on GET /graphql (default: on, off when NODE_ENV=production). */
  graphiql: boolean;
  /**
   * REPORT_MAX_ROWS: the most upstream rows (bookings, or RSVPs) one grouped report reads (default 10,000). Past it
   * the report answers `complete: false` with a cutOffReason instead of reading on.
   */
  reportMaxRows: number;
  /**
   * EXPORT_MAX_ROWS: the most rows one CSV / NDJSON export streams (default 100,000); the export stops there and the
   * response's X-Export-Row-Limit header says where it would stop.
   */
  exportMaxRows: number;
  /** METRICS: serve Prometheus metrics (default true); false serves nothing and records nothing. */
  metrics: boolean;
  /** METRICS_PATH: where the metrics are served (default /metrics); unauthenticated, so keep it off the public edge. */
  metricsPath: string;
  /**
   * OTEL_EXPORTER_OTLP_ENDPOINT: OTLP/HTTP collector base URL (e.g. http://127.0.0.1:4318); traces go to
   * `<url>/v1/traces`. Unset = no tracing at all (no spans are made). OTEL_SERVICE_NAME names the service
   * (default attendance-graph).
   */
  otlpEndpoint?: string;
  otelServiceName: string;
  /**
   * APQ: Automatic Persisted Queries, Apollo's protocol (default true): a client may send only
   * extensions.persistedQuery.sha256Hash; an unknown hash answers PERSISTED_QUERY_NOT_FOUND and the client resends
   * with the query, which is stored (in Redis under REDIS_URL, shared by replicas, for APQ_TTL_SECONDS; else in
   * this process's memory, at most 1000 documents).
   */
  apq: boolean;
  apqTtlSeconds: number;
  /**
   * PERSISTED_OPERATIONS_FILE: trusted-documents mode. A JSON manifest `{ "<id or sha256 hash>": "<document>" }`;
   * only these operations run (sent as `documentId`, or APQ's extensions.persistedQuery.sha256Hash), anything else is
   * refused with PERSISTED_QUERY_ONLY (a query text, HTTP 400), PERSISTED_QUERY_NOT_IN_LIST (an unknown id, 404) or
   * PERSISTED_QUERY_ID_REQUIRED (neither). Also Apollo's manifest format. Unset = off. APQ is off in this mode
   * (clients cannot register documents). An unreadable or empty manifest stops the gateway (exit 2).
   */
  persistedOperationsFile?: string;
}

export class ConfigError extends Error {}

export const DEFAULT_CONFIG: GatewayConfig = {
  port: 4000,
  host: '0.0.0.0',
  upstreamUrl: 'https://www.wixapis.com',
  upstreamTimeoutMs: 10_000,
  upstreamRetries: 2,
  upstreamConnections: 32,
  upstreamBudgetMs: 15_000,
  upstreamBreakerFailures: 5,
  upstreamBreakerHalfOpenMs: 2_000,
  shutdownDrainMs: 10_000,
  idempotencyTtlSeconds: 86_400,
  redisPrefix: '',
  redisStreamMaxLen: 10_000,
  webhookPublicKeys: [],
  webhookMaxBytes: 1024 * 1024,
  webhookDedupTtlSeconds: 86_400,
  counterCoalesceMs: 250,
  liveQueryCoalesceMs: 25,
  maxQueryDepth: 32,
  maxQueryCost: 1_000_000,
  maxAliases: 30,
  maxTokens: 5000,
  maxDirectives: 50,
  maxListLength: 1000,
  maxInputDepth: 16,
  maxStringLength: 10_000,
  maxBodyBytes: 1024 * 1024,
  wsMaxSubscriptions: 100,
  wsKeepAliveMs: 12_000,
  streamMaxBufferedBytes: 4 * 1024 * 1024,
  corsOrigins: [],
  development: false,
  production: false,
  introspection: true,
  logLevel: 'info',
  graphiql: true,
  reportMaxRows: 10_000,
  exportMaxRows: 100_000,
  metrics: true,
  metricsPath: '/metrics',
  otelServiceName: 'attendance-graph',
  apq: true,
  apqTtlSeconds: 86_400,
};

const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;

/** Reads and validates the environment. Throws ConfigError naming the first bad variable. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): GatewayConfig {
  const d = DEFAULT_CONFIG;
  const keys = [env.WIX_WEBHOOK_PUBLIC_KEY, env.WIX_WEBHOOK_PUBLIC_KEY_2]
    .filter((k): k is string => !!k && k.trim() !== '')
    .flatMap((k) => k.split(/\n---\n/))
    .map((k) => decodePem('WIX_WEBHOOK_PUBLIC_KEY', k));
  const production = env.NODE_ENV === 'production';
  return {
    port: int(env, 'PORT', d.port, 0, 65535),
    host: env.HOST?.trim() || d.host,
    upstreamUrl: url(env, 'UPSTREAM_URL', d.upstreamUrl),
    wixApiKey: env.WIX_API_KEY?.trim() || undefined,
    wixSiteId: env.WIX_SITE_ID?.trim() || undefined,
    upstreamTimeoutMs: int(env, 'UPSTREAM_TIMEOUT_MS', d.upstreamTimeoutMs, 1, 600_000),
    upstreamRetries: int(env, 'UPSTREAM_RETRIES', d.upstreamRetries, 0, 10),
    upstreamConnections: int(env, 'UPSTREAM_CONNECTIONS', d.upstreamConnections, 1, 1024),
    upstreamBudgetMs: int(env, 'UPSTREAM_BUDGET_MS', d.upstreamBudgetMs, 1, 3_600_000),
    upstreamBreakerFailures: int(env, 'UPSTREAM_BREAKER_FAILURES', d.upstreamBreakerFailures, 1, 1000),
    upstreamBreakerHalfOpenMs: int(env, 'UPSTREAM_BREAKER_HALF_OPEN_MS', d.upstreamBreakerHalfOpenMs, 1, 600_000),
    shutdownDrainMs: int(env, 'SHUTDOWN_DRAIN_MS', d.shutdownDrainMs, 0, 600_000),
    idempotencyTtlSeconds: int(env, 'IDEMPOTENCY_TTL_SECONDS', d.idempotencyTtlSeconds, 1, 30 * 86_400),
    redisPrefix: prefix(env, 'REDIS_PREFIX'),
    redisStreamMaxLen: int(env, 'REDIS_STREAM_MAXLEN', d.redisStreamMaxLen, 100, 10_000_000),
    webhookPublicKeys: keys,
    webhookMaxBytes: int(env, 'WEBHOOK_MAX_BYTES', d.webhookMaxBytes, 1024, 64 * 1024 * 1024),
    webhookDedupTtlSeconds: int(env, 'WEBHOOK_DEDUP_TTL_SECONDS', d.webhookDedupTtlSeconds, 1, 30 * 86_400),
    redisUrl: env.REDIS_URL?.trim() ? url(env, 'REDIS_URL', '', ['redis:', 'rediss:']) : undefined,
    counterCoalesceMs: int(env, 'COUNTER_COALESCE_MS', d.counterCoalesceMs, 0, 60_000),
    liveQueryCoalesceMs: int(env, 'LIVE_QUERY_COALESCE_MS', d.liveQueryCoalesceMs, 0, 10_000),
    maxQueryDepth: int(env, 'MAX_QUERY_DEPTH', d.maxQueryDepth, 1, 100),
    maxQueryCost: int(env, 'MAX_QUERY_COST', d.maxQueryCost, 1, 1_000_000_000),
    maxAliases: int(env, 'MAX_ALIASES', d.maxAliases, 0, 10_000),
    maxTokens: int(env, 'MAX_TOKENS', d.maxTokens, 10, 1_000_000),
    maxDirectives: int(env, 'MAX_DIRECTIVES', d.maxDirectives, 0, 10_000),
    maxListLength: int(env, 'MAX_LIST_LENGTH', d.maxListLength, 1, 1_000_000),
    maxInputDepth: int(env, 'MAX_INPUT_DEPTH', d.maxInputDepth, 1, 100),
    maxStringLength: int(env, 'MAX_STRING_LENGTH', d.maxStringLength, 100, 100 * 1024 * 1024),
    maxBodyBytes: int(env, 'MAX_BODY_BYTES', d.maxBodyBytes, 1024, 1024 * 1024 * 1024),
    wsMaxSubscriptions: int(env, 'WS_MAX_SUBSCRIPTIONS', d.wsMaxSubscriptions, 1, 100_000),
    wsKeepAliveMs: int(env, 'WS_KEEPALIVE_MS', d.wsKeepAliveMs, 100, 3_600_000),
    streamMaxBufferedBytes: int(env, 'STREAM_MAX_BUFFERED_BYTES', d.streamMaxBufferedBytes, 1024, 1024 * 1024 * 1024),
    corsOrigins: origins(env, 'CORS_ORIGINS'),
    development: env.NODE_ENV === 'development',
    production,
    introspection: bool(env, 'GRAPHQL_INTROSPECTION', !production),
    logLevel: oneOf(env, 'LOG_LEVEL', d.logLevel, LOG_LEVELS),
    graphiql: bool(env, 'GRAPHIQL', !production),
    reportMaxRows: int(env, 'REPORT_MAX_ROWS', d.reportMaxRows, 1, 1_000_000),
    exportMaxRows: int(env, 'EXPORT_MAX_ROWS', d.exportMaxRows, 1, 10_000_000),
    metrics: bool(env, 'METRICS', d.metrics),
    metricsPath: path(env, 'METRICS_PATH', d.metricsPath),
    otlpEndpoint: env.OTEL_EXPORTER_OTLP_ENDPOINT?.trim() ? url(env, 'OTEL_EXPORTER_OTLP_ENDPOINT', '') : undefined,
    otelServiceName: env.OTEL_SERVICE_NAME?.trim() || d.otelServiceName,
    apq: bool(env, 'APQ', d.apq),
    apqTtlSeconds: int(env, 'APQ_TTL_SECONDS', d.apqTtlSeconds, 1, 365 * 86_400),
    persistedOperationsFile: env.PERSISTED_OPERATIONS_FILE?.trim() || undefined,
  };
}

/** A URL path of its own: not the GraphQL or webhook endpoint. */
function path(env: NodeJS.ProcessEnv, name: string, def: string): string {
  const raw = env[name]?.trim();
  if (!raw) return def;
  if (!/^\/[A-Za-z0-9._~\/-]*$/.test(raw) || raw === '/graphql' || raw === '/webhooks/wix') {
    throw new ConfigError(`${name} must be a path starting with / other than /graphql and /webhooks/wix, got "${raw}"`);
  }
  return raw;
}

// Parsers: each names the variable, what it expected and what arrived, without echoing secrets.

function int(env: NodeJS.ProcessEnv, name: string, def: number, min: number, max: number): number {
  const raw = env[name]?.trim();
  if (!raw) return def;
  if (!/^\d+$/.test(raw) || Number(raw) < min || Number(raw) > max) {
    throw new ConfigError(`${name} must be an integer from ${min} to ${max}, got "${raw}"`);
  }
  return Number(raw);
}

function prefix(env: NodeJS.ProcessEnv, name: string): string {
  const raw = env[name]?.trim() ?? '';
  if (raw && !/^[A-Za-z0-9:_.-]{1,64}$/.test(raw)) throw new ConfigError(`${name} must be 1..64 of letters, digits and : _ . -, got "${raw}"`);
  return raw;
}

function bool(env: NodeJS.ProcessEnv, name: string, def: boolean): boolean {
  const raw = env[name]?.trim().toLowerCase();
  if (!raw) return def;
  if (['1', 'true', 'yes', 'on'].includes(raw)) return true;
  if (['0', 'false', 'no', 'off'].includes(raw)) return false;
  throw new ConfigError(`${name} must be true or false, got "${raw}"`);
}

function oneOf<T extends string>(env: NodeJS.ProcessEnv, name: string, def: T, allowed: readonly T[]): T {
  const raw = env[name]?.trim();
  if (!raw) return def;
  if (!(allowed as readonly string[]).includes(raw)) {
    throw new ConfigError(`${name} must be one of ${allowed.join(', ')}, got "${raw}"`);
  }
  return raw as T;
}

function url(env: NodeJS.ProcessEnv, name: string, def: string, protocols = ['http:', 'https:']): string {
  const raw = env[name]?.trim();
  if (!raw) return def;
  let parsed: URL;
  try {
    parsed = new URL(raw);
  } catch {
    throw new ConfigError(`${name} must be a URL (${protocols.join(' or ')}), got something unparsable`);
  }
  if (!protocols.includes(parsed.protocol)) {
    throw new ConfigError(`${name} must use ${protocols.join(' or ')}, got "${parsed.protocol}"`);
  }
  return name === 'UPSTREAM_URL' ? raw.replace(/\/+$/, '') : raw;
}

/** A list of exact origins (scheme://host[:port]); paths, wildcards and `null` are refused. */
function origins(env: NodeJS.ProcessEnv, name: string): string[] {
  const raw = env[name]?.trim();
  if (!raw) return [];
  return raw
    .split(',')
    .map((o) => o.trim())
    .filter(Boolean)
    .map((o) => {
      let parsed: URL | undefined;
      try {
        parsed = new URL(o);
      } catch {
        // reported below
      }
      if (!parsed || !['http:', 'https:'].includes(parsed.protocol) || parsed.origin !== o.replace(/\/+$/, '')) {
        throw new ConfigError(`${name} must be a comma-separated list of origins like https://app.example.com, got "${o}"`);
      }
      return parsed.origin;
    });
}

/** Accepts PEM text or base64 of it, as @wix/sdk's AppStrategy does (docs/upstream.md §1.8). */
function decodePem(name: string, value: string): string {
  const text = value.includes('-----BEGIN') ? value : Buffer.from(value.trim(), 'base64').toString('utf8');
  if (!/-----BEGIN PUBLIC KEY-----[\s\S]+-----END PUBLIC KEY-----/.test(text)) {
    throw new ConfigError(`${name} must be an RSA public key PEM (-----BEGIN PUBLIC KEY-----) or base64 of one`);
  }
  return text.trim() + '\n';
}
