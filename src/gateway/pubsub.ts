/**
 * One typed topic map for every live feed, in memory by default or over Redis Streams when REDIS_URL is set, so a
 * webhook received by one replica reaches subscribers on all of them — and none is lost while Redis restarts.
 *
 * Why Streams and not PUBLISH/SUBSCRIBE (Yoga's Redis event target): a Pub/Sub message published while a replica is
 * resubscribing reaches nobody, yet the webhook was already answered 2xx, so the upstream never resends it. Here a
 * publish is an XADD (one entry per webhook holding all its publications, trimmed with MAXLEN ~), confirmed before
 * the webhook is answered; each replica reads with XREAD BLOCK from the last entry id it saw and, after any
 * reconnect, resumes from that id. Every entry carries an id (the webhook's, or a fresh one for a gateway-made
 * change) and a replica skips an entry whose id it already delivered (an XADD resent by a reconnecting client, a
 * webhook re-appended after its dedup claim expired), so it never delivers one twice.
 * Topic ids carry the site (webhook instanceId) first, `${instanceId}:${key}` (see live/site.ts), so a subscriber
 * only ever hears its own site's changes. Payloads cross Redis as JSON: plain wire objects, no class instances.
 * Redis being down never crashes the process: connection errors are logged, queries keep working, /readyz says so.
 */
import { randomUUID } from 'node:crypto';
import { setMaxListeners } from 'node:events';
import { GraphQLError } from 'graphql';
import { createPubSub } from 'graphql-yoga';
import { Redis } from 'ioredis';
import type { Attendance, CalendarEvent, EventGuest, Participation, Rsvp } from '../wire/types.js';
import { trackListening, type ListeningRegistry } from './live/listening.js';

export type ChangeKind = 'CREATED' | 'UPDATED' | 'DELETED';

/** One entity change, as a webhook (or a gateway mutation) reported it. */
export interface EntityChange<E> {
  kind: ChangeKind;
  entityId: string;
  /** The entity after the change; for DELETED the last state when the upstream sent it, else null. */
  entity: E | null;
  /** When the upstream says it happened (DomainEvent.eventTime). */
  eventTime: string;
  /** DomainEvent id, or a gateway-made id for changes the upstream sends no webhook for. */
  changeId: string;
  /** For a deletion without the entity: the parent the gateway remembered (webhooks/parents.ts), if any. */
  parent?: { eventId?: string; sessionId?: string; scheduleId?: string };
}

export interface GuestCheckedInMessage {
  eventId: string;
  guest: EventGuest;
  eventTime: string;
  changeId: string;
}

/** A session's capacity changed: `event` when the webhook carried it, else null (the subscriber re-reads). */
export interface SessionCapacitySignal {
  sessionId: string;
  event: CalendarEvent | null;
  eventTime: string;
}

/** Something that may move an event's check-in count happened; counters re-read upstream (live/counters.ts). */
export interface CheckInsChangedSignal {
  eventId: string;
  eventTime: string;
}

/** topic -> [id, payload]; every id is `${instanceId}:${key}`. */
export type Topics = {
  /** key = Wix Events event id */
  'guest:checkedIn': [string, GuestCheckedInMessage];
  /** key = Wix Events event id */
  'guest:changed': [string, EntityChange<EventGuest>];
  /** key = Wix Events event id */
  'rsvp:changed': [string, EntityChange<Rsvp>];
  /** key = `session:${calendarEventId}` or `schedule:${scheduleId}` */
  'participation:changed': [string, EntityChange<Participation>];
  /** key = calendar event (session) id */
  'session:capacity': [string, SessionCapacitySignal];
  /** key = calendar event (session) id */
  'attendance:changed': [string, EntityChange<Attendance>];
  /** key = Wix Events event id */
  'checkIns:changed': [string, CheckInsChangedSignal];
  /** id = LIVE_INVALIDATION_ID (one channel for all sites): live-query keys a webhook invalidates (live/live-queries.ts). */
  'live:invalidate': [string, { keys: string[] }];
};
export type TopicName = keyof Topics;

