/**
 * What the gateway remembers of each entity's parent, so a deletion webhook that carries only `entityId` (seed 004's
 * RSVP Deleted example, seed 002's participation one: docs/fidelity.md) still reaches the subscribers of the right
 * event or session. Learned from every upstream answer that lists entities (reads, the gateway's own writes) and
 * from created/updated webhooks; kept for the webhook de-duplication TTL, in Redis when the gateway has one (so a
 * deletion received by another replica routes the same) and in process memory otherwise.
 *
 * Keys are the entity id without the site: ids are GUIDs, and a publication's topic always carries the webhook's
 * own instanceId, so even a wrong parent could only misroute within that site, never leak to another.
 */
import type { Redis } from 'ioredis';
import type { Attendance, EventGuest, Participation, Rsvp } from '../../wire/types.js';

export type ParentKind = 'rsvp' | 'guest' | 'participation' | 'attendance';

/** eventId: the Wix Events event (rsvp, guest); sessionId / scheduleId: the calendar session and its schedule. */
export interface Parent {
  eventId?: string;
  sessionId?: string;
  scheduleId?: string;
}

export interface ParentEntry {
  kind: ParentKind;
  id: string;
  parent: Parent;
}

export interface ParentStore {
  /** Never throws: learning is best effort, and a read must not fail because Redis is slow. */
  remember(entries: ParentEntry[]): void;
  /**
   * remember() for the entities of one kind an upstream answer lists, read from the rows themselves: a read of a
   * thousand guests already known allocates nothing (no entry per row), it only renews their expiry.
   */
  rememberRows(kind: ParentKind, rows: readonly unknown[]): void;
  recall(kind: ParentKind, id: string): Promise<Parent | undefined>;
}

/** The parents an upstream response body names, whatever list or single entity it carries. */
export function parentsIn(body: unknown): ParentEntry[] {
  if (!body || typeof body !== 'object') return [];
  const b = body as Record<string, unknown>;
  const out: ParentEntry[] = [];
  const each = (value: unknown, fn: (x: any) => ParentEntry | undefined) => {
    const list = Array.isArray(value) ? value : value && typeof value === 'object' ? [value] : [];
    for (const item of list) {
      const entry = item && typeof item === 'object' ? fn(item) : undefined;
      if (entry) out.push(entry);
    }
  };
  each(b.rsvps ?? b.rsvp, rsvpParent);
  each(b.guests ?? b.guest, guestParent);
  each(b.participations ?? b.participation, participationParent);
  each(b.attendances ?? b.attendance, attendanceParent);
  // Bulk answers (attendance bulk set, RSVP bulk update) wrap each entity in results[].item.
  if (Array.isArray(b.results)) for (const r of b.results) if (r && typeof r === 'object' && 'item' in r) out.push(...parentsIn({ ...wrapItem((r as any).item) }));
  return out;
}

export function rsvpParent(r: Rsvp): ParentEntry | undefined {
  return r.id && r.eventId ? { kind: 'rsvp', id: r.id, parent: { eventId: r.eventId } } : undefined;
}
export function guestParent(g: EventGuest): ParentEntry | undefined {
  return g.id && g.eventId ? { kind: 'guest', id: g.id, parent: { eventId: g.eventId } } : undefined;
}
export function participationParent(p: Participation): ParentEntry | undefined {
  if (!p.id || (!p.eventId && !p.scheduleId)) return undefined;
  return { kind: 'participation', id: p.id, parent: { ...(p.eventId ? { sessionId: p.eventId } : {}), ...(p.scheduleId ? { scheduleId: p.scheduleId } : {}) } };
}
export function attendanceParent(a: Attendance): ParentEntry | undefined {
  const sessionId = a.eventId ?? a.sessionId;
  return a.id && sessionId ? { kind: 'attendance', id: a.id, parent: { sessionId } } : undefined;
}

/** Whether a learned parent is still the one a row of each kind names (see learnRows). */
const SAME_PARENT: Record<ParentKind, (parent: Parent, row: any) => boolean> = {
  rsvp: (p, r) => p.eventId === (r.eventId || undefined) && p.sessionId === undefined && p.scheduleId === undefined,
  guest: (p, g) => p.eventId === (g.eventId || undefined) && p.sessionId === undefined && p.scheduleId === undefined,
  participation: (p, x) => p.eventId === undefined && p.sessionId === (x.eventId || undefined) && p.scheduleId === (x.scheduleId || undefined),
  attendance: (p, a) => p.eventId === undefined && p.sessionId === (a.eventId ?? a.sessionId) && p.scheduleId === undefined,
};
const PARENT_OF: Record<ParentKind, (row: any) => ParentEntry | undefined> = {
  rsvp: rsvpParent,
  guest: guestParent,
  participation: participationParent,
  attendance: attendanceParent,
};

