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
import type { BreakerState, UpstreamRequest, UpstreamScope } from './upstream/http.js';
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
  const scope = requestScope && upstreamScopeOf(requestScope);
  const http = creds ? (scope || signal ? new RequestHttp(services.http, scope, signal) : services.http) : unauthenticatedHttp;
  const upstream = createUpstream(http, creds ?? { authorization: '', source: 'caller' });
  const ctx = {
    services,
    creds,
    upstream,
    pubsub: services.pubsub,
    // The site lookup is cached and shared between callers, so one client going away must not abort it.
    site() {
      return siteFor(services, signal && creds ? createUpstream(scope ? new RequestHttp(services.http, scope, undefined) : services.http, creds) : upstream, creds);
    },
    requestScope,
  } as GatewayContext;
  return resetLoaders(ctx);
}

/** Every upstream call of this request carries its id, and is counted and logged (with the upstream's id) under it. */
function upstreamScopeOf(scope: RequestScope): UpstreamScope {
  return {
    requestId: scope.requestId,
    secrets: scope.secrets,
    onAttempt(a) {
      scope.upstreamCalls++;
      recordUpstreamId(scope, a.upstreamRequestId);
      scope.log.debug({ upstream: a.route.route, status: a.status, ms: Math.round(a.ms), upstreamRequestId: a.upstreamRequestId }, 'upstream call');
    },
  };
}

/**
 * The upstream as one request calls it: each call carries the request's scope (its id upstream, its attempts counted
 * and logged), and `signal`, the HTTP request's, unless the call brings its own. One object per request and one copy
 * of each call, where a wrapper per concern spread a client per request and a call per wrapper.
 */
class RequestHttp implements UpstreamHttp {
  constructor(
    private readonly http: UpstreamHttp,
    private readonly scope: UpstreamScope | undefined,
    private readonly signal: AbortSignal | undefined,
  ) {}

  request<T>(creds: Credentials, req: UpstreamRequest): Promise<T> {
    return this.http.request<T>(creds, { ...req, scope: this.scope ?? req.scope, signal: req.signal ?? this.signal });
  }

  breakers(): Record<string, BreakerState> {
    return this.http.breakers();
  }

  onBreakerChange(listener: (domain: string, state: BreakerState) => void): () => void {
    return this.http.onBreakerChange(listener);
  }

  close(): Promise<void> {
    return this.http.close();
  }
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
    get() {
      return (loaders ??= createLoaders(ctx.upstream, { batch: ctx.services.batchLoads, onBatch: ctx.services.metrics?.batch }));
    },
  });
  Object.defineProperty(ctx, RELEASE, {
    configurable: true,
    value() {
      if (!loaders) return;
      for (const loader of Object.values(loaders)) if (typeof (loader as { clearAll?: unknown }).clearAll === 'function') (loader as { clearAll(): void }).clearAll();
      loaders = undefined;
    },
  });
  return ctx;
}

const RELEASE = Symbol('releaseLoaders');

/**
 * Drops what the context's loaders hold (every row the request read) once its execution has ended; a later read
 * builds fresh loaders. Yoga keeps a finished request's context reachable to V8's scavenger until a full GC, so
 * without this every upstream row a query read was copied by the scavenger and promoted to the old generation:
 * 2.2 MB of a 100-event query, still reachable 20 ms after its response (BENCHMARKS.md, session 6).
 */
export function releaseLoaders(ctx: unknown): void {
  (ctx as { [RELEASE]?: () => void } | null)?.[RELEASE]?.();
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
