/**
 * Site routing: every topic id starts with the site's webhook instanceId (docs/upstream.md §1.9), so one gateway serving
 * many sites delivers a webhook only to subscribers whose token belongs to that site.
 */
import { Repeater } from 'graphql-yoga';
import type { GatewayContext } from '../context.js';
import type { GatewayPubSub, TopicName, Topics } from '../pubsub.js';

/** `${instanceId}:${key}`; keys never need escaping because subscribers only ever match whole ids. */
export function siteTopicId(instanceId: string, key: string): string {
  return `${instanceId}:${key}`;
}

/**
 * The topic id every subscriber of a kind on the site also listens to: a deletion webhook whose parent the gateway
 * does not know goes there (webhooks/publications.ts). `*` is never an entity id.
 */
export function siteWideTopicId(instanceId: string): string {
  return `${instanceId}:*`;
}

/** The caller's instanceId, learned through token-info (cached per token in context.ts). */
export async function callerInstanceId(ctx: GatewayContext): Promise<string> {
  return (await ctx.site()).instanceId;
}

/** A topic of one key on the site, merged with the site-wide id of the same topic (deletions of unknown parent). */
export function subscribeOnSite<T extends TopicName>(pubsub: GatewayPubSub, topic: T, instanceId: string, key: string): AsyncIterableIterator<Topics[T][1]> {
  const sub = pubsub.subscribe as (t: string, id: string) => AsyncIterableIterator<Topics[T][1]>;
  return Repeater.merge([sub(topic, siteTopicId(instanceId, key)), sub(topic, siteWideTopicId(instanceId))]) as AsyncIterableIterator<Topics[T][1]>;
}
