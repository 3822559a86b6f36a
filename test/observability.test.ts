/**
 * What an operator sees: request ids end to end (response header, every log line of the request, the upstream's
 * x-request-id checked at the sandbox, the upstream's X-Wix-Request-Id beside it), Prometheus metrics after a mixed
 * run, and OpenTelemetry traces three levels deep. All over real HTTP against the sandbox.
 */
import { InMemorySpanExporter, type ReadableSpan } from '@opentelemetry/sdk-trace-base';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sseSubscribe } from './support/live.js';
import { startStack, type Stack } from './support/stack.js';

const logs: any[] = [];
const spans = new InMemorySpanExporter();
let stack: Stack;

beforeAll(async () => {
  stack = await startStack({
    config: { logLevel: 'debug', upstreamRetries: 0 },
    gateway: { spanExporter: spans, logStream: { write: (line) => logs.push(JSON.parse(line)) } },
  });
});
afterAll(() => stack?.stop());

/** What the sandbox saw: each request's x-request-id beside the X-Wix-Request-Id it answered with. */
async function requestIds(): Promise<{ route: string; requestId?: string; wixRequestId: string }[]> {
  return ((await (await fetch(`${stack.sandboxUrl}/__sandbox/request-ids`)).json()) as any).recent;
}

const EVENTS = `query EventsWithGuests { events(first: 3) { edges { node { title guests(first: 2) { edges { node { guestId rsvp { status } } } } } } } }`;

