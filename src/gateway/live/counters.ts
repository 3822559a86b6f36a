/**
 * Exact live check-in counters. A counter never adds webhook deltas: webhooks arrive twice, late and out of order,
 * and adding them would show counts the upstream never had. A webhook only says "this event's count may have
 * moved"; the counter then re-reads the count from the upstream, so every message is a count the upstream really
 * had, and the read that follows the last webhook is the upstream's final truth.
 *
 * One hub per gateway process holds one entry per (site, event) with subscribers. Re-reads are
 *  - coalesced: at most one per entry per COUNTER_COALESCE_MS (leading edge: a lone change is shown at once, a
 *    burst costs one read per window plus one after it);
 *  - shared: one read serves every subscriber of that event on this replica;
 *  - serialized per entry: a read never overlaps another, and one that starts while a read is in flight waits for
 *    it, so its answer is newer.
 * Each subscriber's first message is its own read, with its own credentials (that is also the authorization check);
 * later reads use a current subscriber's credentials for the same site. Messages are numbered by the order their
 * reads started and a subscriber drops one older than what it has shown, and repeats of the same count.
 */
import { Repeater } from 'graphql-yoga';
import type { GatewayServices } from '../context.js';
import type { GatewayPubSub } from '../pubsub.js';
import type { Upstream } from '../upstream/index.js';
import { siteTopicId, subscribeOnSite } from './site.js';
import { pageSource, pages } from '../upstream/query.js';
import { LIMITS } from '../../wire/paths.js';
import type { Rsvp } from '../../wire/types.js';

export interface CheckInCount {
  eventId: string;
  /** Guests checked in: the sum of checkedInGuestCount over the event's RSVPs. */
  checkedIn: number;
  /** When the upstream answered the read this count comes from. */
  asOf: string;
}

export interface CounterHub {
  /** The first message is the count read now with `upstream`; then one per change of the count. */
  subscribe(instanceId: string, eventId: string, upstream: Upstream): AsyncIterableIterator<CheckInCount>;
  /** Re-reads made so far (for benchmarks and tests): initial reads and shared re-reads. */
  readonly stats: { initialReads: number; sharedReads: number };
}

export interface CounterHubOptions {
  pubsub: GatewayPubSub;
  coalesceMs: number;
  onError?: (message: string) => void;
}

const hubs = new WeakMap<GatewayServices, CounterHub>();

/** The gateway's hub, created on first use (one per createGateway, never shared between gateways). */
export function counterHubFor(services: GatewayServices): CounterHub {
  let hub = hubs.get(services);
  if (!hub) {
    hub = createCounterHub({ pubsub: services.pubsub, coalesceMs: services.config.counterCoalesceMs });
    hubs.set(services, hub);
  }
  return hub;
}

/** Sum checkedInGuestCount over every RSVP of the event (DETAILS carries the counters, docs/upstream.md §5.2). */
export async function readCheckInCount(upstream: Upstream, eventId: string): Promise<number> {
  const src = pageSource<Rsvp>('cursor', LIMITS.rsvpQueryMax, async (q) => {
    const r = await upstream.rsvps.query(q, ['DETAILS']);
    return { items: r.rsvps, meta: r.pagingMetadata };
  });
  let total = 0;
  for await (const page of pages(src, { filter: { eventId } })) for (const rsvp of page.items) total += rsvp.checkedInGuestCount ?? 0;
  return total;
}

export function createCounterHub(options: CounterHubOptions): CounterHub {
  const { pubsub, coalesceMs } = options;
  const entries = new Map<string, Entry>();
  const stats = { initialReads: 0, sharedReads: 0 };

  function acquire(instanceId: string, eventId: string): Entry {
    const key = siteTopicId(instanceId, eventId);
    let entry = entries.get(key);
    if (entry) return entry;
    // Also the site-wide id: a deletion whose event the gateway does not know makes every counter of the site re-read.
    const signals = subscribeOnSite(pubsub, 'checkIns:changed', instanceId, eventId);
    const created: Entry = { key, eventId, subs: new Set(), reading: false, pending: false, lastReadStart: 0, readSeq: 0, failures: 0, signals };
    entry = created;
    entries.set(key, entry);
    void (async () => {
      for await (const _signal of signals) invalidate(created);
    })().catch((err) => options.onError?.(`counter signals for ${key} stopped: ${String(err)}`));
    return entry;
  }

  function release(entry: Entry, sub: Subscriber): void {
    entry.subs.delete(sub);
    if (entry.subs.size > 0) return;
    if (entry.timer) clearTimeout(entry.timer);
    entry.timer = undefined;
    void entry.signals.return?.();
    entries.delete(entry.key);
  }

  function invalidate(entry: Entry): void {
    entry.failures = 0;
    schedule(entry);
  }

  function schedule(entry: Entry): void {
    if (entries.get(entry.key) !== entry) return;
    if (entry.reading) {
      entry.pending = true;
      return;
    }
    if (entry.timer) return;
    const wait = Math.max(0, entry.lastReadStart + coalesceMs - Date.now());
    entry.timer = setTimeout(() => void read(entry), wait);
    entry.timer.unref?.();
  }

  async function read(entry: Entry): Promise<void> {
    entry.timer = undefined;
    const reader = [...entry.subs].at(-1);
    if (!reader) return;
    entry.reading = true;
    entry.pending = false;
    entry.lastReadStart = Date.now();
    const seq = ++entry.readSeq;
    stats.sharedReads++;
    try {
      const count = await readCheckInCount(reader.upstream, entry.eventId);
      const asOf = new Date().toISOString();
      for (const sub of entry.subs) sub.deliver(seq, count, asOf);
    } catch (err) {
      // Retry a few times (a subscriber may have just lost access); after that wait for the next webhook.
      if (++entry.failures <= 3) entry.pending = true;
      options.onError?.(`check-in count re-read for ${entry.key} failed: ${err instanceof Error ? err.message : String(err)}`);
    } finally {
      entry.reading = false;
      if (entry.pending) schedule(entry);
    }
  }

  return {
    stats,
    subscribe(instanceId, eventId, upstream) {
      return new Repeater<CheckInCount>(async (push, stop) => {
        const entry = acquire(instanceId, eventId);
        let shownSeq = -1;
        let shownCount: number | undefined;
        const sub: Subscriber = {
          upstream,
          deliver(seq, count, asOf) {
            if (seq <= shownSeq) return;
            shownSeq = seq;
            if (count === shownCount) return;
            shownCount = count;
            void push({ eventId, checkedIn: count, asOf });
          },
        };
        // Listen before the first read, so a change during that read is not missed.
        entry.subs.add(sub);
        const seq = ++entry.readSeq;
        stats.initialReads++;
        try {
          sub.deliver(seq, await readCheckInCount(upstream, eventId), new Date().toISOString());
        } catch (err) {
          release(entry, sub);
          stop(err);
          return;
        }
        await stop;
        release(entry, sub);
      });
    },
  };
}

// Private types

interface Subscriber {
  upstream: Upstream;
  deliver(seq: number, count: number, asOf: string): void;
}

interface Entry {
  key: string;
  eventId: string;
  subs: Set<Subscriber>;
  reading: boolean;
  /** A change arrived while a read was in flight or the last read failed: read again after it. */
  pending: boolean;
  lastReadStart: number;
  /** Order in which reads started, initial ones included. */
  readSeq: number;
  failures: number;
  timer?: ReturnType<typeof setTimeout>;
  signals: AsyncIterableIterator<unknown>;
}
