/**
 * POST /webhooks/wix as a Yoga plugin in onRequest: verify, de-duplicate and order, publish, then end the response
 * (ARCHITECTURE.md convention 7). Answers:
 *   503 no public key configured · 413 body over WEBHOOK_MAX_BYTES (Content-Length or streamed) · 400 malformed
 *   401 bad signature · 202 unknown event type (ignored) · 200 published, duplicate or stale · 500 publish failed
 *   503 + Retry-After the same webhook id is being published by another delivery that has not finished (store.ts).
 * Only a 200 "published" has published anything, and it is sent only after the publish is confirmed, so the
 * upstream retries anything the gateway did not deliver.
 */
import { randomUUID } from 'node:crypto';
import type { Plugin, YogaLogger } from 'graphql-yoga';
import type { GatewayConfig } from '../config.js';
import type { GatewayPubSub } from '../pubsub.js';
import { LIVE_INVALIDATION_ID, liveKeysForWebhook } from '../live/live-queries.js';
import { createMemoryParentStore, type ParentStore } from './parents.js';
import { isKnownEventType, parentFromBody, parentKindOf, publicationsFor, publishAll } from './publications.js';
import { createMemoryWebhookStore, createRedisWebhookStore, type WebhookStore } from './store.js';
import type { Redis } from 'ioredis';
import { createWebhookVerifier, WebhookRejection, type WebhookVerifier } from './verify.js';

export const WEBHOOK_PATH = '/webhooks/wix';

export interface WebhookReceiverOptions {
  config: Pick<GatewayConfig, 'webhookPublicKeys' | 'webhookMaxBytes' | 'webhookDedupTtlSeconds'>;
  pubsub: GatewayPubSub;
  /** Dedup/order state: Redis when the gateway has a Redis connection (many replicas), else this process's memory. */
  redis?: Redis;
  /**
   * Told each webhook's outcome (metrics): accepted (published), duplicate, stale, ignored (unknown type), rejected
   * (4xx/503: unverified, so its type is "unknown"), failed (500).
   */
  onOutcome?: (type: string, outcome: 'accepted' | 'duplicate' | 'busy' | 'stale' | 'ignored' | 'rejected' | 'failed') => void;
  /** Parents of entities, for deletions that carry only the id; absent = this receiver's own memory. */
  parents?: ParentStore;
}

export type WebhookOutcome = 'published' | 'duplicate' | 'busy' | 'stale' | 'ignored';

export function useWixWebhooks(options: WebhookReceiverOptions): Plugin {
  const { config, pubsub } = options;
  const store: WebhookStore = options.redis
    ? createRedisWebhookStore(options.redis, config.webhookDedupTtlSeconds)
    : createMemoryWebhookStore(config.webhookDedupTtlSeconds);
  const parents = options.parents ?? createMemoryParentStore(config.webhookDedupTtlSeconds);
  let verifier: Promise<WebhookVerifier> | undefined;
  let logger: YogaLogger | undefined;
  return {
    onYogaInit({ yoga }) {
      logger = yoga.logger;
    },
    async onRequest({ request, url, endResponse, fetchAPI }) {
      let type = 'unknown';
      const json = (status: number, body: unknown, headers: Record<string, string> = {}) =>
        new fetchAPI.Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json', ...headers } });
      if (url.pathname !== WEBHOOK_PATH) return;
      if (request.method !== 'POST') {
        endResponse(json(405, { error: 'METHOD_NOT_ALLOWED', message: 'POST a signed webhook JWT' }, { allow: 'POST' }));
        return;
      }
      try {
        if (config.webhookPublicKeys.length === 0) {
          throw new WebhookRejection(503, 'no webhook public key configured (WIX_WEBHOOK_PUBLIC_KEY)');
        }
        verifier ??= createWebhookVerifier(config.webhookPublicKeys);
        const body = await readLimited(request, config.webhookMaxBytes);
        const hook = await (await verifier)(body);
        type = hook.envelope.eventType;
        if (!isKnownEventType(hook.envelope.eventType)) {
          options.onOutcome?.(type, 'ignored');
          endResponse(json(202, { outcome: 'ignored' satisfies WebhookOutcome, eventType: hook.envelope.eventType }));
          return;
        }
        const outcome = await deliver(hook, store, pubsub, parents);
        options.onOutcome?.(type, outcome === 'published' ? 'accepted' : outcome);
        if (outcome === 'busy') {
          endResponse(json(503, { error: 'IN_PROGRESS', outcome, message: 'This webhook id is being published by another delivery; retry later.' }, { 'retry-after': '1' }));
          return;
        }
        endResponse(json(200, { outcome }));
      } catch (err) {
        if (err instanceof WebhookRejection) {
          options.onOutcome?.(type, 'rejected');
          endResponse(json(err.status, { error: codeFor(err.status), message: err.reason }));
          return;
        }
        options.onOutcome?.(type, 'failed');
        logger?.error('webhook not published; the upstream will retry', err instanceof Error ? err.message : err);
        endResponse(json(500, { error: 'PUBLISH_FAILED', message: 'Webhook not delivered; retry later.' }));
      }
    },
  };
}

