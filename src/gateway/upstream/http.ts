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

/** An upstream failure as the gateway reports it: extensions.code, the HTTP status and the upstream's own code. */
export class UpstreamHttpError extends GraphQLError {
  constructor(
    message: string,
    readonly code: UpstreamErrorCode,
    readonly status: number,
    readonly upstreamCode?: string,
    readonly details?: ErrorBody['details'],
  ) {
    super(message, {
      extensions: {
        code,
        http: { status: httpStatusFor(code) },
        upstream: { status, ...(upstreamCode ? { code: upstreamCode } : {}) },
        ...(details?.validationError ? { fieldViolations: details.validationError.fieldViolations } : {}),
      },
    });
  }
}

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
      if (res.statusCode === 200) return (text ? JSON.parse(text) : {}) as T;
      throw errorFromResponse(res.statusCode, text, res.headers['retry-after']);
    } catch (err) {
      if (err instanceof UpstreamHttpError) throw err;
      if (timeout.aborted) {
        throw new UpstreamHttpError(`Upstream did not answer within ${opts.timeoutMs} ms (${req.method} ${req.path})`, 'UPSTREAM_TIMEOUT', 504);
      }
      if (req.signal?.aborted) throw err;
      throw new UpstreamHttpError(`Upstream connection failed (${req.method} ${req.path})`, 'UPSTREAM_UNAVAILABLE', 502);
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

function errorFromResponse(status: number, text: string, retryAfter: string | string[] | undefined): UpstreamHttpError {
  let body: Partial<ErrorBody> = {};
  try {
    body = JSON.parse(text) as ErrorBody;
  } catch {
    // a proxy's HTML error page: keep the status only
  }
  const app = body.details?.applicationError;
  const violations = body.details?.validationError?.fieldViolations;
  const message =
    violations?.map((v) => `${v.field}: ${v.description}`).join('; ') || app?.description || body.message || `Upstream answered HTTP ${status}`;
  const err = new UpstreamHttpError(message, codeFor(status, app?.code), status, app?.code, body.details);
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
