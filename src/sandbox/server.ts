/**
 * The sandbox's HTTP layer: a node:http server that hands the upstream's REST paths (with every alias the SDKs
 * call) through the router (router.ts) to the route handlers, and behaves like the Wix edge around them:
 * `X-Wix-Request-Id` on every answer, 401 without an Authorization header, upstream-shaped error bodies
 * (docs/upstream.md §1.7), 200 JSON on success (§0.8), injected faults, and per-route request counters (stats.ts)
 * the gateway tests read to prove batching and caching. It only builds the server; sandbox.ts binds it.
 *
 * Order per request: route match (404/405) -> count -> read body (413) -> fault (latency, drop, error) -> auth (401)
 * -> JSON (400) -> handler. The body is read before the injected latency so that a handler still runs when the
 * caller has given up meanwhile: that is what a real upstream does, and the gateway's retry tests depend on it.
 */
import { randomUUID } from 'node:crypto';
import http from 'node:http';
import type { ErrorBody } from '../wire/types.js';
import { jsonBytes } from '../wire/json-bytes.js';
import { SandboxError, applicationError, invalidArgument, unauthenticated } from './errors.js';
import type { Faults } from './faults.js';
import { createRouter } from './router.js';
import type { Method, Route } from './routes/types.js';
import type { RequestStats } from './stats.js';
import type { Tenant } from './tenant.js';

/** A route that needs no Authorization (POST /oauth2/token-info carries its token in the body, §1.9). */
export interface PublicRoute {
  method: Method;
  paths: string[];
  handler(ctx: { body: any; query: URLSearchParams; params: Record<string, string> }): unknown | Promise<unknown>;
}

export interface ControlResult {
  status?: number;
  json?: unknown;
  /** Sent as text/plain (the public key PEM). */
  text?: string;
}
/** The /__sandbox/* handler (control.ts): no auth, not counted, no faults. */
export type ControlHandler = (method: string, path: string, body: any, query: URLSearchParams) => Promise<ControlResult>;

export interface SandboxServerOptions {
  routes: Route[];
  publicRoutes?: PublicRoute[];
  tenant(token: string): Tenant;
  faults: Faults;
  stats: RequestStats;
  control: ControlHandler;
  /** Request body limit in bytes (default 1 MB); larger bodies get 413. */
  bodyLimit?: number;
}

export function createSandboxServer(opts: SandboxServerOptions): http.Server {
  const bodyLimit = opts.bodyLimit ?? 1024 * 1024;
  type Entry = (Route & { isPublic?: false }) | (PublicRoute & { isPublic: true });
  const entries: Entry[] = [
    ...opts.routes.map((r) => ({ ...r, isPublic: false as const })),
    ...(opts.publicRoutes ?? []).map((r) => ({ ...r, isPublic: true as const })),
  ];
  const router = createRouter(entries);

  const server = http.createServer((req, res) => {
    handle(req, res).catch((err: unknown) => {
      // Only reached if writing the answer itself failed (the caller went away); nothing left to tell anyone.
      if (!res.headersSent && !res.destroyed) sendJson(res, 500, internalError(err));
    });
  });
  // Longer than the gateway's undici keep-alive (4 s default), so the client, not the server, closes idle sockets
  // and a request never races a server-side close.
  server.keepAliveTimeout = 30_000;
  server.headersTimeout = 35_000;

  async function handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const wixRequestId = randomUUID();
    res.setHeader('X-Wix-Request-Id', wixRequestId);
    const url = new URL(req.url ?? '/', 'http://sandbox.local');
    const pathname = url.pathname.length > 1 ? url.pathname.replace(/\/+$/, '') : url.pathname;
    const method = (req.method ?? 'GET').toUpperCase();

    if (pathname.startsWith('/__sandbox/')) {
      const raw = await readBodyOr413(req, res);
      if (raw === undefined) return;
      try {
        const body = parseJson(raw);
        const result = await opts.control(method, pathname.slice('/__sandbox/'.length), body, url.searchParams);
        if (result.text !== undefined) {
          res.writeHead(result.status ?? 200, { 'content-type': 'text/plain; charset=utf-8' }).end(result.text);
        } else sendJson(res, result.status ?? 200, result.json ?? {});
      } catch (err) {
        sendError(res, err);
      }
      return;
    }

    const match = router.match(method, pathname);
    const callerId = req.headers['x-request-id'];
    opts.stats.count(match.kind === 'ok' ? match.key : undefined, {
      wixRequestId,
      ...(typeof callerId === 'string' ? { requestId: callerId } : {}),
    });
    if (match.kind === 'not-found') {
      drain(req);
      sendError(res, applicationError(404, 'NOT_FOUND', `No API at ${method} ${pathname}`, { method, path: pathname }));
      return;
    }
    if (match.kind === 'method-not-allowed') {
      drain(req);
      res.setHeader('Allow', match.allow.join(', '));
      sendError(res, applicationError(405, 'METHOD_NOT_ALLOWED', `${method} is not allowed on ${pathname}; allowed: ${match.allow.join(', ')}`));
      return;
    }

    const raw = await readBodyOr413(req, res);
    if (raw === undefined) return;

    const decision = opts.faults.decide(match.key);
    const late = decision.afterHandling === true;
    if (decision.latencyMs > 0 && !late) await sleep(decision.latencyMs);
    if (decision.drop && !late) {
      req.socket.destroy();
      return;
    }
    if (decision.error) {
      const { status, retryAfterSeconds, retryAfterAsDate } = decision.error;
      if (retryAfterSeconds !== undefined) {
        // An HTTP date has whole seconds: round up so the client never waits less than asked.
        const value = retryAfterAsDate ? new Date(Math.ceil(Date.now() / 1000) * 1000 + retryAfterSeconds * 1000).toUTCString() : String(retryAfterSeconds);
        res.setHeader('Retry-After', value);
      }
      sendError(res, injectedError(status, match.key));
      return;
    }

    try {
      const entry = match.route;
      const body = method === 'GET' || method === 'DELETE' ? {} : parseJson(raw);
      let result: unknown;
      if (entry.isPublic) {
        result = await entry.handler({ body, query: url.searchParams, params: match.params });
      } else {
        // The raw header value is the tenant key: Wix API keys and OAuth tokens are sent bare, without "Bearer".
        const token = req.headers.authorization;
        if (!token || !token.trim()) throw unauthenticated();
        const tenant = opts.tenant(token);
        result = await entry.handler({ tenant, body, query: url.searchParams, params: match.params });
      }
      if (late) {
        if (decision.latencyMs > 0) await sleep(decision.latencyMs);
        if (decision.drop) {
          req.socket.destroy();
          return;
        }
      }
      sendJson(res, 200, result ?? {});
    } catch (err) {
      sendError(res, err);
    }
  }

  /** Resolves with the body, or undefined after answering 413 (and closing: the rest of the body is not read). */
  async function readBodyOr413(req: http.IncomingMessage, res: http.ServerResponse): Promise<Buffer | undefined> {
    const tooLarge = () => {
      res.setHeader('Connection', 'close');
      sendError(res, applicationError(413, 'PAYLOAD_TOO_LARGE', `Request body exceeds ${bodyLimit} bytes`, { limit: bodyLimit }));
      res.on('finish', () => req.destroy());
      return undefined;
    };
    const declared = Number(req.headers['content-length'] ?? 0);
    if (declared > bodyLimit) return tooLarge();
    return new Promise<Buffer | undefined>((resolve, reject) => {
      const chunks: Buffer[] = [];
      let size = 0;
      let done = false;
      req.on('data', (chunk: Buffer) => {
        if (done) return;
        size += chunk.length;
        if (size > bodyLimit) {
          done = true;
          req.pause();
          resolve(tooLarge());
          return;
        }
        chunks.push(chunk);
      });
      req.on('end', () => {
        if (!done) resolve(Buffer.concat(chunks));
      });
      req.on('error', (err) => {
        if (!done) reject(err);
      });
    });
  }

  return server;
}

