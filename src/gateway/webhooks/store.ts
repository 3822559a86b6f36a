/**
 * What the receiver remembers between webhooks: which DomainEvent ids it has published (de-duplication, for
 * WEBHOOK_DEDUP_TTL_SECONDS) and the last entityEventSequence per entity (ordering). In process memory by default;
 * in Redis with REDIS_URL, so a duplicate delivered to another replica is still recognised.
 *
 * An id goes through two states: claimed (being published, short expiry) and done (published, full TTL). It is
 * marked done only after a successful publish, and released on failure, so a crash or a Redis outage mid-publish
 * leaves the id free for the upstream's retry instead of losing the change (issue #5 §1).
 */
import { randomUUID } from 'node:crypto';
import type { Redis } from 'ioredis';

/**
 * 'busy': another delivery of the id holds a claim and has not published yet. That is not a duplicate to answer 2xx
 * for: the holder may be a request that already failed (Redis went away after running the claim, so the release
 * could not run either), and a 2xx now would make the upstream drop a change nobody published. The receiver answers
 * 503 with Retry-After, and the redelivery finds the id done (a duplicate) or the claim abandoned (taken over).
 */
export type ClaimResult = 'claimed' | 'duplicate' | 'busy';

/** What one delivery did: published (appended), or nothing because the id was a duplicate, busy, or stale. */
export type DeliveryResult = 'published' | 'duplicate' | 'busy' | 'stale';

/** The stream entry of one webhook, as pubsub.ts appends it (see StreamTarget there). */
export interface StreamEntry {
  /** The stream's key, as the Redis client given to the store names it (its keyPrefix applies). */
  key: string;
  maxLen: number;
  /** The webhook id every reader de-duplicates on, and the publications' JSON. */
  dedupId: string;
  body: string;
}

export interface WebhookStore {
  /**
   * Atomically take the id for processing; 'duplicate' when it was published already, 'busy' while it is being
   * published. `token` names this delivery's claim: the same claim run again (ioredis resends a command whose answer
   * a dropped connection lost) is still 'claimed', not 'busy' for a claim that is its own.
   */
  claim(id: string, token?: string): Promise<ClaimResult>;
  /** The publish succeeded: remember the id for the whole de-duplication window. */
  commit(id: string): Promise<void>;
  /** The publish failed: forget the claim (only the one `token` took, when given) so a redelivery is processed. */
  release(id: string, token?: string): Promise<void>;
  /**
   * Record `sequence` as the entity's latest unless an older-than-latest one: false means stale (drop it). An equal
   * sequence passes, so the retry of an event whose publish failed is not mistaken for an old one.
   */
  advance(entityKey: string, sequence: string): Promise<boolean>;
  /**
   * Redis only: the whole delivery as one atomic step in one round trip — de-duplicate, order, append `entry` (if
   * any) to the stream and mark the id done — so there is no claimed-but-unpublished window for a crash or an
   * outage to strand, and the answer (the script's reply) confirms the append. A claim another delivery still holds
   * (claim() on an older replica) is respected as claim() does: 'busy'.
   */
  deliverOnce?(id: string, order: { entityKey: string; sequence: string } | undefined, entry: StreamEntry | undefined): Promise<DeliveryResult>;
}

/** A claimed id that is never committed (the process died mid-publish) becomes free again after this long. */
const CLAIM_TTL_SECONDS = 60;

export function createMemoryWebhookStore(ttlSeconds: number, now: () => number = Date.now): WebhookStore {
  // One map per lifetime (claims, done ids, sequences), each entry re-inserted when it is written again, so a map's
  // insertion order is its expiry order: expired entries are dropped from the front as writes go by, a few at a time.
  // A periodic sweep over everything remembered (a day's webhooks at the default TTL: millions at thousands a second)
  // cost each webhook more the longer the process ran.
  const claims = new Map<string, number>();
  const done = new Map<string, number>();
  const sequences = new Map<string, { seq: string; expires: number }>();
  return {
    async claim(id) {
      const t = now();
      if ((done.get(id) ?? 0) > t) return 'duplicate';
      if ((claims.get(id) ?? 0) > t) return 'busy';
      renew(claims, id, t + CLAIM_TTL_SECONDS * 1000);
      dropExpired(claims, t, (expires) => expires);
      return 'claimed';
    },
    async commit(id) {
      const t = now();
      claims.delete(id);
      renew(done, id, t + ttlSeconds * 1000);
      dropExpired(done, t, (expires) => expires);
    },
    async release(id) {
      claims.delete(id);
    },
    async advance(entityKey, sequence) {
      const t = now();
      const padded = padSequence(sequence);
      const entry = sequences.get(entityKey);
      if (entry && entry.expires > t && entry.seq > padded) return false;
      renew(sequences, entityKey, { seq: padded, expires: t + ttlSeconds * 1000 });
      dropExpired(sequences, t, (e) => e.expires);
      return true;
    },
  };
}

