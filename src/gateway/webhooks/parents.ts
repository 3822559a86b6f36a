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

/** The parent fields of a row of each kind, read without building a Parent (see rememberRows). */
const PARENT_FIELDS: Record<ParentKind, { of: (row: any) => ParentEntry | undefined; eventId(row: any): unknown; sessionId(row: any): unknown; scheduleId(row: any): unknown }> = {
  rsvp: { of: rsvpParent, eventId: (r) => r.eventId || undefined, sessionId: () => undefined, scheduleId: () => undefined },
  guest: { of: guestParent, eventId: (g) => g.eventId || undefined, sessionId: () => undefined, scheduleId: () => undefined },
  participation: { of: participationParent, eventId: () => undefined, sessionId: (p) => p.eventId || undefined, scheduleId: (p) => p.scheduleId || undefined },
  attendance: { of: attendanceParent, eventId: () => undefined, sessionId: (a) => a.eventId ?? a.sessionId, scheduleId: () => undefined },
};

interface Learned {
  parent: Parent;
  expires: number;
  /** When this parent was last written to Redis (the Redis store only). */
  written: number;
}

/**
 * What one process has learned, in one map per kind keyed by the entity id (a read of a thousand guests builds no
 * key strings), bounded per kind: past `max` entries of a kind the earliest learned go first (Map iteration is
 * insertion order; learning a known entity again renews its expiry in place). `learn` answers the entries that
 * were new or changed.
 */
function createLearned(ttlSeconds: number, max: number, now: () => number) {
  const kinds = new Map<ParentKind, Map<string, Learned>>();
  const of = (kind: ParentKind) => {
    let entries = kinds.get(kind);
    if (!entries) kinds.set(kind, (entries = new Map()));
    return entries;
  };
  const put = (entries: Map<string, Learned>, kind: ParentKind, id: string, parent: Parent, expires: number, changed?: Changed) => {
    const entry = { parent, expires, written: 0 };
    entries.delete(id);
    entries.set(id, entry);
    if (entries.size > max) entries.delete(entries.keys().next().value!);
    changed?.(kind, id, entry);
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
      const at = now();
      const expires = at + ttlSeconds * 1000;
      const entries = of(kind);
      const fields = PARENT_FIELDS[kind];
      for (const row of rows) {
        if (!row || typeof row !== 'object') continue;
        const id = (row as { id?: unknown }).id;
        if (typeof id !== 'string' || !id) continue;
        const hit = entries.get(id);
        if (
          hit &&
          hit.expires > at &&
          hit.parent.eventId === fields.eventId(row) &&
          hit.parent.sessionId === fields.sessionId(row) &&
          hit.parent.scheduleId === fields.scheduleId(row)
        ) {
          hit.expires = expires;
          changed?.(kind, id, hit);
          continue;
        }
        const e = fields.of(row);
        if (e) put(entries, kind, e.id, e.parent, expires, changed);
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