/** De-duplicate, order, publish, remember: the id is remembered only once the publish is confirmed. */
export async function deliver(
  hook: Awaited<ReturnType<WebhookVerifier>>,
  store: WebhookStore,
  pubsub: GatewayPubSub,
  parents: ParentStore = createMemoryParentStore(60),
): Promise<WebhookOutcome> {
  const { event, envelope } = hook;
  // Ids are scoped to the site: nothing promises they are unique across sites.
  const id = `${envelope.instanceId}:${event.id}`;
  // This delivery's own claim: a claim command run twice (a lost answer, resent) still counts as ours.
  const token = randomUUID();
  const claim = await store.claim(id, token);
  if (claim !== 'claimed') return claim;
  try {
    const seq = event.entityEventSequence;
    if (seq !== undefined && seq !== null && seq !== '') {
      const fresh = await store.advance(`${envelope.instanceId}:${event.entityFqdn}:${event.entityId}`, String(seq));
      if (!fresh) {
        await store.commit(id);
        return 'stale';
      }
    }
    // Learn the parent the body names (before the ordering check would matter: a stale update still says it), or
    // recall it for a deletion that carries only the id.
    const named = parentFromBody(hook);
    if (named) parents.remember([named]);
    const kind = parentKindOf(envelope.eventType);
    const known = named?.parent ?? (kind ? await parents.recall(kind, event.entityId) : undefined);
    const liveKeys = liveKeysForWebhook(hook);
    // One atomic append per webhook, tagged with its id: all its publications or none, and never twice per replica.
    await publishAll(
      pubsub,
      [
        ...publicationsFor(hook, known),
        ...(liveKeys.length ? [{ topic: 'live:invalidate' as const, id: LIVE_INVALIDATION_ID, payload: { keys: liveKeys } }] : []),
      ],
      id,
    );
    await store.commit(id);
    return 'published';
  } catch (err) {
    await store.release(id, token).catch(() => {});
    throw err;
  }
}

// Private helpers

/** Content-Length first (cheap), then the streamed size, since a chunked body has no Content-Length. */
async function readLimited(request: Request, maxBytes: number): Promise<string> {
  const declared = Number(request.headers.get('content-length') ?? NaN);
  if (Number.isFinite(declared) && declared > maxBytes) throw new WebhookRejection(413, `body larger than ${maxBytes} bytes`);
  if (!request.body) throw new WebhookRejection(400, 'empty body');
  const chunks: Uint8Array[] = [];
  let size = 0;
  const reader = request.body.getReader();
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > maxBytes) {
      await reader.cancel().catch(() => {});
      throw new WebhookRejection(413, `body larger than ${maxBytes} bytes`);
    }
    chunks.push(value);
  }
  if (size === 0) throw new WebhookRejection(400, 'empty body');
  return Buffer.concat(chunks).toString('utf8');
}

function codeFor(status: number): string {
  return { 400: 'BAD_WEBHOOK', 401: 'BAD_SIGNATURE', 413: 'PAYLOAD_TOO_LARGE', 503: 'WEBHOOKS_NOT_CONFIGURED' }[status] ?? 'ERROR';
}
