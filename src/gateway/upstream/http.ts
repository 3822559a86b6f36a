/**
 * The one way the gateway talks HTTP to the upstream: a keep-alive undici Pool per origin, a timeout per attempt,
 * retries for idempotent calls, and the translation of every upstream failure into a coded GraphQLError.
 */
import { BrokenCircuitError, CircuitState, ConsecutiveBreaker, DelegateBackoff, circuitBreaker, handleWhen, retry, type CircuitBreakerPolicy } from 'cockatiel';
import { GraphQLError } from 'graphql';
import { Pool } from 'undici';
import type { ErrorBody } from '../../wire/types.js';
import { routeOf, type UpstreamRoute } from './routes.js';
import { parseJsonBody } from './json-body.js';

/** Who the upstream call is made for: the caller's own Authorization, or the configured API key. */
export interface Credentials {
  authorization: string;
  siteId?: string;
  /** 'caller' when forwarded from the request, 'apiKey' when the configured WIX_API_KEY is used. */
  source: 'caller' | 'apiKey';
}

export interface UpstreamRequest {
  method: 'GET' | 'POST' | 'PATCH' | 'DELETE';
  path: string;
  /** JSON body for POST/PATCH. */
  body?: unknown;
  /** Query parameters; arrays become repeated keys (`fields=A&fields=B`), as the SDK sends them. */
  query?: Record<string, string | number | boolean | readonly (string | number)[] | undefined>;
  /**
   * Safe to send again after a timeout or a 5xx: reads, upserts, and creates carrying an idempotency key.
   * Defaults to true for GET and for POST paths ending in /query, /search, /count.
   */
  idempotent?: boolean;
  /**
   * The caller's request: when it aborts (the client went away) an idempotent call is abandoned. A write is left
   * to finish, so its outcome is known (and remembered under an idempotency key) for the client's retry.
   */
  signal?: AbortSignal;
  /** The gateway request this call is made for: its id goes upstream as x-request-id, its attempts are reported to it. */
  scope?: UpstreamScope;
}

export interface UpstreamScope {
  requestId: string;
  /** The caller's credentials, redacted by value from the lines logged about this request's upstream failures. */
  secrets?: readonly string[];
  onAttempt?(attempt: UpstreamAttempt): void;
}

export type AttemptAnswered = (status: number | 'error', upstreamRequestId: string | undefined) => void;

/** One attempt as observers see it: the route as a template (never an id), and the upstream's own request id. */
export interface UpstreamAttempt {
  route: UpstreamRoute;
  status: number | 'error';
  ms: number;
  /** The upstream's X-Wix-Request-Id, when it answered with one. */
  upstreamRequestId?: string;
  requestId?: string;
}

export interface UpstreamHttpOptions {
  baseUrl: string;
  timeoutMs: number;
  retries: number;
  connections: number;
  /** Total time one request may take, retries and their waits included (default: 1.5 × timeoutMs). */
  budgetMs?: number;
  /** Consecutive failures (5xx, 429, timeouts, connection errors) of one domain that open its breaker (default 5). */
  breakerFailures?: number;
  /** How long an open breaker fails fast before letting one probe through (default 2000 ms). */
  breakerHalfOpenMs?: number;
  /** Called once per attempt; tests and metrics count upstream calls with it. */
  onAttempt?: (req: UpstreamRequest, status: number | 'error', ms: number, attempt: UpstreamAttempt) => void;
  /**
   * Runs around each attempt (tracing opens a span here); `answered` is told the status and the upstream's request
   * id once they are known. Errors pass through it unchanged.
   */
  aroundAttempt?: <T>(route: UpstreamRoute, run: (answered: AttemptAnswered) => Promise<T>) => Promise<T>;
  /**
   * Called with every upstream failure and its full detail (the upstream's message, path, cause), which never
   * reaches a client: the gateway logs it, redacted, under the request id the client is shown.
   */
  onFailure?: (req: UpstreamRequest, err: UpstreamHttpError) => void;
}

