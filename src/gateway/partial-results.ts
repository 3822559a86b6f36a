/**
 * Partial results are answered with HTTP 200. Yoga sends the highest `extensions.http.status` of any error, so one
 * failing domain (RSVPs down, sessions fine) turned a response carrying data into a 502/504 that many clients
 * discard. The GraphQL-over-HTTP spec wants 200 whenever `data` is present (non-null), for both
 * application/json and application/graphql-response+json; each error keeps its message, path and
 * `extensions.code`, only the transport status it asked for is dropped. Requests that produced no data (a refused
 * input, a failed authentication) keep their status.
 */
import { GraphQLError, type ExecutionResult } from 'graphql';
import type { Plugin } from 'graphql-yoga';

export function usePartialResultStatus(): Plugin {
  return {
    onExecutionResult({ result, setResult }) {
      if (!result || Symbol.asyncIterator in result) return;
      const single = result as ExecutionResult;
      if (single.data == null || !single.errors?.length) return;
      if (!single.errors.some((e) => e.extensions?.http)) return;
      setResult({ ...single, errors: single.errors.map(withoutHttpStatus) });
    },
  };
}

function withoutHttpStatus(error: GraphQLError): GraphQLError {
  const http = error.extensions?.http as { status?: number; headers?: Record<string, string> } | undefined;
  if (!http?.status) return error;
  const { http: _dropped, ...extensions } = error.extensions;
  const kept = http.headers ? { ...extensions, http: { headers: http.headers } } : extensions;
  return new GraphQLError(error.message, {
    nodes: error.nodes,
    source: error.source,
    positions: error.positions,
    path: error.path,
    originalError: error.originalError,
    extensions: kept,
  });
}
