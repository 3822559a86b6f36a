/**
 * Site routing: every topic id starts with the site's webhook instanceId (docs/upstream.md §1.9), so one gateway serving
 * many sites delivers a webhook only to subscribers whose token belongs to that site.
 */
import type { GatewayContext } from '../context.js';

/** `${instanceId}:${key}`; keys never need escaping because subscribers only ever match whole ids. */
export function siteTopicId(instanceId: string, key: string): string {
  return `${instanceId}:${key}`;
}

/** The caller's instanceId, learned through token-info (cached per token in context.ts). */
export async function callerInstanceId(ctx: GatewayContext): Promise<string> {
  return (await ctx.site()).instanceId;
}