/** A breaker's state, per upstream domain (the path's first three segments, e.g. `events/v2/rsvps`). */
export type BreakerState = 'closed' | 'open' | 'half-open';

export type UpstreamErrorCode =
  | 'BAD_USER_INPUT'
  | 'UNAUTHENTICATED'
  | 'FORBIDDEN'
  | 'NOT_FOUND'
  | 'REVISION_CONFLICT'
  | 'FAILED_PRECONDITION'
  | 'RATE_LIMITED'
  | 'UPSTREAM_TIMEOUT'
  | 'UPSTREAM_UNAVAILABLE'
  | 'UPSTREAM_ERROR';

/**
 * An upstream failure as the gateway reports it: extensions.code, the HTTP status and the upstream's own code when
 * it is a documented one. The message is the gateway's own words for the code: the upstream's message, description,
 * URLs and anything it echoes (tokens, hosts) stay in `detail`, which only the logs see.
 */
export class UpstreamHttpError extends GraphQLError {
  /** The upstream's own code, only when it is one of DOCUMENTED_UPSTREAM_CODES. */
  readonly upstreamCode?: string;
  /** For logs only: what the upstream said and where. Not enumerable, so no serializer copies it by accident. */
  declare readonly detail: string;
  /** Set by the request that failed: whether the same call may be sent again (see retryDecision). */
  retryable = false;
  /** A write was sent and no answer came back (timeout, dropped connection): it may or may not have been applied. */
  outcomeUnknown = false;
  /** From a 429's or 503's Retry-After (seconds or an HTTP date). */
  retryAfterMs?: number;
  constructor(
    readonly code: UpstreamErrorCode,
    readonly status: number,
    upstreamCode?: string,
    /** Kept for the gateway's own decisions (capacity numbers, violated fields); never serialized to a client. */
    readonly details?: ErrorBody['details'],
    detail = '',
  ) {
    const known = upstreamCode && DOCUMENTED_UPSTREAM_CODES.has(upstreamCode) ? upstreamCode : undefined;
    super(safeMessage(code, status, known), {
      extensions: {
        code,
        http: { status: httpStatusFor(code) },
        upstream: { status, ...(known ? { code: known } : {}) },
        ...(details?.validationError ? { fieldViolations: safeViolations(details.validationError.fieldViolations) } : {}),
      },
    });
    this.upstreamCode = known;
    Object.defineProperty(this, 'detail', { value: detail, enumerable: false });
    Object.defineProperty(this, 'details', { value: details, enumerable: false });
  }
}

/**
 * Upstream machine codes a client may see (docs/upstream.md §1.7 and each API's error table). Anything else the
 * upstream sends is logged, not shown: an unknown code is as opaque to a client as it is to us, and a code field
 * is one more place an upstream could echo input.
 */
export const DOCUMENTED_UPSTREAM_CODES: ReadonlySet<string> = new Set([
  'ADDITIONAL_GUESTS_MUST_HAVE_NAMES', 'ALREADY_EXISTS', 'ATTENDANCES_MISSING_IN_REQUEST', 'ATTENDANCE_NOT_FOUND',
  'BAD_GATEWAY', 'BOOKING_NOT_FOUND', 'CANCELED', 'CAPACITY_EXCEEDED', 'EMPTY_FILTER', 'EVENT_NOT_FOUND',
  'FAILED_PRECONDITION', 'FORM_SUBMISSIONS_NOT_SUPPORTED', 'GATEWAY_TIMEOUT', 'GUEST_ALREADY_CHECKED_IN',
  'GUEST_LIMIT_EXCEEDED', 'GUEST_NOT_CHECKED_IN', 'GUEST_NOT_FOUND', 'INTERNAL', 'INVALID_ARGUMENT',
  'INVALID_CHECK_IN_TIME', 'INVALID_EVENT_TYPE', 'INVALID_FORM_RESPONSE', 'INVALID_RSVP_STATUS',
  'MEMBER_ALREADY_REGISTERED', 'MEMBER_EMAIL_ALREADY_REGISTERED', 'MEMBER_IDENTITY_NOT_FOUND', 'NOT_FOUND',
  'NOT_IMPLEMENTED', 'PARTICIPATION_NOT_FOUND', 'PAYLOAD_TOO_LARGE', 'PERMISSION_DENIED', 'RESOURCE_EXHAUSTED',
  'REVISION_MISMATCH', 'RSVPS_CLOSED', 'RSVPS_NOT_STARTED', 'RSVP_LIMIT_EXCEEDED', 'RSVP_NOT_FOUND',
  'SESSION_ID_NOT_PROVIDED', 'SESSION_NOT_FOUND', 'UNAUTHENTICATED', 'UNAVAILABLE', 'UNEXPECTED_RSVP_STATUS',
  'UNSUPPORTED_FILTER_FIELD', 'UNSUPPORTED_FILTER_OPERATOR', 'WAITING_LIST_UNAVAILABLE',
]);

