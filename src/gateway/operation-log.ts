/**
 * The access log and the operation metrics: one line and one count per GraphQL operation, with its name, type,
 * outcome, duration and the upstream calls it cost (and the upstream's request ids for them). Queries and mutations
 * are reported when their result is ready; a subscription when it is set up (it then counts as a live subscriber
 * until it ends); an operation refused before execution (parse, validation, an unknown persisted query) when the
 * response is sent.
 */
import { getOperationAST, type DocumentNode, type ExecutionResult } from 'graphql';
import type { Plugin } from 'graphql-yoga';
import type { GatewayMetrics, OperationOutcome, SubscriberTransport } from './metrics.js';
import { requestScopeOf, type RequestScope } from './request-scope.js';

/** Per scope: the upstream's request ids for its calls, kept for the access line (at most UPSTREAM_IDS_MAX). */
const UPSTREAM_IDS_MAX = 20;
export const upstreamIdsOf = new WeakMap<RequestScope, string[]>();

export function recordUpstreamId(scope: RequestScope, id: string | undefined): void {
  if (!id) return;
  const ids = upstreamIdsOf.get(scope) ?? [];
  if (ids.length < UPSTREAM_IDS_MAX) ids.push(id);
  upstreamIdsOf.set(scope, ids);
}

export function createOperationLog(metrics: GatewayMetrics) {
  function finish(scope: RequestScope, outcome: OperationOutcome): void {
    if (scope.finished) return;
    scope.finished = true;
    const ms = performance.now() - scope.startedAt;
    metrics.operation(scope.operationName, scope.operationType, outcome, scope.transport, ms / 1000);
    scope.log.info(
      {
        operation: scope.operationName ?? null,
        type: scope.operationType ?? null,
        outcome,
        durationMs: Math.round(ms * 10) / 10,
        upstreamCalls: scope.upstreamCalls,
        upstreamRequestIds: upstreamIdsOf.get(scope) ?? [],
      },
      'graphql operation',
    );
  }

  const scopeOf = (context: unknown) => (context as { requestScope?: RequestScope } | undefined)?.requestScope;
  // The hooks below are the same objects for every operation: what they need is in the payload's context.
  const afterParse = ({ result, context }: { result: unknown; context: unknown }) => {
    const scope = scopeOf(context);
    if (result instanceof Error && scope) scope.refused = true;
  };
  const afterValidate = ({ valid, context }: { valid: boolean; context: unknown }) => {
    const scope = scopeOf(context);
    if (!valid && scope) finish(scope, 'rejected');
  };
  const executeHooks = {
    onExecuteDone({ args, result }: { args: { contextValue?: unknown }; result: unknown }) {
      const scope = scopeOf(args.contextValue)!;
      if (isAsyncIterable(result)) {
        let last: ExecutionResult | undefined;
        return { onNext: ({ result: r }: { result: unknown }) => void (last = r as ExecutionResult), onEnd: () => finish(scope, last ? outcomeOf(last) : 'ok') };
      }
      finish(scope, outcomeOf(result as ExecutionResult));
      return undefined;
    },
  };

  const plugin: Plugin<{ requestScope?: RequestScope; request?: Request }> = {
    onParams({ request, params }) {
      const scope = requestScopeOf(request);
      if (!scope) return;
      scope.graphql = true;
      if (typeof params.operationName === 'string') scope.operationName = params.operationName;
    },
    onParse: () => afterParse as never,
    onValidate: () => afterValidate as never,
    onExecute({ args }) {
      const scope = scopeOf(args.contextValue);
      if (!scope) return undefined;
      name(scope, args.document, args.operationName);
      return executeHooks as never;
    },
    onSubscribe({ args }) {
      const ctx = args.contextValue as { requestScope?: RequestScope; request?: Request };
      const scope = ctx.requestScope;
      if (!scope) return;
      name(scope, args.document, args.operationName);
      return {
        onSubscribeResult({ result }) {
          if (!isAsyncIterable(result)) {
            finish(scope, outcomeOf(result));
            return undefined;
          }
          finish(scope, 'ok');
          const transport = transportOf(scope, ctx.request);
          metrics.subscribers(transport, 1);
          let ended = false;
          return {
            onEnd() {
              if (ended) return;
              ended = true;
              metrics.subscribers(transport, -1);
            },
          };
        },
        onSubscribeError() {
          finish(scope, 'error');
        },
      };
    },
  };

  return {
    plugin,
    /** For HTTP requests that ended before any result (useRequestScope's onEnd). */
    onResponse(scope: RequestScope) {
      if (!scope.finished && (scope.graphql || scope.refused)) finish(scope, 'rejected');
    },
  };
}

function name(scope: RequestScope, document: DocumentNode, operationName: string | null | undefined) {
  const op = getOperationAST(document, operationName);
  scope.operationType = op?.operation ?? scope.operationType;
  scope.operationName = op?.name?.value ?? operationName ?? scope.operationName;
}

/** ok: no error; partial: errors beside some data; error: errors and no root field answered. */
function outcomeOf(result: ExecutionResult): OperationOutcome {
  if (!result.errors?.length) return 'ok';
  const answered = result.data && Object.values(result.data).some((v) => v !== null);
  return answered ? 'partial' : 'error';
}

function transportOf(scope: RequestScope, request: Request | undefined): SubscriberTransport {
  if (scope.transport === 'ws') return 'ws';
  return request?.headers.get('accept')?.includes('multipart/mixed') ? 'multipart' : 'sse';
}

function isAsyncIterable(value: unknown): value is AsyncIterable<unknown> {
  return typeof value === 'object' && value !== null && Symbol.asyncIterator in value;
}
