/**
 * POST /webhooks/wix: verify, de-duplicate and order, publish, then answer (ARCHITECTURE.md convention 7), on the
 * gateway's node:http server ahead of Yoga (handleNode) or as a Yoga plugin in onRequest. Answers:
 *   503 no public key configured · 413 body over WEBHOOK_MAX_BYTES (Content-Length or streamed) · 400 malformed
 *   401 bad signature · 202 unknown event type (ignored) · 200 published, duplicate or stale · 500 publish failed
 *   503 + Retry-After the same webhook id is being published by another delivery that has not finished (store.ts).
 * Only a 200 "published" has published anything, and it is sent only after the publish is confirmed, so the
 * upstream retries anything the gateway did not deliver.
 */
import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Plugin, YogaLogger } from 'graphql-yoga';
import type { GatewayConfig } from '../config.js';
import type { GatewayPubSub, StreamTarget } from '../pubsub.js';
import { requestIdFrom } from '../security.js';
import { LIVE_INVALIDATION_ID, liveKeysForWebhook } from '../live/live-queries.js';
import { createMemoryParentStore, type ParentEntry, type ParentStore } from './parents.js';
import { isKnownEventType, parentFromBody, parentKindOf, publicationsFor, publishAll, type Publication } from './publications.js';
import { createMemoryWebhookStore, createRedisWebhookStore, type DeliveryResult, type WebhookStore } from './store.js';
import type { Redis } from 'ioredis';
import { createSyncWebhookVerifier, WebhookRejection, type VerifiedWebhook } from './verify.js';
import { readCapped } from '../read-body.js';

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
  /**
   * The pubsub's Redis stream (PubSubHandle.stream), with `redis` its connection: each webhook is then de-duplicated,
   * ordered and appended in one atomic round trip. Absent: claim, advance, pubsub.publishAll, commit.
   */
  stream?: StreamTarget;
  /** Where a failed publish is logged; default Yoga's logger once the plugin is installed. */
  logger?: Pick<YogaLogger, 'error'>;
}

export type WebhookOutcome = 'published' | 'duplicate' | 'busy' | 'stale' | 'ignored';

/** One answer of POST /webhooks/wix, whichever server carried the request. */
export interface WebhookAnswer {
  status: number;
  body: Record<string, unknown>;
  headers?: Record<string, string>;
}

export interface WebhookReceiver {
  /** Verify, de-duplicate, order, publish: `read` yields the body, refusing one over WEBHOOK_MAX_BYTES with 413. */
  answer(read: () => Promise<string>): Promise<WebhookAnswer>;
  /** The route on a plain node:http server, ahead of Yoga (gateway.ts): no Fetch API Request/Response per webhook. */
  handleNode(req: IncomingMessage, res: ServerResponse): void;
  /** The same route as a Yoga plugin (onRequest), for a Yoga without gateway.ts's server (tests, yoga.fetch). */
  plugin: Plugin;
}

export function useWixWebhooks(options: WebhookReceiverOptions): Plugin {
  return createWebhookReceiver(options).plugin;
}

