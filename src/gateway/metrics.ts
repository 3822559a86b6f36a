/**
 * Prometheus metrics (prom-client) on one registry, served by @graphql-yoga/plugin-prometheus at METRICS_PATH.
 * The plugin brings Yoga's HTTP duration and envelop's parse/validate/execute/subscribe phases and error counts;
 * the gateway adds what only it knows: operations by name and outcome, upstream calls by domain/route/status,
 * DataLoader batch sizes, webhooks by type and outcome, live subscribers by transport and circuit-breaker state.
 *
 * Labels never hold a token, an id or a path with an id: upstream routes are templates (`/events/v2/rsvps/{id}`),
 * operation names are what the client named its operation, capped at OPERATION_NAMES_MAX distinct values.
 */
import { usePrometheus } from '@graphql-yoga/plugin-prometheus';
import type { Plugin } from 'graphql-yoga';
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
    plugins: [
      usePrometheus({
        registry,
        endpoint: options.path,
        skipIntrospection: true,
        // Operation names are in graphql_operations_total (capped); here they would be unbounded.
        labels: { operationName: false, fieldName: false, typeName: false, returnType: false, path: false },
        metrics: {
          graphql_envelop_phase_parse: true,
          graphql_envelop_phase_validate: true,
          graphql_envelop_phase_execute: true,
          graphql_envelop_phase_subscribe: true,
          graphql_envelop_error_result: true,
          graphql_yoga_http_duration: true,
          // Both on by default, and both per request: the deprecated-field counter walks every document with a
          // TypeInfo (parsed documents are cached, that walk is not), the summary adds a t-digest observation per
          // operation that graphql_envelop_request_duration's histogram already counts.
          graphql_envelop_deprecated_field: false,
          graphql_envelop_request_time_summary: false,
        },
      }) as Plugin,
    ],
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