/**
 * The one retry decision. Transient failures (429, 5xx, timeouts, connection errors, an open breaker) may succeed
 * later; but a write that was sent and got no answer may already be applied, so it is never plainly retryable:
 * the caller must reconcile (read back) or resend under the same idempotency key.
 */
export function retryDecision(err: UpstreamHttpError, idempotent: boolean): boolean {
  const transient = err.code === 'RATE_LIMITED' || err.code === 'UPSTREAM_UNAVAILABLE' || err.code === 'UPSTREAM_TIMEOUT' || err.status >= 500;
  return transient && (idempotent || !err.outcomeUnknown);
}

export interface UpstreamHttp {
  request<T>(creds: Credentials, req: UpstreamRequest): Promise<T>;
  /** Every domain's breaker state (metrics, /readyz). */
  breakers(): Record<string, BreakerState>;
  /** Called on every breaker state change; returns a function that stops listening. */
  onBreakerChange(listener: (domain: string, state: BreakerState) => void): () => void;
  close(): Promise<void>;
}

export function createUpstreamHttp(opts: UpstreamHttpOptions): UpstreamHttp {
  const base = new URL(opts.baseUrl);
  const prefix = base.pathname.replace(/\/+$/, '');
  const pool = new Pool(base.origin, {
    connections: opts.connections,
    pipelining: 1,
    keepAliveTimeout: 30_000,
    headersTimeout: opts.timeoutMs,
    bodyTimeout: opts.timeoutMs,
  });

  function attempt<T>(creds: Credentials, req: UpstreamRequest, idempotent: boolean, timeoutMs: number): Promise<T> {
    const route = routeOf(req.method, req.path);
    if (!opts.aroundAttempt) return attemptOnce<T>(creds, req, idempotent, timeoutMs, route, () => {});
    return opts.aroundAttempt(route, (answered) => attemptOnce<T>(creds, req, idempotent, timeoutMs, route, answered));
  }

  async function attemptOnce<T>(
    creds: Credentials,
    req: UpstreamRequest,
    idempotent: boolean,
    timeoutMs: number,
    route: UpstreamRoute,
    answered: AttemptAnswered,
  ): Promise<T> {
    const started = performance.now();
    const headers: Record<string, string> = { authorization: creds.authorization, accept: 'application/json' };
    if (creds.siteId) headers['wix-site-id'] = creds.siteId;
    if (req.scope) headers['x-request-id'] = req.scope.requestId;
    let upstreamRequestId: string | undefined;
    let body: string | undefined;
    if (req.body !== undefined && req.method !== 'GET') {
      body = JSON.stringify(req.body);
      headers['content-type'] = 'application/json';
    }
    // One controller per attempt, its timer cleared when the attempt ends: AbortSignal.timeout's timer outlived every
    // answered call and fired later anyway (a DOMException each), and AbortSignal.any links signals per call.
    const controller = new AbortController();
    const timeout = { aborted: false };
    const timer = setTimeout(() => {
      timeout.aborted = true;
      controller.abort(new DOMException('The upstream did not answer in time', 'TimeoutError'));
    }, timeoutMs);
    timer.unref();
    const callerSignal = idempotent ? req.signal : undefined;
    const onCallerAbort = () => controller.abort(callerSignal!.reason);
    if (callerSignal?.aborted) onCallerAbort();
    else callerSignal?.addEventListener('abort', onCallerAbort, { once: true });
    const signal = controller.signal;
    let status: number | 'error' = 'error';
    let sent = false;
    try {
      const res = await pool.request({ method: req.method, path: prefix + req.path + queryString(req.query), headers, body, signal });
      sent = true;
      status = res.statusCode;
      const wixId = res.headers['x-wix-request-id'];
      upstreamRequestId = Array.isArray(wixId) ? wixId[0] : wixId;
      const bytes = await res.body.bytes();
      if (res.statusCode === 200) {
        try {
          return parseJsonBody(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength)) as T;
        } catch {
          // A 200 that is not JSON (a proxy's page): a SyntaxError would quote the body to the client.
          throw new UpstreamHttpError('UPSTREAM_ERROR', 200, undefined, undefined, `${req.method} ${req.path}: 200 with a body that is not JSON`);
        }
      }
      throw errorFromResponse(res.statusCode, new TextDecoder().decode(bytes), res.headers['retry-after'], `${req.method} ${req.path}`);
    } catch (err) {
      const failure = asUpstreamHttpError(err, req, timeout.aborted, timeoutMs, callerSignal);
      if (!failure) throw err;
      // Refused or unresolvable: nothing reached the upstream. Anything else after the request left (a timeout, a
      // socket closed before the answer) leaves a write's outcome unknown.
      if (!(err instanceof UpstreamHttpError)) failure.outcomeUnknown = !idempotent && !(!sent && isConnectError(err));
      failure.retryable = retryDecision(failure, idempotent);
      opts.onFailure?.(req, failure);
      throw failure;
    } finally {
      clearTimeout(timer);
      callerSignal?.removeEventListener('abort', onCallerAbort);
      const info: UpstreamAttempt = { route, status, ms: performance.now() - started, upstreamRequestId, requestId: req.scope?.requestId };
      answered(status, upstreamRequestId);
      opts.onAttempt?.(req, status, info.ms, info);
      req.scope?.onAttempt?.(info);
    }
  }

  const budgetMs = opts.budgetMs ?? Math.round(opts.timeoutMs * 1.5);
  // One retry policy for every call (building one per call was a measurable share of a light query's CPU): an
  // attempt's error carries its own wait in `retryIn` when it may be retried within its call's budget.
  const retryIn = new WeakMap<UpstreamHttpError, number>();
  const retries = retry(
    handleWhen((err) => err instanceof UpstreamHttpError && retryIn.has(err)),
    { maxAttempts: opts.retries, backoff: new DelegateBackoff((ctx) => retryIn.get((ctx.result as { error: UpstreamHttpError }).error) ?? 0) },
  );
  const breakers = new Map<string, CircuitBreakerPolicy>();
  const listeners = new Set<(domain: string, state: BreakerState) => void>();
  // A failure that says the domain is unwell; a 4xx answer (bad input, not found, conflict) is a healthy upstream.
  const unwell = handleWhen((err) => err instanceof UpstreamHttpError && (err.status >= 500 || err.status === 429 || err.status === 0 || err.code === 'UPSTREAM_TIMEOUT' || err.code === 'UPSTREAM_UNAVAILABLE'));

  function breakerFor(domain: string): CircuitBreakerPolicy {
    let breaker = breakers.get(domain);
    if (!breaker) {
      breaker = circuitBreaker(unwell, {
        halfOpenAfter: opts.breakerHalfOpenMs ?? 2_000,
        breaker: new ConsecutiveBreaker(opts.breakerFailures ?? 5),
      });
      breaker.onStateChange((state) => {
        for (const listener of listeners) listener(domain, stateName(state));
      });
      breakers.set(domain, breaker);
    }
    return breaker;
  }

  return {
    async request<T>(creds: Credentials, req: UpstreamRequest): Promise<T> {
      const idempotent = req.idempotent ?? (req.method === 'GET' || /\/(query|search|count)$/.test(req.path));
      const breaker = breakerFor(domainOf(req.path));
      const deadline = performance.now() + budgetMs;
      // Up to `retries` more attempts, each through the domain's breaker, for an idempotent call whose failure is
      // retryable, waiting as told (Retry-After) or backing off with jitter, but only if the wait still fits the
      // budget: a `Retry-After: 30` fails at once instead of holding the client for the whole budget and failing
      // anyway. The attempt decides (retryIn on its error); the policy, made once, only counts and waits.
      try {
        return await retries.execute(({ attempt: retried }) =>
          breaker.execute(() => attempt<T>(creds, req, idempotent, Math.max(1, Math.ceil(Math.min(opts.timeoutMs, deadline - performance.now()))))).catch((err: unknown) => {
            if (err instanceof UpstreamHttpError && idempotent && err.retryable) {
              const delay = err.retryAfterMs ?? 50 * 2 ** retried + Math.random() * 50;
              if (performance.now() + delay + 1 < deadline) retryIn.set(err, delay);
            }
            throw err;
          }),
        );
      } catch (err) {
        if (err instanceof BrokenCircuitError) {
          const open = new UpstreamHttpError('UPSTREAM_UNAVAILABLE', 503, undefined, undefined, `${req.method} ${req.path}: not called, the circuit of ${domainOf(req.path)} is open`);
          open.retryable = true;
          throw open;
        }
        throw err;
      }
    },
    breakers: () => Object.fromEntries([...breakers].map(([domain, b]) => [domain, stateName(b.state)])),
    onBreakerChange(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    close: () => pool.close(),
  };
}