export function createWebhookReceiver(options: WebhookReceiverOptions): WebhookReceiver {
  const { config, pubsub, onOutcome } = options;
  const sharedParents = options.parents ?? createMemoryParentStore(config.webhookDedupTtlSeconds);
  // The atomic path needs the store and the stream on the same Redis connection (gateway.ts passes both).
  const stream = options.redis && options.stream ? options.stream : undefined;
  // With the atomic path the store sends a turn's webhooks as one pipeline; the parents they name are held until
  // then and sent (one pipeline too) just ahead of it, instead of one Redis write per webhook.
  const parents = stream ? deferredParents(sharedParents) : undefined;
  const store: WebhookStore = options.redis
    ? createRedisWebhookStore(options.redis, config.webhookDedupTtlSeconds, { beforeSend: parents?.flush })
    : createMemoryWebhookStore(config.webhookDedupTtlSeconds);
  let verify: ((jwt: string | Buffer) => VerifiedWebhook) | undefined;
  let logger: Pick<YogaLogger, 'error'> | undefined = options.logger;

  /** Everything after the body is read; refusals and failures become answers, never rejections. */
  const answerBody = async (body: string | Buffer): Promise<WebhookAnswer> => {
    let type = 'unknown';
    try {
      if (config.webhookPublicKeys.length === 0) {
        throw new WebhookRejection(503, 'no webhook public key configured (WIX_WEBHOOK_PUBLIC_KEY)');
      }
      verify ??= createSyncWebhookVerifier(config.webhookPublicKeys);
      const hook = verify(body);
      type = hook.envelope.eventType;
      if (!isKnownEventType(type)) {
        onOutcome?.(type, 'ignored');
        return { status: 202, body: { outcome: 'ignored' satisfies WebhookOutcome, eventType: type } };
      }
      const outcome = await deliver(hook, store, pubsub, parents ?? sharedParents, stream);
      onOutcome?.(type, outcome === 'published' ? 'accepted' : outcome);
      return ANSWERS[outcome];
    } catch (err) {
      return failed(type, err);
    }
  };

  const failed = (type: string, err: unknown): WebhookAnswer => {
    if (err instanceof WebhookRejection) {
      onOutcome?.(type, 'rejected');
      return { status: err.status, body: { error: codeFor(err.status), message: err.reason } };
    }
    onOutcome?.(type, 'failed');
    logger?.error('webhook not published; the upstream will retry', err instanceof Error ? err.message : err);
    return { status: 500, body: { error: 'PUBLISH_FAILED', message: 'Webhook not delivered; retry later.' } };
  };

  const answer = (read: () => Promise<string>): Promise<WebhookAnswer> =>
    config.webhookPublicKeys.length === 0
      ? answerBody('')
      : read().then(answerBody, (err: unknown) => failed('unknown', err));

  const plugin: Plugin = {
    onYogaInit({ yoga }) {
      logger ??= yoga.logger;
    },
    // Not an async function: every request yoga.fetch handles passes here, and only webhooks need a promise.
    onRequest({ request, url, endResponse, fetchAPI }) {
      if (url.pathname !== WEBHOOK_PATH) return undefined;
      const reply = (a: WebhookAnswer) =>
        endResponse(new fetchAPI.Response(jsonOf(a), { status: a.status, headers: { 'content-type': 'application/json', ...a.headers } }));
      if (request.method !== 'POST') return reply(METHOD_NOT_ALLOWED);
      return answer(() => readLimited(request, config.webhookMaxBytes)).then(reply);
    },
  };

  const handleNode = (req: IncomingMessage, res: ServerResponse) => {
    if (req.method !== 'POST') return writeAnswer(req, res, METHOD_NOT_ALLOWED, false);
    if (config.webhookPublicKeys.length === 0) return void answerBody('').then((a) => writeAnswer(req, res, a, false));
    readNodeBody(req, config.webhookMaxBytes, (err, body) => {
      if (body) return void answerBody(body).then((a) => writeAnswer(req, res, a, false));
      // A body refused unread (413): the rest of it is not drained, the connection goes.
      writeAnswer(req, res, failed('unknown', err), err instanceof WebhookRejection && err.status === 413);
    });
  };

  return { answer, handleNode, plugin };
}

/**
 * De-duplicate, order, publish, remember: the id is remembered only once the publish is confirmed. With `stream`
 * (Redis) all of it is one atomic script, one round trip (store.ts deliverOnce); else claim, advance, append and
 * commit one after another.
 */
export async function deliver(
  hook: VerifiedWebhook,
  store: WebhookStore,
  pubsub: GatewayPubSub,
  parents: ParentStore = createMemoryParentStore(60),
  stream?: StreamTarget,
): Promise<DeliveryResult> {
  const { event, envelope } = hook;
  // Ids are scoped to the site: nothing promises they are unique across sites.
  const id = `${envelope.instanceId}:${event.id}`;
  const seq = event.entityEventSequence;
  const order = seq !== undefined && seq !== null && seq !== '' ? { entityKey: `${envelope.instanceId}:${event.entityFqdn}:${event.entityId}`, sequence: String(seq) } : undefined;
  if (stream && store.deliverOnce) {
    // Publications first (a parent recall may need Redis), then the one atomic step; a duplicate's are dropped.
    const publications = await publicationsOf(hook, parents);
    const entry = publications.length ? { key: stream.key, maxLen: stream.maxLen, dedupId: id, body: stream.body(publications, id) } : undefined;
    return store.deliverOnce(id, order, entry);
  }
  // This delivery's own claim: a claim command run twice (a lost answer, resent) still counts as ours.
  const token = randomUUID();
  const claim = await store.claim(id, token);
  if (claim !== 'claimed') return claim;
  try {
    if (order && !(await store.advance(order.entityKey, order.sequence))) {
      await store.commit(id);
      return 'stale';
    }
    // One atomic append per webhook, tagged with its id: all its publications or none, and never twice per replica.
    await publishAll(pubsub, await publicationsOf(hook, parents), id);
    await store.commit(id);
    return 'published';
  } catch (err) {
    await store.release(id, token).catch(() => {});
    throw err;
  }
}

// Private helpers

/** The answers of a delivered webhook, the same every time: their JSON is made once. */
const ANSWERS: Record<DeliveryResult, WebhookAnswer> = {
  published: { status: 200, body: { outcome: 'published' } },
  duplicate: { status: 200, body: { outcome: 'duplicate' } },
  stale: { status: 200, body: { outcome: 'stale' } },
  busy: {
    status: 503,
    body: { error: 'IN_PROGRESS', outcome: 'busy', message: 'This webhook id is being published by another delivery; retry later.' },
    headers: { 'retry-after': '1' },
  },
};
const jsonCache = new WeakMap<WebhookAnswer, string>(Object.values(ANSWERS).map((a) => [a, JSON.stringify(a.body)]));

function jsonOf(a: WebhookAnswer): string {
  return jsonCache.get(a) ?? JSON.stringify(a.body);
}