export interface RedisWebhookStoreOptions {
  /** Key prefix of the ids and sequences (the connection's keyPrefix comes before it). */
  prefix?: string;
  /**
   * Called as a turn's deliveries are about to be sent, before their scripts are written: the receiver sends the
   * parents those webhooks named (webhooks/parents.ts) here, so they reach Redis ahead of the deliveries and a
   * webhook answered 2xx has its parent recorded, as when each webhook wrote its parent first.
   */
  beforeSend?: () => void;
}

export function createRedisWebhookStore(redis: Redis, ttlSeconds: number, options: RedisWebhookStoreOptions | string = {}): WebhookStore {
  const { prefix = 'attendance-graph:webhook:', beforeSend } = typeof options === 'string' ? { prefix: options } : options;
  // EVALSHA (the script text is sent once per connection, not with every webhook).
  const client = redis as Redis & { attendanceGraphDeliver?: (...args: string[]) => Promise<number> };
  if (!client.attendanceGraphDeliver) redis.defineCommand('attendanceGraphDeliver', { numberOfKeys: 3, lua: DELIVER_SCRIPT });
  // The deliveries that arrive in one event-loop turn (the upstream posts many webhooks at once, each on its own
  // connection) go out as one pipeline, one socket write and one read, at the end of the turn (setImmediate runs
  // after the turn's I/O callbacks), rather than a write and a read each (issue 12: at 16 in flight a turn held ~8).
  // Each is still its own atomic script with its own answer; a failed one fails only its webhook.
  let queued: { args: string[]; settle: (err: Error | null, reply: unknown) => void }[] = [];
  const send = () => {
    const batch = queued;
    queued = [];
    // What beforeSend writes and the deliveries leave in one socket write (both are written synchronously).
    const socket = redis.status === 'ready' ? (redis as Redis & { stream?: { cork(): void; uncork(): void } }).stream : undefined;
    socket?.cork();
    try {
      beforeSend?.();
      if (batch.length === 1) {
        const { args, settle } = batch[0]!;
        client.attendanceGraphDeliver!(...args).then((reply) => settle(null, reply), (err: Error) => settle(err, undefined));
        return;
      }
      const pipeline = redis.pipeline() as ReturnType<Redis['pipeline']> & { attendanceGraphDeliver(...args: string[]): unknown };
      for (const { args } of batch) pipeline.attendanceGraphDeliver(...args);
      pipeline.exec().then(
        (replies) => batch.forEach(({ settle }, i) => settle(replies?.[i]?.[0] ?? null, replies?.[i]?.[1])),
        (err: Error) => batch.forEach(({ settle }) => settle(err, undefined)),
      );
    } catch (err) {
      // Nothing thrown here may escape into the event loop: each delivery fails instead (its webhook answers 500).
      for (const { settle } of batch) settle(err instanceof Error ? err : new Error(String(err)), undefined);
    } finally {
      socket?.uncork();
    }
  };
  return {
    deliverOnce(id, order, entry) {
      const idKey = `${prefix}id:${id}`;
      const args = [
        idKey,
        order ? `${prefix}seq:${order.entityKey}` : idKey,
        entry?.key ?? idKey,
        String(ttlSeconds),
        String(ABANDONED_CLAIM_MS),
        order ? padSequence(order.sequence) : '',
        entry ? String(entry.maxLen) : '',
        entry?.dedupId ?? '',
        entry?.body ?? '',
      ];
      return new Promise<DeliveryResult>((resolve, reject) => {
        if (queued.length === 0) setImmediate(send);
        queued.push({ args, settle: (err, result) => (err ? reject(err) : resolve(result === 1 ? 'published' : result === 2 ? 'busy' : result === 3 ? 'stale' : 'duplicate')) });
      });
    },
    async claim(id, token = randomUUID()) {
      // A claim left behind (Redis went away after the claim and before the append, so the release could not run
      // either) must not swallow the upstream's redelivery: a claim older than ABANDONED_CLAIM_MS (an append takes
      // milliseconds, or fails at once) is taken over. Two replicas appending one webhook is harmless anyway: each
      // reader delivers a webhook id once (pubsub.ts).
      const ok = await redis.eval(CLAIM_SCRIPT, 1, `${prefix}id:${id}`, String(CLAIM_TTL_SECONDS), String(ABANDONED_CLAIM_MS), token);
      return ok === 1 ? 'claimed' : ok === 2 ? 'busy' : 'duplicate';
    },
    async commit(id) {
      await redis.set(`${prefix}id:${id}`, 'done', 'EX', ttlSeconds);
    },
    async release(id, token = '') {
      // With a token, only that claim: a release resent late (after a reconnect) must not free the claim another
      // delivery took over meanwhile.
      await redis.eval(RELEASE_SCRIPT, 1, `${prefix}id:${id}`, token);
    },
    async advance(entityKey, sequence) {
      const result = await redis.eval(ADVANCE_SCRIPT, 1, `${prefix}seq:${entityKey}`, padSequence(sequence), String(ttlSeconds));
      return result === 1;
    },
  };
}