// Helpers below: status mapping and retry policy, kept here so every domain client behaves the same.

/** `/events/v2/rsvps/query` → `events/v2/rsvps`: one breaker per upstream API, so RSVPs failing spares guests. */
export function domainOf(path: string): string {
  return path.split('/').filter(Boolean).slice(0, 3).join('/');
}

function stateName(state: CircuitState): BreakerState {
  if (state === CircuitState.Closed) return 'closed';
  if (state === CircuitState.HalfOpen) return 'half-open';
  return 'open';
}

function isConnectError(err: unknown): boolean {
  const code = (err as { code?: string; cause?: { code?: string } })?.code ?? (err as { cause?: { code?: string } })?.cause?.code;
  return code === 'ECONNREFUSED' || code === 'ENOTFOUND' || code === 'EAI_AGAIN' || code === 'UND_ERR_CONNECT_TIMEOUT';
}

/** Retry-After as delay-seconds or as an HTTP date (RFC 9110, section 10.2.3); undefined when unreadable. */
export function retryAfterMs(header: string | string[] | undefined, now = Date.now()): number | undefined {
  const value = (Array.isArray(header) ? header[0] : header)?.trim();
  if (!value) return undefined;
  if (/^\d+$/.test(value)) return Number(value) * 1000;
  const at = Date.parse(value);
  return Number.isNaN(at) ? undefined : Math.max(0, at - now);
}



