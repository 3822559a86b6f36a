/**
 * Persisted operations, two modes:
 * - APQ (Apollo's Automatic Persisted Queries, @graphql-yoga/plugin-apq): a client sends only
 *   extensions.persistedQuery.sha256Hash; an unknown hash answers PERSISTED_QUERY_NOT_FOUND (HTTP 200, as Apollo
 *   Server does, so Apollo Client's link resends with the query), and a query sent with its hash is stored: in Redis
 *   when the gateway has one (shared by replicas, APQ_TTL_SECONDS), else in memory (1000 most recent).
 * - Trusted documents (PERSISTED_OPERATIONS_FILE, @graphql-yoga/plugin-persisted-operations): only the manifest's
 *   operations run, named by `documentId` or by APQ's sha256Hash; a query text is refused with
 *   PERSISTED_QUERY_ONLY, an id not in the manifest with PERSISTED_QUERY_NOT_IN_LIST, a request with neither with
 *   PERSISTED_QUERY_ID_REQUIRED. graphql-ws operations go through the same check (resolveWsQuery).
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createInMemoryAPQStore, useAPQ, type APQStore } from '@graphql-yoga/plugin-apq';
import { usePersistedOperations } from '@graphql-yoga/plugin-persisted-operations';
import { GraphQLError } from 'graphql';
import type { GraphQLParams, Plugin } from 'graphql-yoga';
import type { Redis } from 'ioredis';
import { ConfigError, type GatewayConfig } from './config.js';

export interface PersistedOperations {
  plugins: Plugin[];
  /** Yoga must accept `documentId` in a request body (GraphQL over HTTP's trusted-documents field). */
  extraParamNames: string[];
  /** graphql-ws: the query to run for these params, or the error that refuses them (trusted mode). */
  resolveWsQuery(params: { query?: string; extensions?: Record<string, unknown> | null; documentId?: unknown }): string | GraphQLError;
}

export function createPersistedOperations(
  config: Pick<GatewayConfig, 'apq' | 'apqTtlSeconds' | 'persistedOperationsFile'>,
  redis?: Redis,
): PersistedOperations {
  if (config.persistedOperationsFile) {
    const manifest = loadManifest(config.persistedOperationsFile);
    const lookup = (params: { documentId?: unknown; extensions?: Record<string, unknown> | null }) => {
      const id = documentIdOf(params);
      return id === undefined ? undefined : { id, query: manifest.get(id) };
    };
    return {
      extraParamNames: ['documentId'],
      plugins: [
        usePersistedOperations({
          allowArbitraryOperations: false,
          extractPersistedOperationId: (params) => documentIdOf(params as GraphQLParams & { documentId?: unknown }) ?? null,
          getPersistedOperation: (id) => manifest.get(id) ?? null,
          customErrors: {
            persistedQueryOnly: () => refusal('PERSISTED_QUERY_ONLY'),
            notFound: () => refusal('PERSISTED_QUERY_NOT_IN_LIST'),
            keyNotFound: () => refusal('PERSISTED_QUERY_ID_REQUIRED'),
          },
        }) as Plugin,
      ],
      resolveWsQuery(params) {
        if (params.query) return refusal('PERSISTED_QUERY_ONLY');
        const found = lookup(params);
        if (!found) return refusal('PERSISTED_QUERY_ID_REQUIRED');
        return found.query ?? refusal('PERSISTED_QUERY_NOT_IN_LIST');
      },
    };
  }
  const noWsCheck = (params: { query?: string }) => params.query ?? refusal('PERSISTED_QUERY_ID_REQUIRED');
  if (!config.apq) return { plugins: [], extraParamNames: [], resolveWsQuery: noWsCheck };
  const store: APQStore = redis ? redisStore(redis, config.apqTtlSeconds) : createInMemoryAPQStore({ max: 1000, ttl: config.apqTtlSeconds * 1000 });
  return { plugins: [useAPQ({ store, responseConfig: { forceStatusCodeOk: true } })], extraParamNames: [], resolveWsQuery: noWsCheck };
}

/** sha256 hex of a document, as APQ and Apollo's persisted-query manifests compute it. */
export function sha256(document: string): string {
  return createHash('sha256').update(document).digest('hex');
}

// Private helpers

const MESSAGES = {
  PERSISTED_QUERY_ONLY:
    'This gateway runs only trusted documents: send the documentId (or extensions.persistedQuery.sha256Hash) of an operation in its manifest, not a query.',
  PERSISTED_QUERY_NOT_IN_LIST: 'No trusted document has this id: it is not in the gateway\'s manifest.',
  PERSISTED_QUERY_ID_REQUIRED: 'Send documentId (or extensions.persistedQuery.sha256Hash) naming a trusted document.',
} as const;

function refusal(code: keyof typeof MESSAGES): GraphQLError {
  const status = code === 'PERSISTED_QUERY_NOT_IN_LIST' ? 404 : 400;
  return new GraphQLError(MESSAGES[code], { extensions: { code, http: { status } } });
}

function documentIdOf(params: { documentId?: unknown; extensions?: Record<string, unknown> | null }): string | undefined {
  if (typeof params.documentId === 'string' && params.documentId) return params.documentId.replace(/^sha256:/, '');
  const apq = params.extensions?.persistedQuery as { version?: number; sha256Hash?: unknown } | undefined;
  return apq?.version === 1 && typeof apq.sha256Hash === 'string' ? apq.sha256Hash : undefined;
}

/**
 * The manifest: `{ "<id>": "<document>" }`, or Apollo's persisted-query manifest
 * (`{ "format": "apollo-persisted-query-manifest", "operations": [{ "id", "body" }] }`). Every document is also
 * known by its sha256, so APQ-style clients and `documentId: "sha256:<hash>"` find it.
 */
function loadManifest(file: string): Map<string, string> {
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(file, 'utf8'));
  } catch (err) {
    const why = (err as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : 'not readable JSON';
    throw new ConfigError(`PERSISTED_OPERATIONS_FILE must name a JSON manifest of trusted documents, got "${file}" (${why})`);
  }
  const entries: [string, unknown][] =
    raw && typeof raw === 'object' && Array.isArray((raw as { operations?: unknown }).operations)
      ? (raw as { operations: { id: string; body: unknown }[] }).operations.map((op) => [op.id, op.body])
      : Object.entries(raw ?? {});
  const manifest = new Map<string, string>();
  for (const [id, body] of entries) {
    if (typeof body !== 'string' || !body.trim()) {
      throw new ConfigError(`PERSISTED_OPERATIONS_FILE: document "${id}" must be a GraphQL document string`);
    }
    manifest.set(id, body);
    manifest.set(sha256(body), body);
  }
  if (manifest.size === 0) throw new ConfigError('PERSISTED_OPERATIONS_FILE holds no document: the gateway would refuse everything');
  return manifest;
}

function redisStore(redis: Redis, ttlSeconds: number): APQStore {
  const key = (hash: string) => `attendance-graph:apq:${hash}`;
  return {
    get: (hash) => redis.get(key(hash)),
    set: (hash, query) => redis.set(key(hash), query, 'EX', ttlSeconds),
  };
}