// Private helpers

/** Set `key` as the newest entry of `map` (a plain set would keep its old place in the insertion order). */
function renew<V>(map: Map<string, V>, key: string, value: V): void {
  map.delete(key);
  map.set(key, value);
}

/** Drops the expired entries at the front of a map kept in expiry order (see createMemoryWebhookStore). */
function dropExpired<V>(map: Map<string, V>, t: number, expiresOf: (value: V) => number): void {
  for (const [key, value] of map) {
    if (expiresOf(value) > t) return;
    map.delete(key);
  }
}

/**
 * int64 sequences exceed a double's precision ("9223372036854775807" in the docs' deleted-participation example),
 * so they are compared as zero-padded 19-digit strings, in JavaScript and in Lua alike.
 */
export function padSequence(sequence: string): string {
  return sequence.padStart(19, '0');
}

// Compare-and-set in one round trip: two replicas racing on one entity cannot both move it backwards.
const ADVANCE_SCRIPT = `
local current = redis.call('GET', KEYS[1])
if current and current > ARGV[1] then return 0 end
redis.call('SET', KEYS[1], ARGV[1], 'EX', tonumber(ARGV[2]))
return 1`;

const ABANDONED_CLAIM_MS = 500;

// Redis's own clock (TIME), so replicas with skewed clocks agree on a claim's age. A claim is
// `claimed:<ms>:<token>`; the same token finds its own claim (the command ran twice) and keeps it.
const CLAIM_SCRIPT = `
local v = redis.call('GET', KEYS[1])
if v == 'done' then return 0 end
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
if v then
  local at, token = string.match(v, '^claimed:(%d+):?(.*)$')
  if token == ARGV[3] then return 1 end
  if at == nil or now - tonumber(at) < tonumber(ARGV[2]) then return 2 end
end
redis.call('SET', KEYS[1], 'claimed:' .. now .. ':' .. ARGV[3], 'EX', tonumber(ARGV[1]))
return 1`;

// CLAIM_SCRIPT, ADVANCE_SCRIPT, the append and commit() in one script (deliverOnce). KEYS: id, sequence, stream.
// ARGV: TTL s, abandoned claim ms, padded sequence ('' = unordered), MAXLEN, dedup id, body ('' = nothing to append).
// Returns 0 duplicate, 1 published, 2 busy, 3 stale (the id is then remembered as done, as the receiver did).
// Redis does not undo a script's earlier writes when a later command fails, so the sequence and the id are written
// only after the XADD succeeded: a failed append leaves nothing that would make an older webhook look stale.
const DELIVER_SCRIPT = `
local v = redis.call('GET', KEYS[1])
if v == 'done' then return 0 end
if v then
  local t = redis.call('TIME')
  local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
  local at = string.match(v, '^claimed:(%d+)')
  if at == nil or now - tonumber(at) < tonumber(ARGV[2]) then return 2 end
end
if ARGV[3] ~= '' then
  local current = redis.call('GET', KEYS[2])
  if current and current > ARGV[3] then
    redis.call('SET', KEYS[1], 'done', 'EX', tonumber(ARGV[1]))
    return 3
  end
end
if ARGV[6] ~= '' then
  redis.call('XADD', KEYS[3], 'MAXLEN', '~', ARGV[4], '*', 'w', ARGV[5], 'm', ARGV[6])
end
if ARGV[3] ~= '' then redis.call('SET', KEYS[2], ARGV[3], 'EX', tonumber(ARGV[1])) end
redis.call('SET', KEYS[1], 'done', 'EX', tonumber(ARGV[1]))
return 1`;

// Only a claim is released (an id another replica already published stays remembered), and with a token only the
// claim that token took.
const RELEASE_SCRIPT = `
local v = redis.call('GET', KEYS[1])
if v and string.sub(v, 1, 8) == 'claimed:' then
  local token = string.match(v, '^claimed:%d+:(.*)$')
  if ARGV[1] == '' or token == nil or token == ARGV[1] then redis.call('DEL', KEYS[1]) end
end
return 1`;
