/**
 * Plain queries run compiled (graphql-jit, through @envelop/graphql-jit): the operation is turned into one
 * JavaScript function per document, cached with the parsed document, so a list of a thousand guests pays for a
 * property read and a resolver call per field instead of graphql-js's generic walk (BENCHMARKS.md, query path).
 * Everything the compiled path does not cover keeps the standard executor: subscriptions and mutations,
 * `@defer`/`@stream` (incremental delivery) and `@live` queries (re-executed by the live-query store).
 */
import { useGraphQlJit } from '@envelop/graphql-jit';
import type { Plugin } from 'graphql-yoga';
import { getOperationAST, visit, BREAK, type DocumentNode } from 'graphql';

const INCREMENTAL_OR_LIVE = new Set(['defer', 'stream', 'live']);

const decided = new WeakMap<DocumentNode, Map<string, boolean>>();

/** True for a query operation without @defer, @stream or @live anywhere in the document. */
export function compilable(document: DocumentNode, operationName?: string | null): boolean {
  let byName = decided.get(document);
  const key = operationName ?? '';
  const known = byName?.get(key);
  if (known !== undefined) return known;
  let ok = getOperationAST(document, operationName)?.operation === 'query';
  if (ok) {
    visit(document, {
      Directive(node) {
        if (INCREMENTAL_OR_LIVE.has(node.name.value)) {
          ok = false;
          return BREAK;
        }
        return undefined;
      },
    });
  }
  if (!byName) decided.set(document, (byName = new Map()));
  byName.set(key, ok);
  return ok;
}

export function useCompiledQueries(onError: (message: string) => void): Plugin {
  return useGraphQlJit(
    {},
    {
      enableIf: (args) => compilable(args.document, args.operationName),
      onError: (result) => onError(`query compilation failed: ${result.errors?.map((e) => e.message).join('; ')}`),
    },
  ) as Plugin;
}