/** One message for one topic id. */
export interface Publication<T extends TopicName = TopicName> {
  topic: T;
  id: Topics[T][0];
  payload: Topics[T][1];
}

export type GatewayPubSub = ReturnType<typeof createPubSub<Topics>> & {
  /**
   * Publish and resolve once the message is durably appended (Redis accepted the XADD) or, in memory, once every
   * local listener has it. The webhook receiver answers 2xx only after this resolves, so a crash or a Redis outage
   * before it makes the upstream retry instead of losing the change. (Yoga's publish() returns nothing to await.)
   */
  publishConfirmed<T extends TopicName>(topic: T, id: Topics[T][0], payload: Topics[T][1]): Promise<void>;
  /**
   * Several publications as one atomic append: all are delivered or none. `dedupId` (a webhook's id) makes every
   * replica deliver the entry at most once even if it is appended twice.
   */
  publishAll(publications: readonly Publication[], dedupId?: string): Promise<void>;
  /**
   * Confirmed listener registrations per channel (live/listening.ts): what tests wait on before publishing. Every
   * replica dispatches from its own stream reader to local listeners, so a registration counts at once: every
   * entry the reader reads after it reaches it.
   */
  listening: ListeningRegistry;
};

export interface PubSubOptions {
  redisUrl?: string;
  /** REDIS_PREFIX: put before every key (the stream, the webhook store's keys). */
  prefix?: string;
  /** REDIS_STREAM_MAXLEN: approximate length the stream is trimmed to. */
  maxLen?: number;
  onError?: (message: string) => void;
}

export interface PubSubHandle {
  pubsub: GatewayPubSub;
  /** The Redis connection for shared state (dedup, ordering), when REDIS_URL is set; its keys carry the prefix. */
  redis?: Redis;
  /**
   * Redis only: the stream publishAll appends to, for the webhook receiver, which appends a webhook's entry in the
   * same atomic step as its de-duplication (webhooks/store.ts deliverOnce) on `redis`. Every replica's reader
   * delivers those entries as it delivers publishAll's.
   */
  stream?: StreamTarget;
  /** undefined without Redis; else whether Redis answers a PING now (readiness). */
  redisUp(): Promise<boolean | undefined>;
  close(): Promise<void>;
}

export interface StreamTarget {
  /** The stream's key as `redis` (PubSubHandle.redis, which carries the prefix) names it. */
  key: string;
  maxLen: number;
  /**
   * An entry's `m` field: the publications as JSON. Given the entry's `w` (dedupId), this replica's reader, when it
   * reads back that very entry (same id, same JSON), dispatches these publications instead of parsing the JSON again.
   */
  body(publications: readonly Publication[], dedupId?: string): string;
}

/** The stream every replica reads (one per deployment prefix). */
export const STREAM_KEY = 'changes';
/** How many delivered entry ids a replica remembers to skip re-appended entries (far more than a restart's worth). */
const DELIVERED_MEMORY = 50_000;
/** How many of its own appends a replica keeps parsed until its reader reads them back (a few turns' worth). */
const OWN_APPENDS_MEMORY = 10_000;
/**
 * How many published events one subscription may hold that its reader has not taken yet. Past it the subscription
 * ends with SLOW_CONSUMER (the client subscribes again and reads current data). Yoga's own subscribe() is a
 * Repeater that refuses a 1,025th pending push by throwing from the publisher's dispatch: an uncaught exception
 * that ended the process for every caller when one subscriber's stream waited on a slow upstream during a burst.
 */
export const MAX_UNDELIVERED_EVENTS = 1_000;

