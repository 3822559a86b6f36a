/**
 * The outgoing webhook dispatcher (docs/upstream.md §1.8): every event a route emits is stamped like a Wix DomainEvent,
 * wrapped in the envelope `@wix/sdk` `webhooks.process` parses, signed RS256 as a compact JWT and POSTed to every
 * registered target, with retries. Faults (duplicates, delay, reordering) reproduce what a receiver must survive:
 * Wix delivers at least once and in no guaranteed order.
 */
import { randomUUID } from 'node:crypto';
import { SignJWT, type CryptoKey, type KeyObject } from 'jose';
import { Agent, request } from 'undici';
import type { DomainEvent } from '../wire/types.js';
import type { OutgoingEvent } from './tenant.js';

export interface WebhookFaults {
  /** 0..1: the probability that a delivery is made twice (the same event id both times, as a real duplicate). */
  duplicateRate?: number;
  /** A random extra delay, up to this many ms, before each delivery's first attempt. */
  delayMs?: number;
  /** Hold deliveries for `reorderWindowMs` (default 50) and send each window's batch in random order. */
  reorder?: boolean;
  reorderWindowMs?: number;
}

export interface WebhookDispatcher {
  /** Idempotent; a target receives every tenant's webhooks. */
  register(url: string): void;
  unregister(url: string): void;
  targets(): string[];
  /** Never throws, returns at once; delivery happens in the background. */
  emit(tenant: { instanceId: string; siteId: string }, event: OutgoingEvent): void;
  /** {} clears. */
  setFaults(f: WebhookFaults): void;
  /** Resolves when every queued delivery (including retries still pending) has succeeded or given up. */
  idle(): Promise<void>;
  stats(): { delivered: number; failed: number; retried: number; pending: number };
  stop(): Promise<void>;
}

export interface WebhookDispatcherOptions {
  privateKey: CryptoKey | KeyObject;
  /** Attempts per delivery, the first included (default 6). */
  maxAttempts?: number;
  /** Retry n waits baseBackoffMs * 2^(n-1) plus up to baseBackoffMs of jitter (default 100). */
  baseBackoffMs?: number;
  /** Per-attempt timeout; a target slower than this counts as a failed attempt (default 10000). */
  timeoutMs?: number;
  /**
   * Where every entity's entityEventSequence starts counting (default 0: the first event is "1"). The real upstream
   * never restarts a sequence; a sandbox that restarts at 1 would look stale to a receiver that remembers the last
   * one (a gateway keeps them a day in Redis), so the sandbox process passes a base taken from the clock.
   */
  sequenceBase?: bigint;
}

/** The app the sandbox's webhooks claim to come from (identity.appId); any fixed GUID does. */
export const SANDBOX_APP_ID = '5c1a0b3e-7d2f-4a6b-9e8c-0f1d2a3b4c5d';