/** A thrown attempt as an UpstreamHttpError; null for the caller's own abort, which is not an upstream failure. */
function asUpstreamHttpError(err: unknown, req: UpstreamRequest, timedOut: boolean, timeoutMs: number, callerSignal?: AbortSignal): UpstreamHttpError | null {
  if (err instanceof UpstreamHttpError) return err;
  const where = `${req.method} ${req.path}`;
  if (timedOut) return new UpstreamHttpError('UPSTREAM_TIMEOUT', 504, undefined, undefined, `${where}: no answer within ${timeoutMs} ms`);
  if (callerSignal?.aborted) return null;
  const cause = err instanceof Error ? `${err.name}: ${err.message}` : String(err);
  return new UpstreamHttpError('UPSTREAM_UNAVAILABLE', 502, undefined, undefined, `${where}: connection failed (${cause})`);
}

/** The client's message: the gateway's words for the code, the status, and a documented upstream code. */
function safeMessage(code: UpstreamErrorCode, status: number, upstreamCode: string | undefined): string {
  const words: Record<UpstreamErrorCode, string> = {
    BAD_USER_INPUT: 'The upstream refused the request as invalid',
    UNAUTHENTICATED: 'The upstream did not accept the credentials',
    FORBIDDEN: 'The upstream refused access',
    NOT_FOUND: 'The upstream has no such object',
    REVISION_CONFLICT: 'The object changed since it was read',
    FAILED_PRECONDITION: 'The upstream refused the change in the current state',
    RATE_LIMITED: 'The upstream is rate limiting; retry later',
    UPSTREAM_TIMEOUT: 'The upstream did not answer in time',
    UPSTREAM_UNAVAILABLE: status >= 500 ? 'The upstream is unavailable' : 'The upstream could not be reached',
    UPSTREAM_ERROR: 'The upstream failed',
  };
  const statusText = status >= 400 ? ` (HTTP ${status}${upstreamCode ? ` ${upstreamCode}` : ''})` : upstreamCode ? ` (${upstreamCode})` : '';
  return `${words[code]}${statusText}.`;
}