/** Why a subscription was ended: its reader fell MAX_UNDELIVERED_EVENTS behind its topic. */
export class SubscriberTooSlowError extends GraphQLError {
  constructor(limit: number) {
    super(`This subscription fell more than ${limit} events behind and was ended; subscribe again to resume from current data.`, {
      extensions: { code: 'SLOW_CONSUMER', maxUndeliveredEvents: limit },
    });
  }
}

/**
 * subscribe(topic, id?) with the channel naming of Yoga's createPubSub (`topic` or `topic:id` on the event target),
 * as a plain async iterator whose unread events are bounded: the event that would make MAX_UNDELIVERED_EVENTS + 1
 * waiting drops the backlog, stops listening and makes the next read throw SubscriberTooSlowError (then done).
 */
function boundedSubscribe(target: EventTarget, limit: number) {
  return (topic: string, id?: string): AsyncIterableIterator<unknown> => {
    const channel = id === undefined ? topic : `${topic}:${id}`;
    const queue: unknown[] = [];
    let waiter: ((result: IteratorResult<unknown>) => void) | undefined;
    let failure: Error | undefined;
    let listening = true;
    const stopListening = () => {
      if (!listening) return;
      listening = false;
      target.removeEventListener(channel, listener);
    };
    const listener = (event: Event) => {
      const value = (event as Event & { detail: unknown }).detail;
      if (waiter) {
        const wake = waiter;
        waiter = undefined;
        wake({ value, done: false });
      } else if (queue.length < limit) queue.push(value);
      else {
        queue.length = 0;
        failure = new SubscriberTooSlowError(limit);
        stopListening();
      }
    };
    target.addEventListener(channel, listener);
    const done = (): IteratorResult<unknown> => ({ value: undefined, done: true });
    const iterator: AsyncIterableIterator<unknown> = {
      next() {
        if (queue.length) return Promise.resolve({ value: queue.shift(), done: false });
        if (failure) {
          const err = failure;
          failure = undefined;
          return Promise.reject(err);
        }
        if (!listening) return Promise.resolve(done());
        return new Promise((resolve) => (waiter = resolve));
      },
      return() {
        stopListening();
        queue.length = 0;
        failure = undefined;
        const wake = waiter;
        waiter = undefined;
        wake?.(done());
        return Promise.resolve(done());
      },
      throw(err?: unknown) {
        void iterator.return!();
        return Promise.reject(err);
      },
      [Symbol.asyncIterator]() {
        return iterator;
      },
    };
    return iterator;
  };
}

