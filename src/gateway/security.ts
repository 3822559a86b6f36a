/**
 * The gateway in front of browsers and careless or hostile clients (issue 8): which origins may call it, which
 * requests may execute, what an error may tell a client, and the request id that ties a client's error to the full
 * detail in the logs.
 *
 * - CSRF: only JSON POSTs execute (a form, multipart or text/plain POST is 415), GET never runs a mutation (Yoga),
 *   and a WebSocket from a foreign Origin is refused, so a page on another site cannot act with WIX_API_KEY. A
 *   JSON POST from another origin needs a CORS preflight, which only CORS_ORIGINS pass.
 * - Errors: every client-visible error is either the gateway's own coded GraphQLError (upstream failures included:
 *   upstream/http.ts words them itself) or "Unexpected error."; the detail goes to the logs, secrets redacted.
 */
import { randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { getNamedType, GraphQLError, isIntrospectionType, type ValidationRule } from 'graphql';
import type { Plugin } from 'graphql-yoga';
import type { GatewayConfig } from './config.js';

// Request ids and credentials travel with each request's scope (request-scope.ts), not in an AsyncLocalStorage:
// once one is entered, Node 20 runs a promise hook on every promise of every request.

/** A request id a client sent, if it is one (no spaces, no control characters, at most 128 characters). */
export function requestIdFrom(value: string | string[] | undefined): string {
  const id = Array.isArray(value) ? value[0] : value;
  return id && /^[A-Za-z0-9._:\-]{1,128}$/.test(id) ? id : randomUUID();
}

/**
 * Removes credentials from text bound for the logs: the configured API key, the `secrets` of the request the line
 * is written for (its caller's Authorization), and anything shaped like a bearer token or a JWT (an upstream may
 * echo either in its error body).
 */
export function createRedactor(config: GatewayConfig): (text: string, secrets?: readonly string[]) => string {
  const fixed = [config.wixApiKey].filter((s): s is string => !!s);
  return (text, secrets = []) => {
    let out = text;
    for (const secret of [...fixed, ...secrets]) out = out.split(secret).join('[redacted]');
    return out
      .replace(/\b(Bearer|Basic)\s+[^\s"',;]+/gi, '$1 [redacted]')
      .replace(/\beyJ[\w-]{4,}\.[\w-]{4,}\.[\w-]*/g, '[redacted-jwt]')
      .replace(/("(?:authorization|apiKey|api_key|token|password|secret)"\s*:\s*)"[^"]*"/gi, '$1"[redacted]"');
  };
}

/** The credentials of a request worth redacting by value (shorter ones would redact ordinary words). */
export function secretsOf(values: readonly (string | null | undefined)[]): string[] {
  return values.filter((s): s is string => !!s && s.length >= 8);
}

/**
 * CORS: an explicit allow-list. A listed origin gets its own origin back with credentials; any other gets no CORS
 * headers at all, so a browser page there can neither read answers nor send a preflighted (JSON) request.
 */
export function corsFor(config: GatewayConfig) {
  const allowed = new Set(config.corsOrigins);
  return (request: Request) => {
    const origin = request.headers.get('origin');
    if (!origin || !allowed.has(origin)) return false as const;
    return { origin: [origin], credentials: true, methods: ['GET', 'POST'], maxAge: 600 };
  };
}

/**
 * WebSockets have no CORS: a browser page anywhere may open one and the handshake carries its Origin. Allowed:
 * no Origin (not a browser), the gateway's own origin (GraphiQL), or a CORS_ORIGINS entry.
 */
export function isAllowedWebSocketOrigin(config: GatewayConfig, req: IncomingMessage): boolean {
  const origin = req.headers.origin;
  if (!origin) return true;
  if (config.corsOrigins.includes(origin)) return true;
  try {
    return new URL(origin).host === req.headers.host;
  } catch {
    return false;
  }
}

/** Content types a POST may execute with; everything a plain HTML form can send is outside this list. */
const JSON_MEDIA_TYPES = ['application/json', 'application/graphql+json', 'application/graphql-response+json'];

/**
 * Yoga plugin: refuses non-JSON POSTs, turns unreadable requests into 400s (Yoga answers 500 to
 * `?variables=%7B`), turns off introspection and suggestions where configured, and gives every error of an HTTP
 * answer the request id.
 */
export function useRequestHardening(config: GatewayConfig, requestIdOf: (request: Request) => string | undefined): Plugin {
  return {
    onRequestParse({ request, requestParser, setRequestParser }) {
      if (request.method === 'POST') {
        const type = (request.headers.get('content-type') ?? '').split(';')[0]!.trim().toLowerCase();
        if (!JSON_MEDIA_TYPES.includes(type)) {
          throw httpError(415, 'UNSUPPORTED_MEDIA_TYPE', `POST /graphql takes Content-Type: application/json, got ${type ? JSON.stringify(type.slice(0, 80)) : 'none'}.`);
        }
      }
      mapParseErrors({ requestParser, setRequestParser }, unreadable);
    },
    onValidate({ addValidationRule }) {
      if (!config.introspection) addValidationRule(noIntrospection);
    },
    onResultProcess({ request, result, setResult }) {
      if (Array.isArray(result) || !('errors' in result) || !result.errors?.length) return;
      const requestId = requestIdOf(request);
      setResult({ ...result, errors: result.errors.map((e) => finishError(config, e as GraphQLError, requestId)) });
    },
  };
}

/**
 * The last touch on an error a client will see: the request id (the error's own, else `requestId`, else a fresh one
 * for an error of no request), and no "Did you mean" where introspection is off (a suggestion names fields the
 * schema would otherwise keep to itself).
 */
export function finishError(config: GatewayConfig, error: GraphQLError, requestId?: string): GraphQLError {
  const message = config.introspection ? error.message : error.message.replace(/\s*Did you mean [^?]*\?/g, '');
  // Yoga marks request errors `spec: true`, which answers 200 to `Accept: application/json`; a refused request is a
  // 4xx whatever the client accepts.
  const { spec: _spec, ...http } = (error.extensions?.http ?? {}) as { spec?: boolean; status?: number };
  return new GraphQLError(message, {
    nodes: error.nodes,
    source: error.source,
    positions: error.positions,
    path: error.path,
    originalError: error.originalError ?? undefined,
    extensions: {
      // graphql-js's own variable coercion errors come without a code; every error a client sees has one.
      code: /^Variable "\$/.test(message) ? 'BAD_USER_INPUT' : 'GRAPHQL_ERROR',
      ...error.extensions,
      ...(error.extensions?.http ? { http } : {}),
      requestId: error.extensions?.requestId ?? requestId ?? randomUUID(),
    },
  });
}

/**
 * Yoga's maskError, the same in every NODE_ENV: the gateway's own coded errors (their text is ours; upstream
 * failures included) pass; anything else is "Unexpected error." with no trace of its cause. Yoga logs the original.
 */
export function maskError(error: unknown): Error {
  if (isOwnGraphQLError(error)) return error;
  const base = error instanceof GraphQLError ? error : undefined;
  const http = base?.extensions?.http as { status?: number } | undefined;
  return new GraphQLError('Unexpected error.', {
    nodes: base?.nodes,
    source: base?.source,
    positions: base?.positions,
    path: base?.path,
    extensions: { code: 'INTERNAL_SERVER_ERROR', ...(http ? { http } : {}) },
  });
}

/** What a result hook of envelop is given (onExecuteDone, onSubscribeResult, and their onNext). */
interface ResultPayload {
  args: { contextValue?: unknown };
  result: unknown;
  setResult(result: unknown): void;
}

/**
 * Execution and subscription errors masked just before Yoga's own masking (which then finds nothing left to mask),
 * so that the original is logged by `logError` with the operation's context at hand (its request id and
 * credentials to redact): Yoga's log call for it knows no request. The hooks are the same objects for every
 * operation.
 */
export function useMaskedErrorLog(logError: (context: unknown, error: unknown) => void): Plugin {
  const maskResult = ({ args, result, setResult }: ResultPayload) => {
    const errors = (result as { errors?: readonly unknown[] }).errors;
    if (!errors?.length) return;
    let masked: unknown[] | undefined;
    for (let i = 0; i < errors.length; i++) {
      const error = errors[i];
      const own = maskError(error);
      if (own === error) continue;
      logError(args.contextValue, error);
      (masked ??= [...errors])[i] = own;
    }
    if (masked) setResult({ ...(result as object), errors: masked });
  };
  const onResult = (payload: ResultPayload) => {
    const result = payload.result as object | null;
    if (result && Symbol.asyncIterator in result) return { onNext: maskResult };
    maskResult(payload);
    return undefined;
  };
  const executeHooks = { onExecuteDone: onResult };
  return {
    onExecute: () => executeHooks as never,
    onSubscribe: ({ args }) => ({
      onSubscribeResult: onResult as never,
      onSubscribeError({ error, setError }) {
        const own = maskError(error);
        if (own === error) return;
        logError(args.contextValue, error);
        setError(own);
      },
    }),
  };
}

/** A GraphQLError the gateway (or graphql-js/Yoga, about the request itself) made, not a wrapped foreign error. */
function isOwnGraphQLError(error: unknown): error is GraphQLError {
  if (!(error instanceof GraphQLError)) return false;
  return error.originalError == null || isOwnGraphQLError(error.originalError);
}

/** What a Yoga `onRequestParse` hook is given to replace the request parser. */
type RequestParsing = Pick<Parameters<NonNullable<Plugin['onRequestParse']>>[0], 'requestParser' | 'setRequestParser'>;

/**
 * Keeps Yoga's request parser, but answers its failures with `map(err)`: the gateway's own coded error for a body
 * it could not read (the plugins of security.ts and limits.ts each decide which).
 */
export function mapParseErrors({ requestParser, setRequestParser }: RequestParsing, map: (err: unknown) => unknown): void {
  if (!requestParser) return;
  // Yoga's parsers are a few module functions: each is wrapped once per mapping, not once per request.
  let byParser = mappedParsers.get(map);
  if (!byParser) mappedParsers.set(map, (byParser = new WeakMap()));
  let mapped = byParser.get(requestParser);
  if (!mapped) {
    const parse = requestParser;
    const rethrow = (err: unknown) => {
      throw map(err);
    };
    mapped = (req) => {
      try {
        const parsed = parse(req);
        return parsed instanceof Promise ? parsed.catch(rethrow) : parsed;
      } catch (err) {
        return rethrow(err);
      }
    };
    byParser.set(requestParser, mapped);
  }
  setRequestParser(mapped);
}

type RequestParser = NonNullable<RequestParsing['requestParser']>;
const mappedParsers = new WeakMap<(err: unknown) => unknown, WeakMap<RequestParser, RequestParser>>();

/** A body Yoga could not read, as the gateway's own 400 (its GraphQLErrors pass as they are). */
function unreadable(err: unknown): unknown {
  return err instanceof GraphQLError ? err : httpError(400, 'BAD_REQUEST', 'The request could not be read: `variables` and `extensions` must be JSON objects.');
}

/** A coded refusal with its HTTP status; `spec: false` keeps the status even for `Accept: application/json`. */
export function httpError(status: number, code: string, message: string, extensions: Record<string, unknown> = {}): GraphQLError {
  return new GraphQLError(message, { extensions: { code, ...extensions, http: { status, spec: false } } });
}

const noIntrospection: ValidationRule = (context) => ({
  Field(node) {
    const type = context.getType();
    if (type && isIntrospectionType(getNamedType(type))) {
      context.reportError(
        new GraphQLError('Introspection is turned off on this gateway (GRAPHQL_INTROSPECTION).', {
          nodes: node,
          extensions: { code: 'INTROSPECTION_DISABLED', http: { status: 400, spec: false } },
        }),
      );
    }
  },
});