/** Field paths and rule names only: a violation's description is upstream text and may echo the input. */
function safeViolations(violations: { field: string; violatedRule?: string }[] | undefined) {
  return (violations ?? []).slice(0, 20).map((v) => ({
    field: /^[A-Za-z0-9_.[\]]{1,200}$/.test(String(v.field)) ? v.field : 'input',
    ...(typeof v.violatedRule === 'string' && /^[A-Z_]{1,40}$/.test(v.violatedRule) ? { rule: v.violatedRule } : {}),
  }));
}

function errorFromResponse(status: number, text: string, retryAfter: string | string[] | undefined, where: string): UpstreamHttpError {
  let body: Partial<ErrorBody> = {};
  try {
    body = JSON.parse(text) as ErrorBody;
  } catch {
    // a proxy's HTML error page: keep the status only
  }
  if (!body || typeof body !== 'object') body = {};
  const app = body.details?.applicationError;
  const code = typeof app?.code === 'string' ? app.code : undefined;
  const detail = `${where}: HTTP ${status} ${text.slice(0, 2000)}`;
  const err = new UpstreamHttpError(codeFor(status, code), status, code, body.details, detail);
  if (status === 429 || status === 503) err.retryAfterMs = retryAfterMs(retryAfter);
  return err;
}

function codeFor(status: number, appCode?: string): UpstreamErrorCode {
  if (appCode === 'REVISION_MISMATCH' || status === 409) return 'REVISION_CONFLICT';
  if (status === 400) return 'BAD_USER_INPUT';
  if (status === 401) return 'UNAUTHENTICATED';
  if (status === 403) return 'FORBIDDEN';
  if (status === 404) return 'NOT_FOUND';
  if (status === 428) return 'FAILED_PRECONDITION';
  if (status === 429) return 'RATE_LIMITED';
  if (status === 504) return 'UPSTREAM_TIMEOUT';
  if (status >= 500) return 'UPSTREAM_UNAVAILABLE';
  return 'UPSTREAM_ERROR';
}

function httpStatusFor(code: UpstreamErrorCode): number {
  switch (code) {
    case 'BAD_USER_INPUT':
      return 400;
    case 'UNAUTHENTICATED':
      return 401;
    case 'FORBIDDEN':
      return 403;
    case 'NOT_FOUND':
      return 404;
    case 'REVISION_CONFLICT':
      return 409;
    case 'FAILED_PRECONDITION':
      return 428;
    case 'RATE_LIMITED':
      return 429;
    case 'UPSTREAM_TIMEOUT':
      return 504;
    default:
      return 502;
  }
}

function queryString(query: UpstreamRequest['query']): string {
  if (!query) return '';
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(query)) {
    if (value === undefined) continue;
    if (Array.isArray(value)) for (const v of value) params.append(key, String(v));
    else params.append(key, String(value));
  }
  const s = params.toString();
  return s ? `?${s}` : '';
}