export async function createGatewayPubSub(options: PubSubOptions | string = {}): Promise<PubSubHandle> {
  const opts: PubSubOptions = typeof options === 'string' ? { redisUrl: options } : options;
  // Many subscribers of one topic are normal (a door team on one event); Node's default warns at 11 listeners.
  const memoryTarget = new EventTarget();
  setMaxListeners(0, memoryTarget);
  const { target: local, listening } = trackListening(memoryTarget);
  const dispatchNow = (topic: string, id: string | undefined, payload: unknown) =>
    local.dispatchEvent(Object.assign(new Event(id === undefined ? topic : `${topic}:${id}`), { detail: payload }));
  // `live:invalidate` messages of one event-loop turn reach their listener as one message carrying all their keys, at
  // the end of the turn: its one reader (live/live-queries.ts) only collects keys until a turn of its own, and a
  // Repeater push and a loop iteration per webhook cost about a tenth of a webhook's ingest CPU (issue 12).
  const invalidations = new Map<string, string[]>();
  const flushInvalidations = () => {
    const batches = [...invalidations];
    invalidations.clear();
    for (const [id, keys] of batches) dispatchNow('live:invalidate', id, { keys });
  };
  const dispatch = (topic: string, id: string | undefined, payload: unknown) => {
    if (topic !== 'live:invalidate' || id === undefined) return dispatchNow(topic, id, payload);
    const keys = (payload as Topics['live:invalidate'][1]).keys;
    const held = invalidations.get(id);
    if (held) return void held.push(...keys);
    if (invalidations.size === 0) setImmediate(flushInvalidations);
    invalidations.set(id, [...keys]);
  };

  // Yoga's pubsub over the local target, its subscribe() bounded (see boundedSubscribe); with Redis, publish() is
  // replaced below so that it goes through the stream.
  const base = createPubSub<Topics>({ eventTarget: local as never });
  (base as { subscribe: unknown }).subscribe = boundedSubscribe(local, MAX_UNDELIVERED_EVENTS);

  if (!opts.redisUrl) {
    const publishAll = async (publications: readonly Publication[]) => {
      for (const p of publications) dispatch(p.topic, p.id, p.payload);
    };
    const pubsub: GatewayPubSub = Object.assign(base, {
      listening,
      publishConfirmed: <T extends TopicName>(topic: T, id: Topics[T][0], payload: Topics[T][1]) => publishAll([{ topic, id, payload }]),
      publishAll,
    });
    return { pubsub, redisUp: async () => undefined, close: async () => {} };
  }

  const prefix = opts.prefix ?? '';
  const stream = `${prefix}${STREAM_KEY}`;
  const maxLen = opts.maxLen ?? 10_000;
  const onError = opts.onError ?? (() => {});
  // Commands fail at once while Redis is unreachable (no offline queue), so a webhook gets its non-2xx quickly and
  // the upstream resends it; the clients reconnect on their own, forever, every 100..1000 ms.
  const redisOptions = { enableOfflineQueue: false, maxRetriesPerRequest: 1, retryStrategy: (n: number) => Math.min(100 * n, 1000) };
  const command = new Redis(opts.redisUrl, { ...redisOptions, keyPrefix: prefix || undefined });
  const reader = new Redis(opts.redisUrl, redisOptions);
  let closed = false;
  for (const [name, client] of [['command', command], ['reader', reader]] as const) {
    client.on('error', (err: Error) => {
      if (!closed) onError(`redis ${name} connection: ${err.message}`);
    });
  }
  // A short wait for Redis at start, so the first webhooks do not fail needlessly; without Redis the gateway starts
  // anyway (not ready) and connects when Redis comes up.
  const startedAt = Date.now();
  await Promise.all([whenReady(command, 2_000), whenReady(reader, 2_000)]);

  const entryBody = (publications: readonly Publication[]) => JSON.stringify(publications.map((p) => [p.topic, p.id, p.payload]));
  // This replica's own appends, kept parsed until its reader reads them back (entries not appended after all — a
  // duplicate, a failed script — are dropped oldest first).
  const ownAppends = new Map<string, { body: string; publications: readonly Publication[] }>();
  const ownEntryBody = (publications: readonly Publication[], dedupId?: string) => {
    const body = entryBody(publications);
    if (dedupId !== undefined) {
      ownAppends.delete(dedupId);
      ownAppends.set(dedupId, { body, publications });
      if (ownAppends.size > OWN_APPENDS_MEMORY) ownAppends.delete(ownAppends.keys().next().value!);
    }
    return body;
  };
  const publishAll = async (publications: readonly Publication[], dedupId?: string) => {
    if (publications.length === 0) return;
    const body = entryBody(publications);
    // Every entry carries an id the readers de-duplicate on: the webhook's, or a fresh one for a gateway-made change,
    // so an XADD that ran twice (its answer lost with a dropped connection, ioredis resending it) is delivered once.
    await command.xadd(STREAM_KEY, 'MAXLEN', '~', String(maxLen), '*', 'w', dedupId ?? randomUUID(), 'm', body);
  };
  const pubsub: GatewayPubSub = Object.assign(base, {
    listening,
    publishConfirmed: <T extends TopicName>(topic: T, id: Topics[T][0], payload: Topics[T][1]) => publishAll([{ topic, id, payload }]),
    publishAll,
  });
  // Yoga's publish() (fire and forget) goes through the stream too, so every replica hears it.
  (pubsub as { publish: unknown }).publish = (topic: string, id: string, payload: unknown) => {
    publishAll([{ topic, id, payload } as Publication]).catch((err) => onError(`publish ${topic} failed: ${String(err)}`));
  };

  const delivered = new Set<string>();
  // Where this replica starts reading: after what the stream holds when the reader first connects; but if Redis is
  // unreachable now, after what was appended before this process started (entry ids are Redis's millisecond clock),
  // so what other replicas append between Redis coming back and this reader connecting is not skipped.
  let lastId: string | undefined = reader.status === 'ready' ? undefined : `${startedAt}-0`;
  const loop = (async () => {
    while (!closed) {
      try {
        if (reader.status !== 'ready') await whenReady(reader, 1_000);
        if (reader.status !== 'ready') continue;
        // Then always from the last entry this replica saw.
        lastId ??= (await reader.xrevrange(stream, '+', '-', 'COUNT', 1))[0]?.[0] ?? '0-0';
        const answer = (await reader.xread('COUNT', 500, 'BLOCK', 2_000, 'STREAMS', stream, lastId)) as [string, [string, string[]][]][] | null;
        for (const [, entries] of answer ?? []) {
          for (const [entryId, fields] of entries) {
            lastId = entryId;
            deliverEntry(fields);
          }
        }
      } catch (err) {
        if (closed) break;
        onError(`redis stream read failed, resuming from ${lastId ?? 'the end'}: ${err instanceof Error ? err.message : String(err)}`);
        await new Promise((r) => setTimeout(r, 100));
      }
    }
  })();

  function deliverEntry(fields: string[]): void {
    const w = fieldOf(fields, 'w');
    if (w) {
      if (delivered.has(w)) return;
      delivered.add(w);
      if (delivered.size > DELIVERED_MEMORY) delivered.delete(delivered.values().next().value!);
    }
    const m = fieldOf(fields, 'm');
    const own = w === undefined ? undefined : ownAppends.get(w);
    if (own) {
      ownAppends.delete(w!);
      // Only if the stream holds exactly what this replica built (another replica may have appended that webhook
      // id with other publications, e.g. a parent it knew): what is delivered is always what the stream holds.
      if (own.body === m) {
        for (const p of own.publications) dispatch(p.topic, p.id, p.payload);
        return;
      }
    }
    let list: [string, string, unknown][];
    try {
      list = JSON.parse(m ?? '[]');
    } catch {
      onError('redis stream entry with an unreadable body skipped');
      return;
    }
    for (const [topic, id, payload] of list) dispatch(topic, id, payload);
  }

  return {
    pubsub,
    redis: command,
    stream: { key: STREAM_KEY, maxLen, body: ownEntryBody },
    async redisUp() {
      if (command.status !== 'ready') return false;
      try {
        return (await withTimeout(command.ping(), 1_000)) === 'PONG';
      } catch {
        return false;
      }
    },
    async close() {
      closed = true;
      reader.disconnect();
      await loop.catch(() => {});
      await command.quit().catch(() => command.disconnect());
    },
  };
}

function fieldOf(fields: string[], name: string): string | undefined {
  for (let i = 0; i + 1 < fields.length; i += 2) if (fields[i] === name) return fields[i + 1];
  return undefined;
}

function whenReady(client: Redis, ms: number): Promise<void> {
  if (client.status === 'ready') return Promise.resolve();
  return new Promise((resolve) => {
    const done = () => {
      clearTimeout(timer);
      client.off('ready', done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    client.once('ready', done);
  });
}

function withTimeout<T>(p: Promise<T>, ms: number): Promise<T> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('timeout')), ms);
    p.then(
      (v) => (clearTimeout(timer), resolve(v)),
      (e) => (clearTimeout(timer), reject(e)),
    );
  });
}
