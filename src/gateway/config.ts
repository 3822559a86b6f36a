/**
 * The gateway's configuration: the only module that reads process.env. Every option is declared here with its
 * default and what happens when it is wrong; loadConfig() validates them all and throws a ConfigError whose message
 * is one line naming the variable, which main.ts prints before exiting non-zero.
 */

export interface GatewayConfig {
  /** PORT: HTTP/WebSocket port (default 4000; 0 picks a free one). */
  port: number;
  /** HOST: interface to bind (default 0.0.0.0). */
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
  /** COUNTER_COALESCE_MS: window in which bursts of webhooks share one upstream re-read of a counter (default 250). */
  counterCoalesceMs: number;
  /**
   * MAX_QUERY_DEPTH / MAX_QUERY_COST: limits on one operation, checked before any upstream call. Depth default 32
   * (a connection costs two levels, edges and node, so a walk of seven links needs about 25). Cost default 1,000,000:
   * the most objects the response could hold, each `first` multiplying what is nested below it.
   */
  maxQueryDepth: number;
  maxQueryCost: number;
  /** NODE_ENV=development shows unmasked error messages; anything else masks unexpected errors. */
  development: boolean;
  /** LOG_LEVEL: pino level (default info; silent in tests). */
  logLevel: 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';
  /** GRAPHIQL: serve GraphiQL on GET /graphql (default true). */
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
}

export class ConfigError extends Error {}

export const DEFAULT_CONFIG: GatewayConfig = {
  port: 4000,
  host: '0.0.0.0',
  upstreamUrl: 'https://www.wixapis.com',
  upstreamTimeoutMs: 10_000,
  upstreamRetries: 2,
  upstreamConnections: 32,
  webhookPublicKeys: [],
  webhookMaxBytes: 1024 * 1024,
  webhookDedupTtlSeconds: 86_400,
  counterCoalesceMs: 250,
  maxQueryDepth: 32,
  maxQueryCost: 1_000_000,
  development: false,
  logLevel: 'info',
  graphiql: true,
  reportMaxRows: 10_000,
  exportMaxRows: 100_000,
};

const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;

/** Reads and validates the environment. Throws ConfigError naming the first bad variable. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): GatewayConfig {
  const d = DEFAULT_CONFIG;
  const keys = [env.WIX_WEBHOOK_PUBLIC_KEY, env.WIX_WEBHOOK_PUBLIC_KEY_2]
    .filter((k): k is string => !!k && k.trim() !== '')
    .flatMap((k) => k.split(/\n---\n/))
    .map((k) => decodePem('WIX_WEBHOOK_PUBLIC_KEY', k));
  return {
    port: int(env, 'PORT', d.port, 0, 65535),
    host: env.HOST?.trim() || d.host,
    upstreamUrl: url(env, 'UPSTREAM_URL', d.upstreamUrl),
    wixApiKey: env.WIX_API_KEY?.trim() || undefined,
    wixSiteId: env.WIX_SITE_ID?.trim() || undefined,
    upstreamTimeoutMs: int(env, 'UPSTREAM_TIMEOUT_MS', d.upstreamTimeoutMs, 1, 600_000),
    upstreamRetries: int(env, 'UPSTREAM_RETRIES', d.upstreamRetries, 0, 10),
    upstreamConnections: int(env, 'UPSTREAM_CONNECTIONS', d.upstreamConnections, 1, 1024),
    webhookPublicKeys: keys,
    webhookMaxBytes: int(env, 'WEBHOOK_MAX_BYTES', d.webhookMaxBytes, 1024, 64 * 1024 * 1024),
    webhookDedupTtlSeconds: int(env, 'WEBHOOK_DEDUP_TTL_SECONDS', d.webhookDedupTtlSeconds, 1, 30 * 86_400),
    redisUrl: env.REDIS_URL?.trim() ? url(env, 'REDIS_URL', '', ['redis:', 'rediss:']) : undefined,
    counterCoalesceMs: int(env, 'COUNTER_COALESCE_MS', d.counterCoalesceMs, 0, 60_000),
    maxQueryDepth: int(env, 'MAX_QUERY_DEPTH', d.maxQueryDepth, 1, 100),
    maxQueryCost: int(env, 'MAX_QUERY_COST', d.maxQueryCost, 1, 1_000_000_000),
    development: env.NODE_ENV === 'development',
    logLevel: oneOf(env, 'LOG_LEVEL', d.logLevel, LOG_LEVELS),
    graphiql: bool(env, 'GRAPHIQL', d.graphiql),
    reportMaxRows: int(env, 'REPORT_MAX_ROWS', d.reportMaxRows, 1, 1_000_000),
    exportMaxRows: int(env, 'EXPORT_MAX_ROWS', d.exportMaxRows, 1, 10_000_000),
  };
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

/** Accepts PEM text or base64 of it, as @wix/sdk's AppStrategy does (WIX-REST.md §1.8). */
function decodePem(name: string, value: string): string {
  const text = value.includes('-----BEGIN') ? value : Buffer.from(value.trim(), 'base64').toString('utf8');
  if (!/-----BEGIN PUBLIC KEY-----[\s\S]+-----END PUBLIC KEY-----/.test(text)) {
    throw new ConfigError(`${name} must be an RSA public key PEM (-----BEGIN PUBLIC KEY-----) or base64 of one`);
  }
  return text.trim() + '\n';
}