interface Learned {
  id: string;
  parent: Parent;
  expires: number;
  /** When this parent was last written to Redis (the Redis store only). */
  written: number;
  /** Replaced or evicted: no longer the map's entry for its id (a list's memo must not renew it). */
  gone: boolean;
}

/** Rows remembered per kind in list memos (see learnRows), at most: 8 bytes each. */
const MEMO_ROWS = 200_000;

/**
 * What one process has learned, in one map per kind keyed by the entity id (a read of a thousand guests builds no
 * key strings), bounded per kind: past `max` entries of a kind the earliest learned go first (Map iteration is
 * insertion order; learning a known entity again renews its expiry in place). `learn` answers the entries that
 * were new or changed.
 *
 * Most lists are read again and again with the same rows (a dashboard's events, their guests): each list learned is
 * also kept as its entries in row order (a memo, keyed by its first row's id), so the next read of the same list
 * renews them walking both in step, comparing each row's id and parent with its entry's and hashing no id; only
 * from the first row that differs (new, moved, changed, gone from the map) on is each row looked up by id.
 */
function createLearned(ttlSeconds: number, max: number, now: () => number) {
  const kinds = new Map<ParentKind, Map<string, Learned>>();
  const memos = new Map<ParentKind, { lists: Map<string, (Learned | null)[]>; rows: number }>();
  const of = (kind: ParentKind) => {
    let entries = kinds.get(kind);
    if (!entries) kinds.set(kind, (entries = new Map()));
    return entries;
  };
  const memoOf = (kind: ParentKind) => {
    let memo = memos.get(kind);
    if (!memo) memos.set(kind, (memo = { lists: new Map(), rows: 0 }));
    return memo;
  };
  const put = (entries: Map<string, Learned>, kind: ParentKind, id: string, parent: Parent, expires: number, changed?: Changed): Learned => {
    const entry: Learned = { id, parent, expires, written: 0, gone: false };
    const old = entries.get(id);
    if (old) {
      old.gone = true;
      entries.delete(id);
    }
    entries.set(id, entry);
    if (entries.size > max) {
      const [first, dropped] = entries.entries().next().value!;
      dropped.gone = true;
      entries.delete(first);
    }
    changed?.(kind, id, entry);
    return entry;
  };
  /** One row looked up by id: its entry renewed, or a new one; null for a row that names no parent. */
  const learnRow = (entries: Map<string, Learned>, kind: ParentKind, row: unknown, at: number, expires: number, changed?: Changed): Learned | null => {
    if (!row || typeof row !== 'object') return null;
    const id = (row as { id?: unknown }).id;
    if (typeof id !== 'string' || !id) return null;
    const hit = entries.get(id);
    if (hit && hit.expires > at && SAME_PARENT[kind](hit.parent, row)) {
      hit.expires = expires;
      changed?.(kind, id, hit);
      return hit;
    }
    const e = PARENT_OF[kind](row);
    return e ? put(entries, kind, e.id, e.parent, expires, changed) : null;
  };
  return {
    learn(list: readonly ParentEntry[], changed?: Changed): void {
      const at = now();
      const expires = at + ttlSeconds * 1000;
      for (const e of list) {
        const entries = of(e.kind);
        const hit = entries.get(e.id);
        if (hit && hit.expires > at && sameParent(hit.parent, e.parent)) {
          hit.expires = expires;
          changed?.(e.kind, e.id, hit);
          continue;
        }
        put(entries, e.kind, e.id, e.parent, expires, changed);
      }
    },
    /** learn() for rows of one kind: an entry is built only for a row that is new or whose parent changed. */
    learnRows(kind: ParentKind, rows: readonly unknown[], changed?: Changed): void {
      if (rows.length === 0) return;
      const at = now();
      const expires = at + ttlSeconds * 1000;
      const entries = of(kind);
      const first = (rows[0] as { id?: unknown } | null)?.id;
      if (typeof first !== 'string' || !first) {
        for (const row of rows) learnRow(entries, kind, row, at, expires, changed);
        return;
      }
      const memo = memoOf(kind);
      const last = memo.lists.get(first);
      const same = SAME_PARENT[kind];
      let i = 0;
      if (last) {
        // The list as read last time: renew in step while each row is the entry it was.
        const n = Math.min(last.length, rows.length);
        for (; i < n; i++) {
          const e = last[i];
          const row = rows[i] as { id?: unknown } | null;
          if (!e || e.gone || e.expires <= at || !row || e.id !== row.id || !same(e.parent, row)) break;
          e.expires = expires;
          changed?.(kind, e.id, e);
        }
        if (i === rows.length && last.length === rows.length) return;
        memo.lists.delete(first);
        memo.rows -= last.length;
      }
      const list: (Learned | null)[] = last ? last.slice(0, i) : [];
      for (; i < rows.length; i++) list.push(learnRow(entries, kind, rows[i], at, expires, changed));
      memo.lists.set(first, list);
      memo.rows += list.length;
      // The earliest memo goes first; a list larger than the bound is simply not kept.
      for (const [key, old] of memo.lists) {
        if (memo.rows <= MEMO_ROWS) break;
        memo.lists.delete(key);
        memo.rows -= old.length;
      }
    },
    recall(kind: ParentKind, id: string): Parent | undefined {
      const hit = kinds.get(kind)?.get(id);
      return hit && hit.expires > now() ? hit.parent : undefined;
    },
  };
}

