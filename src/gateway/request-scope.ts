/**
 * One scope per HTTP request or graphql-ws operation for what operators read: its log lines (every one carries
 * `requestId`), the caller's credentials those lines are scrubbed of, and what the access log line reports
 * (operation, outcome, upstream calls). The id is the caller's `x-request-id` when plausible, else a UUID (the same
 * id error extensions carry); this scope echoes it in the response's `x-request-id` and, through the GraphQL
 * context, sends it upstream as `x-request-id` with every call. It travels explicitly (the request, the context):
 * no AsyncLocalStorage, whose promise hook Node 20 would run on every promise of every request. */
import type { Logger } from 'pino';
import { requestIdFrom, secretsOf } from './security.js';

/** A request's log lines: the root logger's, each with `requestId` first. */
export interface ScopeLog {
  debug(fields: Record<string, unknown>, message: string): void;
  info(fields: Record<string, unknown>, message: string): void;
  warn(fields: Record<string, unknown>, message: string): void;
  error(fields: Record<string, unknown>, message: string): void;
}

export interface RequestScope {
  readonly requestId: string;
  /** The caller's credentials, redacted by value from the lines written for this request (security.ts). */
  readonly secrets: readonly string[];
  /** Lines carrying { requestId } (what a pino child with that binding writes, without a child per request). */
  readonly log: ScopeLog;
  readonly startedAt: number;
  /** 'http' for POST/GET /graphql, 'ws' for a graphql-ws operation. */
  readonly transport: 'http' | 'ws';
  operationName?: string;
  operationType?: string;
  /** Upstream attempts made for this request (retries count). */
  upstreamCalls: number;
  /** Set once the access line is written, so an operation is logged and counted once. */
  finished: boolean;
  /** operation-log.ts: the request reached Yoga's GraphQL parameters; its document did not parse. */
  graphql: boolean;
  refused: boolean;
}

/**
 * A scope for one HTTP request or graphql-ws operation: its id is the caller's `x-request-id` when that is a
 * plausible id, else a new UUID (security.ts's requestIdFrom); `credentials` are redacted from its log lines.
 */
export function createRequestScope(
  root: Logger,
  transport: RequestScope['transport'],
  requestIdHeader: string | string[] | null | undefined,
  credentials: readonly (string | null | undefined)[],
): RequestScope {
  const requestId = requestIdFrom(requestIdHeader ?? undefined);
  return {
    requestId,
    secrets: secretsOf(credentials),
    log: new RequestLog(root, requestId),
    startedAt: performance.now(),
    transport,
    upstreamCalls: 0,
    finished: false,
    graphql: false,
    refused: false,
  };
}

/**
 * A pino child per request cost its bindings' serialisation on every request, logged or not (the access line is
 * info, upstream calls debug: at LOG_LEVEL=warn neither is written). Here a line costs only when its level is on,
 * and is the same JSON: `requestId` right after pino's own fields, redaction as the root logger's.
 */
class RequestLog implements ScopeLog {
  constructor(
    private readonly root: Logger,
    private readonly requestId: string,
  ) {}
  debug(fields: Record<string, unknown>, message: string): void {
    this.write('debug', fields, message);
  }
  info(fields: Record<string, unknown>, message: string): void {
    this.write('info', fields, message);
  }
  warn(fields: Record<string, unknown>, message: string): void {
    this.write('warn', fields, message);
  }
  error(fields: Record<string, unknown>, message: string): void {
    this.write('error', fields, message);
  }
  private write(level: 'debug' | 'info' | 'warn' | 'error', fields: Record<string, unknown>, message: string): void {
    if (this.root.isLevelEnabled(level)) this.root[level]({ requestId: this.requestId, ...fields }, message);
  }
}

/** HTTP requests get their scope here; graphql-ws operations get theirs in gateway.ts's onSubscribe. */
const byRequest = new WeakMap<Request, RequestScope>();

export function requestScopeOf(request: Request | undefined): RequestScope | undefined {
  return request ? byRequest.get(request) : undefined;
}

/**
 * The Yoga plugin: opens a scope for each HTTP request and echoes its id in the response. `onEnd` runs once the
 * response is ready, for the access line of requests that never reached execution (a refused persisted query).
 */
export function useRequestScope(root: Logger, onEnd: (scope: RequestScope, response: Response) => void) {
  // Requests Yoga got from node:http carry their id on the node response from the start: a header set on the
  // Fetch Response instead turns its plain header object into a map, and Yoga then copies the headers one by one
  // rather than handing node one writeHead (onResponse still sets it on answers with no node response: yoga.fetch).
  return {
    onRequest({ request, serverContext }: { request: Request; serverContext?: NodeServerContext }) {
      const scope = createRequestScope(root, 'http', request.headers.get('x-request-id'), [request.headers.get('authorization')]);
      byRequest.set(request, scope);
      serverContext?.res?.setHeader?.('x-request-id', scope.requestId);
    },
    onResponse({ request, response, serverContext }: { request: Request; response: Response; serverContext?: NodeServerContext }) {
      const scope = byRequest.get(request);
      if (!scope) return;
      if (!serverContext?.res?.setHeader) response.headers.set('x-request-id', scope.requestId);
      onEnd(scope, response);
    },
  };
}

/** What Yoga's node adapter puts in the server context: the node response, among others. */
interface NodeServerContext {
  res?: { setHeader?(name: string, value: string): unknown };
}
