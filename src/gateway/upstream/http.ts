/**
 * The one way the gateway talks HTTP to the upstream: a keep-alive undici Pool per origin, a timeout per attempt,
 * retries for idempotent calls, and the translation of every upstream failure into a coded GraphQLError.
 */
import { GraphQLError } from 'graphql';
import { Pool } from 'undici';
import type { ErrorBody } from '../../wire/types.js';

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
  signal?: AbortSignal;
}

export interface UpstreamHttpOptions {
  baseUrl: string;
  timeoutMs: number;
  retries: number;
  connections: number;
  /** Called once per attempt; tests and metrics count upstream calls with it. */
  onAttempt?: (req: UpstreamRequest, status: number | 'error', ms: number) => void;
  /**
   * Called with every upstream failure and its full detail (the upstream's message, path, cause), which never
   * reaches a client: the gateway logs it, redacted, under the request id the client is shown.
   */
  onFailure?: (req: UpstreamRequest, err: UpstreamHttpError) => void;
}

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

export interface UpstreamHttp {
  request<T>(creds: Credentials, req: UpstreamRequest): Promise<T>;
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

  async function attempt<T>(creds: Credentials, req: UpstreamRequest): Promise<T> {
    const started = performance.now();
    const headers: Record<string, string> = { authorization: creds.authorization, accept: 'application/json' };
    if (creds.siteId) headers['wix-site-id'] = creds.siteId;
    let body: string | undefined;
    if (req.body !== undefined && req.method !== 'GET') {
      body = JSON.stringify(req.body);
      headers['content-type'] = 'application/json';
    }
    const timeout = AbortSignal.timeout(opts.timeoutMs);
    const signal = req.signal ? AbortSignal.any([req.signal, timeout]) : timeout;
    let status: number | 'error' = 'error';
    try {
      const res = await pool.request({ method: req.method, path: prefix + req.path + queryString(req.query), headers, body, signal });
      status = res.statusCode;
      const text = await res.body.text();
      if (res.statusCode === 200) {
        try {
          return (text ? JSON.parse(text) : {}) as T;
        } catch {
          // A 200 that is not JSON (a proxy's page): a SyntaxError would quote the body to the client.
          throw new UpstreamHttpError('UPSTREAM_ERROR', 200, undefined, undefined, `${req.method} ${req.path}: 200 with a body that is not JSON`);
        }
      }
      throw errorFromResponse(res.statusCode, text, res.headers['retry-after'], `${req.method} ${req.path}`);
    } catch (err) {
      const failure = asUpstreamHttpError(err, req, timeout.aborted, opts.timeoutMs);
      if (!failure) throw err;
      opts.onFailure?.(req, failure);
      throw failure;
    } finally {
      opts.onAttempt?.(req, status, performance.now() - started);
    }
  }

  return {
    async request<T>(creds: Credentials, req: UpstreamRequest): Promise<T> {
      const idempotent = req.idempotent ?? (req.method === 'GET' || /\/(query|search|count)$/.test(req.path));
      for (let n = 0; ; n++) {
        try {
          return await attempt<T>(creds, req);
        } catch (err) {
          if (!(err instanceof UpstreamHttpError) || !idempotent || n >= opts.retries || !isRetryable(err)) throw err;
          await sleep(backoffMs(n, (err as RetryHint).retryAfterMs));
        }
      }
    },
    close: () => pool.close(),
  };
}

// Helpers below: status mapping and retry policy, kept here so every domain client behaves the same.

interface RetryHint {
  retryAfterMs?: number;
}

function isRetryable(err: UpstreamHttpError): boolean {
  return err.code === 'RATE_LIMITED' || err.code === 'UPSTREAM_UNAVAILABLE' || err.code === 'UPSTREAM_TIMEOUT' || err.status >= 500;
}

/** Exponential backoff with jitter; a Retry-After is honoured up to 5 s so one request never stalls for long. */
function backoffMs(attempt: number, retryAfterMs?: number): number {
  if (retryAfterMs !== undefined) return Math.min(retryAfterMs, 5_000);
  return 50 * 2 ** attempt + Math.random() * 50;
}

/** A thrown attempt as an UpstreamHttpError; null for the caller's own abort, which is not an upstream failure. */
function asUpstreamHttpError(err: unknown, req: UpstreamRequest, timedOut: boolean, timeoutMs: number): UpstreamHttpError | null {
  if (err instanceof UpstreamHttpError) return err;
  const where = `${req.method} ${req.path}`;
  if (timedOut) return new UpstreamHttpError('UPSTREAM_TIMEOUT', 504, undefined, undefined, `${where}: no answer within ${timeoutMs} ms`);
  if (req.signal?.aborted) return null;
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
  if (status === 429 && retryAfter) {
    const seconds = Number(Array.isArray(retryAfter) ? retryAfter[0] : retryAfter);
    if (Number.isFinite(seconds)) (err as RetryHint).retryAfterMs = seconds * 1000;
  }
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

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
