/**
 * The per-request context: who is calling, the upstream bound to their credentials, and fresh loaders. Built
 * once per HTTP request and once per graphql-ws operation (ARCHITECTURE.md convention 3), never shared between callers.
 */
import { GraphQLError } from 'graphql';
import type { GatewayConfig } from './config.js';
import { createLoaders, type Loaders } from './loaders.js';
import type { IdempotencyStore } from './idempotency.js';
import type { GatewayMetrics } from './metrics.js';
import { recordUpstreamId } from './operation-log.js';
import type { GatewayPubSub } from './pubsub.js';
import type { RequestScope } from './request-scope.js';
import { createUpstream, type Credentials, type Upstream, type UpstreamHttp } from './upstream/index.js';

/** What the gateway shares between requests: nothing caller-specific lives here unkeyed. */
export interface GatewayServices {
  config: GatewayConfig;
  http: UpstreamHttp;
  pubsub: GatewayPubSub;
  /** Create mutations' idempotencyKey → result (Redis when configured, else memory). */
  idempotency: IdempotencyStore;
  /** Test-only: false disables DataLoader batching to show the N+1 count. */
  batchLoads: boolean;
  /**
   * token -> site, learned through token-info (docs/upstream.md §1.9) and kept for SITE_TTL_MS, so a revoked token stops
   * hearing its old site's webhooks soon after; bounded to SITE_CACHE_MAX tokens.
   */
  siteCache: Map<string, { site: Promise<SiteScope>; expires: number }>;
  /** Prometheus metrics (no-ops when METRICS=false). */
  metrics?: GatewayMetrics;
}

export interface SiteScope {
  /** The webhook envelope's instanceId for this caller's site. */
  instanceId: string;
  siteId?: string;
}

export interface GatewayContext {
  services: GatewayServices;
  /** Absent when the caller sent no Authorization and no WIX_API_KEY is configured. */
  creds?: Credentials;
  upstream: Upstream;
  loaders: Loaders;
  pubsub: GatewayPubSub;
  /** The caller's site, for scoping subscriptions to it. */
  site(): Promise<SiteScope>;
  /** This request's id, logger and access-log counters (request-scope.ts); its id is sent upstream as x-request-id. */
  requestScope?: RequestScope;
}

/** `signal`: the HTTP request's, aborted when the client goes away, so its upstream reads are abandoned too. */
export function createContext(
  services: GatewayServices,
  authorization: string | null | undefined,
  signal?: AbortSignal,
  requestScope?: RequestScope,
): GatewayContext {
  const creds = credentialsFor(services.config, authorization);
  const scoped = requestScope ? scopedHttp(services.http, requestScope) : services.http;
  const http = creds ? withSignal(scoped, signal) : unauthenticatedHttp;
  const upstream = createUpstream(http, creds ?? { authorization: '', source: 'caller' });
  const ctx = {
    services,
    creds,
    upstream,
    pubsub: services.pubsub,
    // The site lookup is cached and shared between callers, so one client going away must not abort it.
    site: () => siteFor(services, signal && creds ? createUpstream(scoped, creds) : upstream, creds),
    requestScope,
  } as GatewayContext;
  return resetLoaders(ctx);
}

/** Every upstream call of this request carries its id, and is counted and logged (with the upstream's id) under it. */
function scopedHttp(http: UpstreamHttp, scope: RequestScope): UpstreamHttp {
  const upstreamScope = {
    requestId: scope.requestId,
    onAttempt(a: { route: { route: string }; status: number | 'error'; ms: number; upstreamRequestId?: string }) {
      scope.upstreamCalls++;
      recordUpstreamId(scope, a.upstreamRequestId);
      scope.log.debug({ upstream: a.route.route, status: a.status, ms: Math.round(a.ms), upstreamRequestId: a.upstreamRequestId }, 'upstream call');
    },
  };
  return { ...http, request: (creds, req) => http.request(creds, { ...req, scope: upstreamScope }) };
}

/**
 * Gives the context a fresh set of loaders, built on first use: a subscription resets them for every event it
 * delivers (so no event sees rows an earlier one cached), and most events select no field that needs them, so
 * a fan-out to a thousand subscribers does not build a thousand unused sets.
 */
export function resetLoaders(ctx: GatewayContext): GatewayContext {
  let loaders: Loaders | undefined;
  Object.defineProperty(ctx, 'loaders', {
    configurable: true,
    enumerable: true,
    get: () => (loaders ??= createLoaders(ctx.upstream, { batch: ctx.services.batchLoads, onBatch: ctx.services.metrics?.batch })),
  });
  return ctx;
}

/** The caller's own Authorization wins; else the configured API key; else none (UNAUTHENTICATED on first use). */
export function credentialsFor(config: GatewayConfig, authorization: string | null | undefined): Credentials | undefined {
  const header = authorization?.trim();
  if (header) return { authorization: header, source: 'caller' };
  if (config.wixApiKey) return { authorization: config.wixApiKey, siteId: config.wixSiteId, source: 'apiKey' };
  return undefined;
}

export function unauthenticatedError(): GraphQLError {
  return new GraphQLError('Authentication required: send an Authorization header (or configure WIX_API_KEY on the gateway).', {
    extensions: { code: 'UNAUTHENTICATED', http: { status: 401 } },
  });
}

function withSignal(http: UpstreamHttp, signal: AbortSignal | undefined): UpstreamHttp {
  if (!signal) return http;
  return { ...http, request: (creds, req) => http.request(creds, { ...req, signal: req.signal ?? signal }) };
}

const unauthenticatedHttp: UpstreamHttp = {
  request: () => Promise.reject(unauthenticatedError()),
  breakers: () => ({}),
  onBreakerChange: () => () => {},
  close: async () => {},
};

const SITE_TTL_MS = 5 * 60_000;
const SITE_CACHE_MAX = 10_000;

function siteFor(services: GatewayServices, upstream: Upstream, creds: Credentials | undefined): Promise<SiteScope> {
  if (!creds) return Promise.reject(unauthenticatedError());
  const key = creds.authorization;
  const cached = services.siteCache.get(key);
  if (cached && cached.expires > Date.now()) return cached.site;
  const site = upstream.tokenInfo().then((info) => {
    if (!info.active) throw unauthenticatedError();
    return { instanceId: info.instanceId ?? info.siteId, siteId: info.siteId };
  });
  // A failed lookup is not cached, so the next request tries again.
  site.catch(() => {
    if (services.siteCache.get(key)?.site === site) services.siteCache.delete(key);
  });
  services.siteCache.delete(key);
  // Maps iterate in insertion order: the first key is the least recently learned one.
  if (services.siteCache.size >= SITE_CACHE_MAX) services.siteCache.delete(services.siteCache.keys().next().value!);
  services.siteCache.set(key, { site, expires: Date.now() + SITE_TTL_MS });
  return site;
}