/** A body that is not JSON, or JSON that is not an object, is a 400 like the real edge answers. */
function parseJson(raw: Buffer): any {
  const text = raw.toString('utf8');
  if (!text.trim()) return {};
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (err) {
    throw invalidArgument({ field: 'body', description: `malformed JSON: ${(err as Error).message}` });
  }
  if (!value || typeof value !== 'object' || Array.isArray(value)) {
    throw invalidArgument({ field: 'body', description: `the request body must be a JSON object, got ${JSON.stringify(value).slice(0, 80)}` });
  }
  return value;
}

function sendError(res: http.ServerResponse, err: unknown): void {
  if (err instanceof SandboxError) sendJson(res, err.status, err.body);
  else {
    console.error('sandbox: unexpected handler error', err);
    sendJson(res, 500, internalError(err));
  }
}

function sendJson(res: http.ServerResponse, status: number, value: unknown): void {
  if (res.headersSent || res.destroyed) return;
  // Bytes written in pieces: a 1,000-guest page is never one 549 KB string (src/wire/json-bytes.ts).
  const bytes = jsonBytes(value);
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'content-length': bytes.length });
  res.end(bytes);
}

function internalError(err: unknown): ErrorBody {
  return { message: 'Internal error', details: { applicationError: { code: 'INTERNAL', description: String((err as Error)?.message ?? err), data: {} } } };
}

/**
 * The canonical status names of the SDK's error types (docs/upstream.md §1.7); the pairing with numbers is the usual
 * gRPC one, which §1.7 marks as an assumption.
 */
const STATUS_CODES: Record<number, string> = {
  400: 'INVALID_ARGUMENT',
  401: 'UNAUTHENTICATED',
  403: 'PERMISSION_DENIED',
  404: 'NOT_FOUND',
  409: 'ALREADY_EXISTS',
  428: 'FAILED_PRECONDITION',
  429: 'RESOURCE_EXHAUSTED',
  499: 'CANCELED',
  500: 'INTERNAL',
  501: 'NOT_IMPLEMENTED',
  502: 'BAD_GATEWAY',
  503: 'UNAVAILABLE',
  504: 'GATEWAY_TIMEOUT',
};

function injectedError(status: number, routeKey: string): SandboxError {
  const code = STATUS_CODES[status] ?? `HTTP_${status}`;
  return applicationError(status, code, `Injected fault: ${status} ${code} for ${routeKey}`, { injected: true, route: routeKey });
}

function drain(req: http.IncomingMessage): void {
  req.resume();
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
