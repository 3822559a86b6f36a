/**
 * One typed topic map for every live feed, in memory by default or over Redis (Yoga's Redis event target) when
 * REDIS_URL is set, so a webhook received by one replica reaches subscribers on all of them.
 * Topic ids carry the site (webhook instanceId) first, `${instanceId}:${key}` (see live/site.ts), so a subscriber
 * only ever hears its own site's changes. Payloads cross Redis as JSON: plain wire objects, no class instances.
 */
import { setMaxListeners } from 'node:events';
import { createRedisEventTarget } from '@graphql-yoga/redis-event-target';
import { createPubSub } from 'graphql-yoga';
import { Redis } from 'ioredis';
import type { Attendance, CalendarEvent, EventGuest, Participation, Rsvp } from '../wire/types.js';
import { type ListeningRegistry, trackListening } from './live/listening.js';

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

export type GatewayPubSub = ReturnType<typeof createPubSub<Topics>> & {
  /**
   * Publish and resolve once the message has left this process (Redis accepted it) or, in memory, once every
   * local listener has it. The webhook receiver answers 2xx only after this resolves, so a crash or a Redis outage
   * before it makes the upstream retry instead of losing the change. (Yoga's publish() returns nothing to await.)
   */
  publishConfirmed<T extends TopicName>(topic: T, id: Topics[T][0], payload: Topics[T][1]): Promise<void>;
  /** Confirmed listener registrations per channel (live/listening.ts): what tests wait on before publishing. */
  listening: ListeningRegistry;
};

export interface PubSubHandle {
  pubsub: GatewayPubSub;
  /** The Redis connection for shared state (dedup, ordering), when REDIS_URL is set. */
  redis?: Redis;
  close(): Promise<void>;
}

export async function createGatewayPubSub(redisUrl?: string): Promise<PubSubHandle> {
  if (!redisUrl) {
    // Many subscribers of one topic are normal (a door team on one event); Node's default warns at 11 listeners.
    const memoryTarget = new EventTarget();
    setMaxListeners(0, memoryTarget);
    const { target: eventTarget, listening } = trackListening(memoryTarget);
    const base = createPubSub<Topics>({ eventTarget });
    const pubsub: GatewayPubSub = Object.assign(base, {
      listening,
      async publishConfirmed<T extends TopicName>(topic: T, id: Topics[T][0], payload: Topics[T][1]) {
        (base.publish as (t: string, i: string, p: unknown) => void)(topic, id, payload);
      },
    });
    return { pubsub, close: async () => {} };
  }
  const publishClient = new Redis(redisUrl, { lazyConnect: true, maxRetriesPerRequest: 3 });
  const subscribeClient = new Redis(redisUrl, { lazyConnect: true, maxRetriesPerRequest: 3 });
  await Promise.all([publishClient.connect(), subscribeClient.connect()]);
  // A second SUBSCRIBE to a channel is answered after the event target's own one: its reply confirms the listener.
  const { target: eventTarget, listening } = trackListening(createRedisEventTarget({ publishClient, subscribeClient }), (channel) =>
    subscribeClient.subscribe(channel),
  );
  const base = createPubSub<Topics>({ eventTarget });
  const pubsub: GatewayPubSub = Object.assign(base, {
    listening,
    // Same channel name (`${topic}:${id}`) and serializer (JSON) as Yoga's pubsub over the Redis event target, so
    // subscribers made with pubsub.subscribe() receive it; but awaited, unlike the event target's dispatchEvent.
    async publishConfirmed<T extends TopicName>(topic: T, id: Topics[T][0], payload: Topics[T][1]) {
      await publishClient.publish(`${topic}:${id}`, JSON.stringify(payload));
    },
  });
  return {
    pubsub,
    redis: publishClient,
    close: async () => {
      subscribeClient.disconnect();
      publishClient.disconnect();
    },
  };
}