function writeAnswer(req: IncomingMessage, res: ServerResponse, a: WebhookAnswer, close: boolean): void {
  if (res.destroyed) return;
  const json = jsonOf(a);
  const headers: Record<string, string | number> = {
    'content-type': 'application/json',
    'content-length': Buffer.byteLength(json),
    'x-request-id': requestIdFrom(req.headers['x-request-id']),
  };
  if (a.headers) Object.assign(headers, a.headers);
  if (close) headers.connection = 'close';
  res.writeHead(a.status, headers);
  res.end(json);
}

/**
 * A parent store whose remember() waits until flush(): the Redis webhook store calls flush just before it sends the
 * turn's deliveries (beforeSend), so each turn's parents are one Redis write. A recall first flushes what is held,
 * so it sees every parent learned before it, as without the wait.
 */
function deferredParents(parents: ParentStore): ParentStore & { flush: () => void } {
  let held: ParentEntry[] = [];
  const flush = () => {
    if (held.length === 0) return;
    const entries = held;
    held = [];
    parents.remember(entries);
  };
  return {
    flush,
    remember(entries) {
      // Should no delivery follow in this turn (the webhook failed after learning), these parents still go, a turn
      // later (an immediate of this turn would run before the store's, queued after it, and write them apart), and
      // only if the store has not sent them meanwhile (not the next turn's, which its own store send will carry).
      if (held.length === 0) {
        const these = held;
        setImmediate(() => setImmediate(() => these === held && flush()));
      }
      held.push(...entries);
    },
    rememberRows(kind, rows) {
      flush();
      parents.rememberRows(kind, rows);
    },
    recall(kind, id) {
      flush();
      return parents.recall(kind, id);
    },
  };
}

const METHOD_NOT_ALLOWED: WebhookAnswer = {
  status: 405,
  body: { error: 'METHOD_NOT_ALLOWED', message: 'POST a signed webhook JWT' },
  headers: { allow: 'POST' },
};

/** Everything one webhook publishes: its topics, and the @live query keys it invalidates. */
async function publicationsOf(hook: VerifiedWebhook, parents: ParentStore): Promise<Publication[]> {
  const { event, envelope } = hook;
  // Learn the parent the body names, or recall it for a deletion that carries only the id.
  const named = parentFromBody(hook);
  if (named) parents.remember([named]);
  const kind = parentKindOf(envelope.eventType);
  const known = named?.parent ?? (kind ? await parents.recall(kind, event.entityId) : undefined);
  const liveKeys = liveKeysForWebhook(hook);
  return [
    ...publicationsFor(hook, known),
    ...(liveKeys.length ? [{ topic: 'live:invalidate' as const, id: LIVE_INVALIDATION_ID, payload: { keys: liveKeys } }] : []),
  ];
}

/**
 * readLimited for a node:http request: the declared length first, then the bytes as they arrive; `done` is called
 * once, with the body's bytes or the refusal. Listeners rather than a promise: this runs for every webhook.
 */
function readNodeBody(req: IncomingMessage, maxBytes: number, done: (err: unknown, body?: Buffer) => void): void {
  const declared = Number(req.headers['content-length'] ?? NaN);
  if (Number.isFinite(declared) && declared > maxBytes) return done(new WebhookRejection(413, `body larger than ${maxBytes} bytes`));
  let first: Buffer | undefined;
  let more: Buffer[] | undefined;
  let size = 0;
  let finished = false;
  const finish = (err: unknown, body?: Buffer) => {
    if (finished) return;
    finished = true;
    done(err, body);
  };
  const onData = (chunk: Buffer) => {
    size += chunk.byteLength;
    if (size > maxBytes) {
      req.off('data', onData);
      req.pause();
      return finish(new WebhookRejection(413, `body larger than ${maxBytes} bytes`));
    }
    if (!first) first = chunk;
    else (more ??= [first]).push(chunk);
  };
  req.on('data', onData);
  req.on('error', finish);
  req.on('end', () => {
    if (size === 0) finish(new WebhookRejection(400, 'empty body'));
    else finish(null, more ? Buffer.concat(more) : first);
  });
}

/** Content-Length first (cheap), then the streamed size, since a chunked body has no Content-Length. */
async function readLimited(request: Request, maxBytes: number): Promise<string> {
  const declared = Number(request.headers.get('content-length') ?? NaN);
  if (Number.isFinite(declared) && declared > maxBytes) throw new WebhookRejection(413, `body larger than ${maxBytes} bytes`);
  if (!request.body) throw new WebhookRejection(400, 'empty body');
  const body = await readCapped(request.body, maxBytes, () => new WebhookRejection(413, `body larger than ${maxBytes} bytes`));
  if (body.length === 0) throw new WebhookRejection(400, 'empty body');
  return body.toString('utf8');
}

function codeFor(status: number): string {
  return { 400: 'BAD_WEBHOOK', 401: 'BAD_SIGNATURE', 413: 'PAYLOAD_TOO_LARGE', 503: 'WEBHOOKS_NOT_CONFIGURED' }[status] ?? 'ERROR';
}
