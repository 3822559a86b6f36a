/**
 * One typed topic map for every live feed, in memory by default or over Redis (Yoga's Redis event target) when
 * REDIS_URL is set, so a webhook received by one replica reaches subscribers on all of them.
 * Topic ids carry the site (webhook instanceId), so a subscriber only ever hears its own site's changes.
 */
import { createRedisEventTarget } from '@graphql-yoga/redis-event-target';
import { createPubSub } from 'graphql-yoga';
import { Redis } from 'ioredis';

/** topic -> [id, payload]; the live-graph work (issue 5) fills in the payload types. */
export type Topics = Record<string, [string, unknown]>;

export type GatewayPubSub = ReturnType<typeof createPubSub<Topics>>;

export interface PubSubHandle {
  pubsub: GatewayPubSub;
  /** The Redis connection for shared state (dedup, ordering), when REDIS_URL is set. */
  redis?: Redis;
  close(): Promise<void>;
}

export async function createGatewayPubSub(redisUrl?: string): Promise<PubSubHandle> {
  if (!redisUrl) return { pubsub: createPubSub<Topics>(), close: async () => {} };
  const publishClient = new Redis(redisUrl, { lazyConnect: true, maxRetriesPerRequest: 3 });
  const subscribeClient = new Redis(redisUrl, { lazyConnect: true, maxRetriesPerRequest: 3 });
  await Promise.all([publishClient.connect(), subscribeClient.connect()]);
  const pubsub = createPubSub<Topics>({ eventTarget: createRedisEventTarget({ publishClient, subscribeClient }) });
  return {
    pubsub,
    redis: publishClient,
    close: async () => {
      subscribeClient.disconnect();
      publishClient.disconnect();
    },
  };
}