type Changed = (kind: ParentKind, id: string, entry: Learned) => void;

function sameParent(a: Parent, b: Parent): boolean {
  return a.eventId === b.eventId && a.sessionId === b.sessionId && a.scheduleId === b.scheduleId;
}

/** In process memory, bounded to `max` entries per kind. */
export function createMemoryParentStore(ttlSeconds: number, max = 200_000, now: () => number = Date.now): ParentStore {
  const learned = createLearned(ttlSeconds, max, now);
  return {
    remember: (list) => learned.learn(list),
    rememberRows: (kind, rows) => learned.learnRows(kind, rows),
    recall: async (kind, id) => learned.recall(kind, id),
  };
}

/**
 * Redis behind a small local memory, so a read of rows already known this TTL costs no Redis write (an entry is
 * written again once half its Redis TTL has passed, so one read on and on does not expire there), and a recall on
 * the replica that learned it costs no round trip.
 */
export function createRedisParentStore(
  redis: Redis,
  ttlSeconds: number,
  options: { prefix?: string; onError?: (message: string) => void; now?: () => number } = {},
): ParentStore {
  const prefix = options.prefix ?? 'attendance-graph:parent:';
  const now = options.now ?? Date.now;
  const local = createLearned(ttlSeconds, 50_000, now);
  // What local learning found new, changed or due for rewriting, written to Redis in one pipeline.
  const writing = (learn: (changed: Changed) => void) => {
    const at = now();
    const fresh: ParentEntry[] = [];
    learn((kind, id, entry) => {
      if (at - entry.written < (ttlSeconds * 1000) / 2) return;
      entry.written = at;
      fresh.push({ kind, id, parent: entry.parent });
    });
    if (fresh.length === 0) return;
    const pipeline = redis.pipeline();
    for (const e of fresh) pipeline.set(`${prefix}${e.kind}:${e.id}`, JSON.stringify(e.parent), 'EX', ttlSeconds);
    pipeline.exec().catch((err) => options.onError?.(`parent store write failed: ${err instanceof Error ? err.message : String(err)}`));
  };
  return {
    remember: (list) => writing((changed) => local.learn(list, changed)),
    rememberRows: (kind, rows) => writing((changed) => local.learnRows(kind, rows, changed)),
    async recall(kind, id) {
      const mine = local.recall(kind, id);
      if (mine) return mine;
      const raw = await redis.get(`${prefix}${kind}:${id}`);
      return raw ? (JSON.parse(raw) as Parent) : undefined;
    },
  };
}

// Private helpers

function wrapItem(item: unknown): Record<string, unknown> {
  if (!item || typeof item !== 'object') return {};
  const i = item as Record<string, unknown>;
  if ('checkedInGuestCount' in i || 'guestList' in i) return { rsvp: i };
  if ('bookingId' in i && 'status' in i) return { attendance: i };
  return {};
}

/** The upstream HTTP client, teaching `store` the parents of every entity an answer lists. */
export function learningParents<H extends { request<T>(creds: any, req: any): Promise<T> }>(http: H, store: ParentStore): H {
  return {
    ...http,
    request: async <T>(creds: unknown, req: unknown): Promise<T> => {
      const body = await http.request<T>(creds, req);
      learnFrom(body, store);
      return body;
    },
  };
}

/** The lists (or single entities) of each kind an answer may carry, as parentsIn reads them. */
const ANSWER_KEYS: [ParentKind, string, string][] = [
  ['rsvp', 'rsvps', 'rsvp'],
  ['guest', 'guests', 'guest'],
  ['participation', 'participations', 'participation'],
  ['attendance', 'attendances', 'attendance'],
];

/** parentsIn(body), remembered: lists through rememberRows (no entry per known row), bulk results as entries. */
function learnFrom(body: unknown, store: ParentStore): void {
  if (!body || typeof body !== 'object') return;
  const b = body as Record<string, unknown>;
  for (const [kind, plural, singular] of ANSWER_KEYS) {
    const value = b[plural] ?? b[singular];
    if (Array.isArray(value)) store.rememberRows(kind, value);
    else if (value && typeof value === 'object') store.rememberRows(kind, [value]);
  }
  if (Array.isArray(b.results)) {
    const found = parentsIn({ results: b.results });
    if (found.length) store.remember(found);
  }
}