async function post(query: string, headers: Record<string, string> = {}, variables?: unknown) {
  const res = await fetch(`${stack.gatewayUrl}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: stack.token, ...headers },
    body: JSON.stringify({ query, variables }),
  });
  return { res, body: (await res.json()) as any };
}

describe('request ids', () => {
  it("takes the caller's x-request-id, echoes it, logs it on every line of the request and sends it upstream", async () => {
    const id = `req-${Date.now()}-observability`;
    const { res, body } = await post(EVENTS, { 'x-request-id': id });
    expect(body.errors).toBeUndefined();
    expect(res.headers.get('x-request-id')).toBe(id);

    const atUpstream = (await requestIds()).filter((r: any) => r.requestId === id);
    expect(atUpstream.length).toBeGreaterThanOrEqual(3); // events, guests by event, rsvps by id

    const lines = logs.filter((l) => l.requestId === id);
    const access = lines.find((l) => l.msg === 'graphql operation');
    expect(access).toMatchObject({ operation: 'EventsWithGuests', type: 'query', outcome: 'ok', upstreamCalls: atUpstream.length });
    expect(access.durationMs).toBeGreaterThan(0);
    // The upstream's own ids are logged beside ours: exactly the ones the sandbox answered with.
    expect([...access.upstreamRequestIds].sort()).toEqual(atUpstream.map((r: any) => r.wixRequestId).sort());
    const upstreamLines = lines.filter((l) => l.msg === 'upstream call');
    expect(upstreamLines).toHaveLength(atUpstream.length);
    for (const line of upstreamLines) expect(line.upstreamRequestId).toMatch(/^[0-9a-f-]{36}$/);
    // Every line that names this request's upstream calls carries the id (none is written without it).
    const wixIds = new Set(atUpstream.map((r: any) => r.wixRequestId));
    expect(logs.filter((l) => wixIds.has(l.upstreamRequestId)).every((l) => l.requestId === id)).toBe(true);
  });

  it('generates an id when the caller sends none or one that is not a sane token, and gives each request its own', async () => {
    const a = await post('{ events(first: 1) { edges { node { title } } } }');
    const b = await post('{ events(first: 1) { edges { node { title } } } }', { 'x-request-id': 'has spaces; and <tags>' });
    const c = await post('{ events(first: 1) { edges { node { title } } } }', { 'x-request-id': 'x'.repeat(129) });
    const ids = [a, b, c].map((r) => r.res.headers.get('x-request-id'));
    for (const id of ids) expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
    expect(new Set(ids).size).toBe(3);
    const recent = (await requestIds());
    for (const id of ids) expect(recent.some((r: any) => r.requestId === id)).toBe(true);
  });

  it('a request refused before execution still gets its id and an access line with outcome rejected', async () => {
    const { res, body } = await post('query Broken { events(first: 1) { edges { node { noSuchField } } } }', { 'x-request-id': 'rejected-1' });
    expect(body.errors[0].message).toMatch(/noSuchField/);
    expect(res.headers.get('x-request-id')).toBe('rejected-1');
    expect(logs.find((l) => l.requestId === 'rejected-1' && l.msg === 'graphql operation')).toMatchObject({ outcome: 'rejected', upstreamCalls: 0 });
  });
});

describe('/metrics', () => {
  it('after queries, a failing upstream call, webhooks and a subscription, shows every metric with its labels and no token or id', async () => {
    await post(EVENTS);
    // A failing upstream call: the events query answers 500 once (retries are off in this stack).
    await stack.faults({ rules: [{ route: 'POST /events/v3/events/query', status: 500, times: 1 }] });
    const failed = await post('query FailingEvents { events(first: 1) { edges { node { title } } } }');
    expect(failed.body.errors[0].extensions.code).toBe('UPSTREAM_UNAVAILABLE');
    await stack.faults({ rules: [] });

    // A live subscriber over SSE, and webhooks: accepted, duplicate (the sandbox delivers each one twice), rejected.
    const events = await stack.upstream('POST', '/events/v3/events/query', { query: { paging: { limit: 100 } }, fields: ['REGISTRATION'] });
    const eventId = events.body.events.find((e: any) => e.registration?.status === 'OPEN_RSVP').id;
    const sub = sseSubscribe(stack.gatewayUrl, stack.token, 'subscription Watch($e: ID!) { rsvpChanged(eventId: $e) { kind } }', { e: eventId }, 'rsvpChanged');
    const metricsText = async () => (await fetch(`${stack.gatewayUrl}/metrics`)).text();
    for (let t = Date.now(); !/live_subscribers\{transport="sse"\} 1/.test(await metricsText()); ) {
      if (Date.now() - t > 10_000) throw new Error('the SSE subscriber never counted');
    }
    await stack.faults({ webhooks: { duplicateRate: 1 } });
    await stack.upstream('POST', '/events/v2/rsvps', {
      rsvp: { eventId, firstName: 'Metric', lastName: 'Run', email: 'metric@example.com', status: 'YES', additionalGuestDetails: { guestCount: 0 } },
    });
    await stack.webhooksIdle();
    await sub.until((m) => m.length >= 1);
    await stack.faults({ webhooks: {} });
    const bad = await fetch(`${stack.gatewayUrl}/webhooks/wix`, { method: 'POST', body: 'not a jwt' });
    expect(bad.status).toBe(400);
    // A breaker registered the way the faults work's circuit breaker will.
    stack.gateway.services.metrics!.registerBreaker('upstream', () => 'closed');

    const res = await fetch(`${stack.gatewayUrl}/metrics`);
    expect(res.headers.get('content-type')).toMatch(/text\/plain/);
    const text = await res.text();
    const has = (re: RegExp) => expect(text, re.source).toMatch(re);
    has(/graphql_operations_total\{operation_name="EventsWithGuests",operation_type="query",outcome="ok",transport="http"\} [1-9]/);
    has(/graphql_operations_total\{operation_name="FailingEvents",operation_type="query",outcome="error",transport="http"\} 1/);
    has(/graphql_operations_total\{operation_name="Watch",operation_type="subscription",outcome="ok",transport="http"\} 1/);
    has(/graphql_operation_duration_seconds_bucket\{le="[\d.]+",operation_name="EventsWithGuests",operation_type="query",outcome="ok"\}/);
    has(/upstream_requests_total\{domain="events",route="POST \/events\/v3\/events\/query",status="200"\} [1-9]/);
    has(/upstream_requests_total\{domain="events",route="POST \/events\/v3\/events\/query",status="500"\} 1/);
    has(/upstream_requests_total\{domain="guests",route="POST \/events\/v2\/guests\/query",status="200"\}/);
    has(/upstream_request_duration_seconds_sum\{domain="rsvps",route="POST \/events\/v2\/rsvps\/query",status="200"\}/);
    has(/dataloader_batch_size_count\{loader="guest.eventId"\} [1-9]/);
    has(/dataloader_batch_size_sum\{loader="rsvp.id"\}/);
    has(/webhooks_total\{type="wix.events.v2.rsvp_created",outcome="accepted"\} 1/);
    has(/webhooks_total\{type="wix.events.v2.rsvp_created",outcome="duplicate"\} 1/);
    has(/webhooks_total\{type="unknown",outcome="rejected"\} 1/);
    has(/live_subscribers\{transport="sse"\} 1/);
    has(/live_subscribers\{transport="ws"\} 0/);
    has(/upstream_circuit_breaker_state\{breaker="upstream",state="closed"\} 1/);
    has(/upstream_circuit_breaker_state\{breaker="upstream",state="open"\} 0/);
    has(/graphql_envelop_phase_execute_count/);
    has(/graphql_yoga_http_duration_count/);
    has(/process_cpu_seconds_total/);
    // No token, no id of a person, an RSVP or an event: label values are names, templates and statuses.
    expect(text).not.toContain(stack.token);
    expect(text).not.toMatch(/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/);
    expect(text).not.toContain(eventId);

    sub.stop();
    for (let t = Date.now(); !/live_subscribers\{transport="sse"\} 0/.test(await metricsText()); ) {
      if (Date.now() - t > 10_000) throw new Error('the SSE subscriber was never uncounted');
    }
  });

  it('METRICS=false serves no /metrics; METRICS_PATH moves it', async () => {
    const off = await startStack({ config: { metrics: false } });
    const moved = await startStack({ config: { metricsPath: '/internal/prom' } });
    try {
      expect((await fetch(`${off.gatewayUrl}/metrics`)).status).toBe(404);
      expect((await fetch(`${moved.gatewayUrl}/metrics`)).status).toBe(404);
      expect(await (await fetch(`${moved.gatewayUrl}/internal/prom`)).text()).toMatch(/graphql_operations_total|live_subscribers/);
    } finally {
      await Promise.all([off.stop(), moved.stop()]);
    }
  });
});

describe('traces', () => {
  it('operation -> resolvers that called the upstream -> upstream HTTP, with route and status, never a token', async () => {
    spans.reset();
    const { res, body } = await post(EVENTS, { 'x-request-id': 'traced-1' });
    expect(body.errors).toBeUndefined();
    await new Promise((r) => setImmediate(r));
    const all = spans.getFinishedSpans();
    const byId = new Map(all.map((s) => [s.spanContext().spanId, s]));
    const parentOf = (s: ReadableSpan) => byId.get(s.parentSpanContext?.spanId ?? '');
    const op = all.find((s) => s.name === 'query EventsWithGuests')!;
    expect(op).toBeDefined();
    expect(op.attributes['graphql.operation.name']).toBe('EventsWithGuests');
    const upstream = all.filter((s) => s.name.startsWith('upstream ') && s.spanContext().traceId === op.spanContext().traceId);
    expect(upstream.length).toBeGreaterThanOrEqual(3);
    for (const u of upstream) {
      const resolver = parentOf(u)!;
      expect(resolver.name).toMatch(/^resolve \w+\.\w+$/);
      // A resolver span's parent is the operation (the root field) or another resolver on the way to it.
      let up: ReadableSpan | undefined = resolver;
      while (up && up !== op) up = parentOf(up);
      expect(up).toBe(op);
      expect(u.attributes['http.response.status_code']).toBe(200);
      expect(String(u.attributes['url.template'])).toMatch(/^\/events\//);
    }
    expect(upstream.map((u) => parentOf(u)!.name)).toEqual(expect.arrayContaining(['resolve Query.events', 'resolve Event.guests']));
    expect(JSON.stringify(all.map((s) => s.attributes))).not.toContain(stack.token);
    expect(res.headers.get('x-request-id')).toBe('traced-1');
  });
});