export function createWebhookDispatcher(opts: WebhookDispatcherOptions): WebhookDispatcher {
  const maxAttempts = opts.maxAttempts ?? 6;
  const baseBackoffMs = opts.baseBackoffMs ?? 100;
  const timeoutMs = opts.timeoutMs ?? 10_000;
  const agent = new Agent({ keepAliveTimeout: 1_000, connections: 32 });
  const targets = new Set<string>();
  const sequences = new Map<string, bigint>();
  const timers = new Set<NodeJS.Timeout>();
  const inflight = new Set<AbortController>();
  const idleWaiters: Array<() => void> = [];
  const counts = { delivered: 0, failed: 0, retried: 0 };
  let faults: WebhookFaults = {};
  let pending = 0;
  let stopped = false;
  let stopping: Promise<void> | undefined;
  let reorderBuffer: Delivery[] = [];
  let reorderTimer: NodeJS.Timeout | undefined;
  // Signing is async; chaining it keeps first attempts in emit order when no fault says otherwise.
  let signed: Promise<unknown> = Promise.resolve();

  interface Delivery {
    url: string;
    jwt: string;
    attempt: number;
  }

  function later(ms: number, fn: () => void): void {
    const timer = setTimeout(() => {
      timers.delete(timer);
      fn();
    }, ms);
    timers.add(timer);
  }

  function settle(): void {
    pending--;
    if (pending === 0) idleWaiters.splice(0).forEach((resolve) => resolve());
  }

  function schedule(d: Delivery): void {
    if (stopped) return void attempt(d);
    if (faults.reorder) {
      reorderBuffer.push(d);
      if (!reorderTimer) {
        reorderTimer = setTimeout(() => {
          reorderTimer = undefined;
          const batch = shuffle(reorderBuffer);
          reorderBuffer = [];
          batch.forEach(startWithDelay);
        }, faults.reorderWindowMs ?? 50);
      }
      return;
    }
    startWithDelay(d);
  }

  function startWithDelay(d: Delivery): void {
    const delay = faults.delayMs ? Math.random() * faults.delayMs : 0;
    if (delay > 0) later(delay, () => void attempt(d));
    else void attempt(d);
  }

  async function attempt(d: Delivery): Promise<void> {
    if (stopped) {
      counts.failed++;
      return settle();
    }
    d.attempt++;
    const abort = new AbortController();
    inflight.add(abort);
    const timer = setTimeout(() => abort.abort(new Error(`webhook delivery timed out after ${timeoutMs} ms`)), timeoutMs);
    let ok = false;
    try {
      const res = await request(d.url, {
        method: 'POST',
        body: d.jwt,
        headers: { 'content-type': 'text/plain' },
        dispatcher: agent,
        signal: abort.signal,
      });
      await res.body.dump();
      ok = res.statusCode >= 200 && res.statusCode < 300;
    } catch {
      ok = false;
    } finally {
      clearTimeout(timer);
      inflight.delete(abort);
    }
    if (ok) {
      counts.delivered++;
      return settle();
    }
    if (stopped || d.attempt >= maxAttempts || !targets.has(d.url)) {
      counts.failed++;
      return settle();
    }
    counts.retried++;
    const backoff = baseBackoffMs * 2 ** (d.attempt - 1) + Math.random() * baseBackoffMs;
    later(backoff, () => void attempt(d));
  }

  return {
    register(url) {
      new URL(url); // a bad URL is the caller's bug: fail at registration, not at every delivery
      targets.add(url);
    },
    unregister(url) {
      targets.delete(url);
    },
    targets() {
      return [...targets];
    },
    emit(tenant, event) {
      try {
        // Sequence per entity (and tenant, as entity ids are only unique within a site), stamped at emit time so
        // it follows the order the changes happened in, whatever order the deliveries arrive in.
        const seqKey = `${tenant.instanceId}/${event.entityId}`;
        const seq = (sequences.get(seqKey) ?? opts.sequenceBase ?? 0n) + 1n;
        sequences.set(seqKey, seq);
        const domainEvent: DomainEvent = {
          id: randomUUID(),
          entityFqdn: event.entityFqdn,
          slug: event.slug,
          entityId: event.entityId,
          eventTime: new Date().toISOString(),
          triggeredByAnonymizeRequest: false,
          entityEventSequence: seq.toString(),
          ...pickBody(event),
        };
        const urls = [...targets];
        if (stopped || urls.length === 0) return;
        // Each target's copy, plus a second identical copy when the duplicate fault fires.
        const copies = urls.flatMap((url) => (faults.duplicateRate && Math.random() < faults.duplicateRate ? [url, url] : [url]));
        pending += copies.length;
        const envelope = {
          eventType: `${event.entityFqdn}_${event.slug}`,
          instanceId: tenant.instanceId,
          // The SDK JSON.parses both `data` and `identity`: they must be strings, not objects (§1.8).
          data: JSON.stringify(domainEvent),
          identity: JSON.stringify({ identityType: 'APP', appId: SANDBOX_APP_ID }),
          accountInfo: { siteId: tenant.siteId },
        };
        const jwt = signed.then(() => new SignJWT({ data: JSON.stringify(envelope) }).setProtectedHeader({ alg: 'RS256', typ: 'JWT' }).setIssuedAt().sign(opts.privateKey));
        signed = jwt.catch(() => undefined);
        jwt.then(
          (token) => copies.forEach((url) => schedule({ url, jwt: token, attempt: 0 })),
          () => {
            counts.failed += copies.length;
            copies.forEach(settle);
          },
        );
      } catch {
        // emit never throws into a route: a webhook problem must not fail the API call that caused it.
      }
    },
    setFaults(f) {
      faults = { ...f };
    },
    idle() {
      if (pending === 0) return Promise.resolve();
      return new Promise((resolve) => idleWaiters.push(resolve));
    },
    stats() {
      return { ...counts, pending };
    },
    stop() {
      stopping ??= shutdown();
      return stopping;
    },
  };

  async function shutdown(): Promise<void> {
    stopped = true;
    if (reorderTimer) clearTimeout(reorderTimer);
    const held = reorderBuffer.length + timers.size;
    reorderBuffer = [];
    timers.forEach(clearTimeout);
    timers.clear();
    for (let i = 0; i < held; i++) {
      counts.failed++;
      settle();
    }
    inflight.forEach((a) => a.abort(new Error('webhook dispatcher stopped')));
    await signed;
    await agent.close();
  }
}

// Private helpers.

/** Exactly the body field the route gave; the SDK reads entity / currentEntity / deletedEntity / body (§1.8). */
function pickBody(event: OutgoingEvent): Partial<DomainEvent> {
  if (event.createdEvent) return { createdEvent: event.createdEvent };
  if (event.updatedEvent) return { updatedEvent: event.updatedEvent };
  if (event.deletedEvent) return { deletedEvent: event.deletedEvent };
  if (event.actionEvent) return { actionEvent: event.actionEvent };
  return {};
}

function shuffle<T>(list: T[]): T[] {
  const out = [...list];
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(Math.random() * (i + 1));
    [out[i], out[j]] = [out[j]!, out[i]!];
  }
  return out;
}
