/**
 * Remembered results of create mutations, by the client's `idempotencyKey`, so a client that retries (after a
 * timeout, a dropped connection, a deploy) gets the first result instead of a second write. In Redis when
 * REDIS_URL is set (every replica sees the key; it carries REDIS_PREFIX), else in this process's memory; each entry
 * lives IDEMPOTENCY_TTL_SECONDS. Keys are scoped by mutation and by a hash of the caller's credentials, so one
 * caller can never read another's result, and no credential is stored.
 * Only results whose outcome is known are remembered: a write whose answer was lost is reconciled (or re-run) on
 * the retry, never answered from a guess.
 */
import { createHash } from 'node:crypto';
import type { Redis } from 'ioredis';

export interface IdempotencyStore {
  get<T>(key: string): Promise<T | undefined>;
  put(key: string, value: unknown): Promise<void>;
}

/** The store key for one caller's key of one mutation. */
export function idempotencyKeyFor(mutation: string, authorization: string, clientKey: string): string {
  const caller = createHash('sha256').update(authorization).digest('base64url').slice(0, 22);
  return `idem:${mutation}:${caller}:${clientKey}`;
}

export function createIdempotencyStore(ttlSeconds: number, redis?: Redis): IdempotencyStore {
  if (redis) {
    return {
      async get<T>(key: string) {
        const raw = await redis.get(key);
        return raw === null ? undefined : (JSON.parse(raw) as T);
      },
      async put(key, value) {
        await redis.set(key, JSON.stringify(value), 'EX', ttlSeconds);
      },
    };
  }
  const entries = new Map<string, { value: string; expires: number }>();
  return {
    async get<T>(key: string) {
      const entry = entries.get(key);
      if (!entry) return undefined;
      if (entry.expires <= Date.now()) {
        entries.delete(key);
        return undefined;
      }
      return JSON.parse(entry.value) as T;
    },
    async put(key, value) {
      // Expired entries go as new ones arrive (Maps iterate oldest first), so memory stays bounded by the TTL.
      const now = Date.now();
      for (const [k, e] of entries) {
        if (e.expires > now) break;
        entries.delete(k);
      }
      entries.set(key, { value: JSON.stringify(value), expires: now + ttlSeconds * 1000 });
    },
  };
}

/**
 * Runs a create under a client's key: the remembered result when there is one, else `run`, whose result is
 * remembered. A store that cannot answer (Redis down) does not stop the write; it only loses the memory.
 */
export async function remembered<T>(store: IdempotencyStore, key: string | null, run: () => Promise<T>, onError?: (message: string) => void): Promise<T> {
  if (!key) return run();
  const prior = await store.get<{ result?: T }>(key).catch((err) => void onError?.(`idempotency read failed: ${String(err)}`));
  if (prior?.result !== undefined) return prior.result;
  const result = await run();
  await store.put(key, { result }).catch((err) => onError?.(`idempotency write failed: ${String(err)}`));
  return result;
}
