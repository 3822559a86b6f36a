/**
 * Per-request DataLoaders (ARCHITECTURE.md convention 3): created from one caller's upstream in the request context, so
 * nothing is ever shared between two callers. Every lookup by id is one `$in` query per chunk; every one-to-many
 * link is one `$in` query on the parent key per chunk, paged to the end and grouped per parent.
 *
 * Reads ask only for the fieldsets the operation needs (docs/upstream.md §4.1, §5.2, §6.2): each load names the
 * fieldsets its selection needs as a bitmask over its source's `fieldsets`, one upstream call asks for the union of
 * the masks of the keys it serves, and a row is reused (from the cache, or primed by a list that read it) only for
 * a load whose fieldsets it has. A load without a mask asks for every fieldset.
 */
import DataLoader from 'dataloader';
import { GraphQLError } from 'graphql';
import { LIMITS } from '../wire/paths.js';
import type {
  Attendance,
  Booking,
  CalendarEvent,
  CursorPagingMetadata,
  EventGuest,
  Filter,
  PagingMetadataV2,
  Participation,
  QueryV2,
  Rsvp,
  RsvpSummary,
  WixEvent,
} from '../wire/types.js';
import { EVENT_FIELDS } from './upstream/events.js';
import { GUEST_FIELDS } from './upstream/guests.js';
import type { Upstream } from './upstream/index.js';
import { RSVP_FIELDS } from './upstream/rsvps.js';
import { pageSource, readAll, readByKeys, type PageSource, type PagingStyle } from './upstream/query.js';

export interface LoaderOptions {
  /** Test-only switch: false makes every load its own upstream call, to show the N+1 the loaders prevent. */
  batch: boolean;
  /** Told the size of every batch, by loader (`source.key`, e.g. `guest.eventId`): the batch-size metric. */
  onBatch?: (loader: string, size: number) => void;
}

/** A booking as the graph sees it: the Bookings Reader's booking with its attendance joined in. */
export type BookingWithAttendance = Booking & { attendance?: Attendance };

/** How to page one upstream list (the upstream layer's PageSource; the name the schema layer knows). */
export type ListSource<T> = PageSource<T> & {
  /** Its key in createSources (session, guest, …): names its loaders in metrics. */
  name?: string;
};

/** The fieldsets of each kind that has them, in mask bit order. */
export const FIELDSETS = { event: EVENT_FIELDS, guest: GUEST_FIELDS, rsvp: RSVP_FIELDS } as const;

/** The mask of every fieldset of a list. */
export function allFieldsets(fieldsets: readonly string[]): number {
  return (1 << fieldsets.length) - 1;
}

/** The fieldset names of a mask. */
function fieldsetsOf<F extends string>(fieldsets: readonly F[], mask = allFieldsets(fieldsets)): F[] {
  return fieldsets.filter((_, i) => mask & (1 << i));
}

export function createSources(upstream: Upstream) {
  const sources = named({
    session: source<CalendarEvent>('cursor', LIMITS.calendarEventsQueryMax, async (q) => {
      const r = await upstream.calendar.queryEvents(q);
      return { items: r.events, meta: r.pagingMetadata };
    }),
    booking: source<BookingWithAttendance>('offset', LIMITS.bookingsQueryMax, async (q) => {
      const r = await upstream.bookings.query(q, true);
      return { items: r.extendedBookings.map((e) => ({ ...e.booking, attendance: e.attendance })), meta: r.pagingMetadata };
    }),
    // Attendance pages go to 1000, but a 1000-id `$in` is a large request body; 100 keeps requests small.
    attendance: source<Attendance>('cursor', LIMITS.attendanceQueryMax, async (q) => {
      const r = await upstream.attendance.query(q);
      return { items: r.attendances, meta: r.pagingMetadata };
    }, 100),
    participation: source<Participation>('cursor', LIMITS.participationsQueryMax, async (q) => {
      const r = await upstream.participations.query(q);
      return { items: r.participations, meta: r.pagingMetadata };
    }),
    event: source<WixEvent>('offset', LIMITS.eventsQueryMax, async (q, mask) => {
      const r = await upstream.events.query(q, fieldsetsOf(EVENT_FIELDS, mask));
      return { items: r.events, meta: r.pagingMetadata };
    }, 100, EVENT_FIELDS),
    guest: source<EventGuest>('offset', LIMITS.guestsQueryMax, async (q, mask) => {
      const r = await upstream.guests.query(q, fieldsetsOf(GUEST_FIELDS, mask));
      return { items: r.guests, meta: r.pagingMetadata };
    }, 100, GUEST_FIELDS),
    rsvp: source<Rsvp>('cursor', LIMITS.rsvpQueryMax, async (q, mask) => {
      const r = await upstream.rsvps.query(q, fieldsetsOf(RSVP_FIELDS, mask));
      return { items: r.rsvps, meta: r.pagingMetadata };
    }, LIMITS.rsvpQueryMax, RSVP_FIELDS),
  });
  // The count endpoints an app identity may call (docs/upstream.md §5.1, §6.1); attendance's answers members only
  // (§2.1), and participations and sessions have none.
  sources.rsvp.count = (filter) => upstream.rsvps.count(filter);
  sources.booking.count = (filter) => upstream.bookings.count(filter);
  return sources;
}
export type Sources = ReturnType<typeof createSources>;

export function createLoaders(upstream: Upstream, options: LoaderOptions) {
  const s = createSources(upstream);
  const byId = <T extends { id?: string }>(src: ListSource<T>, what: string) => byKey(src, 'id', (x) => x.id, what, options);
  const many = <T>(src: ListSource<T>, field: string, keyOf: (x: T) => string | undefined) => groupBy(src, field, keyOf, options);

  const ids = {
    session: byId(s.session, 'Session'),
    booking: byId(s.booking, 'Booking'),
    attendance: byId(s.attendance, 'Attendance'),
    participation: byId(s.participation, 'Participation'),
    event: byId(s.event, 'Event'),
    guest: byId(s.guest, 'Guest'),
    rsvp: byId(s.rsvp, 'Rsvp'),
  };
  // A row read through any list (a root connection, a one-to-many link) primes the by-id loader of its kind, so a
  // later link to it in the same request costs nothing when the fieldsets it was read with are enough.
  if (options.batch) {
    for (const [kind, loader] of Object.entries(ids)) {
      (s[kind as keyof typeof ids] as ListSource<{ id?: string }>).seen = (rows, mask) => (loader as FieldsetLoader<{ id?: string } | null>).primeAll(rows, idOf, mask);
    }
  }

  return {
    sources: s,
    ...ids,
    /** The event guest an RSVP produced (one per RSVP, guestType RSVP). */
    guestByRsvp: byKey(s.guest, 'rsvpId', (g) => g.rsvpId, 'Guest for RSVP', options, true),

    guestsByEvent: many(s.guest, 'eventId', (g) => g.eventId),
    rsvpsByEvent: many(s.rsvp, 'eventId', (r) => r.eventId),
    participationsBySession: many(s.participation, 'eventId', (p) => p.eventId),
    participationsBySchedule: many(s.participation, 'scheduleId', (p) => p.scheduleId),
    attendancesBySession: many(s.attendance, 'eventId', (a) => a.eventId),
    attendancesByBooking: many(s.attendance, 'bookingId', (a) => a.bookingId),
    bookingsBySession: many(s.booking, 'bookedEntity.slot.eventId', (b) => b.bookedEntity?.slot?.eventId),
    bookingsBySchedule: many(s.booking, 'bookedEntity.slot.scheduleId', (b) => b.bookedEntity?.slot?.scheduleId),
    rsvpsByContact: many(s.rsvp, 'contactId', (r) => r.contactId),
    guestsByContact: many(s.guest, 'contactId', (g) => g.contactId),
    bookingsByContact: many(s.booking, 'contactDetails.contactId', (b) => b.contactDetails?.contactId),
    /**
     * Participations cannot be filtered by contact upstream (only id, eventId, scheduleId, externalId: docs/upstream.md
     * §3.3), so the site's participations are read once per request, paged at the maximum, and grouped here.
     */
    participationsByContact: new DataLoader<string, Participation[]>(
      async (contactIds) => {
        options.onBatch?.('participation.contactId', contactIds.length);
        const all = await readAll(s.participation);
        const grouped = group(all, (p) => p.participant?.contactId);
        return contactIds.map((id) => grouped.get(id) ?? []);
      },
      { batch: options.batch, maxBatchSize: options.batch ? Number.POSITIVE_INFINITY : 1 },
    ),
    /**
     * Course bookings of a course session's schedule (docs/fidelity.md, "Course bookings"). They carry no slot event
     * id, and the only read the SDK gives for them is the deprecated Query Extended Booking's `sessionId`, one session
     * a call (no `$in`). A course booking is in every session of its schedule, so the loader keys on the schedule:
     * one call (paged to the end) per distinct schedule serves all of its sessions in the request.
     */
    courseBookings: new DataLoader<CourseSessionKey, BookingWithAttendance[], string>(
      async (keys) => {
        options.onBatch?.('booking.sessionId', keys.length);
        return Promise.all(
          keys.map(async ({ sessionId, scheduleId }) => {
            const src = source<BookingWithAttendance>('cursor', LIMITS.bookingsQueryMax, async (q) => {
              const r = await upstream.bookings.queryBySession(sessionId, q, true);
              return { items: r.extendedBookings.map((e) => ({ ...e.booking, attendance: e.attendance })), meta: r.pagingMetadata };
            });
            src.seen = s.booking.seen;
            try {
              return (await readAll(src)).filter((b) => b.bookedEntity?.schedule?.scheduleId === scheduleId);
            } catch (err) {
              return err as Error;
            }
          }),
        );
      },
      // Unbatched (the test-only switch), each session is its own call, the N+1 this keying prevents.
      { cacheKeyFn: (k) => (options.batch ? k.scheduleId : k.sessionId), batch: options.batch, maxBatchSize: options.batch ? Number.POSITIVE_INFINITY : 1 },
    ),
    /** RSVP summaries: 1..100 event ids per call (docs/upstream.md §5.1). */
    rsvpSummary: new DataLoader<string, RsvpSummary>(
      async (eventIds) => {
        options.onBatch?.('rsvpSummary.eventId', eventIds.length);
        const summaries = await upstream.rsvps.summaries([...eventIds]);
        const byEvent = new Map(summaries.map((x) => [x.eventId, x]));
        return eventIds.map(
          (id) => byEvent.get(id) ?? { eventId: id, yesGuestCount: 0, noGuestCount: 0, waitlistGuestCount: 0, totalRsvpCount: 0 },
        );
      },
      { maxBatchSize: options.batch ? LIMITS.rsvpSummariesMax : 1 },
    ),
  };
}
export type Loaders = ReturnType<typeof createLoaders>;

/** A course session, as the course-bookings loader needs it: the session to name upstream, the schedule to key on. */
export interface CourseSessionKey {
  sessionId: string;
  scheduleId: string;
}

/**
 * The course-bookings key of a session, or null for a session whose bookings are slot bookings. Course services book
 * a schedule, never a slot (docs/upstream.md §6.1), so a COURSE session's bookings are its schedule's course bookings.
 */
export function courseKey(session: Pick<CalendarEvent, 'id' | 'type' | 'scheduleId'>): CourseSessionKey | null {
  return session.type === 'COURSE' && session.scheduleId ? { sessionId: session.id, scheduleId: session.scheduleId } : null;
}

/** Every booking of a session: its schedule's course bookings for a COURSE session, else its slot bookings. */
export function bookingsOfSession(loaders: Loaders, session: Pick<CalendarEvent, 'id' | 'type' | 'scheduleId'>): Promise<BookingWithAttendance[]> {
  const course = courseKey(session);
  return course ? loaders.courseBookings.load(course) : loaders.bookingsBySession.load(session.id);
}

/**
 * A loader whose loads say which fieldsets they need (a mask). One batch asks for the union of its keys' masks; a
 * cached or primed row answers a later load only if it has that load's fieldsets, else the key is read again with
 * both. The DataLoader API the mutations use (clear, clearAll, prime) is kept, chainable.
 *
 * DataLoader batches and schedules (a batch per tick, split at maxBatchSize) with its own cache off: the cache is
 * `rows`, one entry per key holding the key's one promise, its fieldsets and a primed row. A DataLoader cache hit
 * was a promise of its own, resolved a tick later, for every row of a list's link (a guest's RSVP): 4,433 promises
 * for 1,744 RSVP loads of 838 keys, 2,620 with one promise per key. A key answered with an Error stays cached (as
 * DataLoader caches it); a batch that fails as a whole is not, so a later load reads its keys again.
 */
export class FieldsetLoader<V> {
  /** Every key loaded, waiting in a batch, or primed: its row's promise (or primed row) and fieldsets. */
  private readonly rows = new Map<string, Entry<V>>();
  /** The entries of the loads handed to DataLoader and not yet dispatched, in DataLoader's key order. */
  private queued: Entry<V>[] = [];
  /** A key was cleared while waiting: the next batch may name it twice. */
  private repeats = false;
  private readonly loader: DataLoader<string, V>;
  /**
   * Whole lists primed (primeAll) and not yet indexed into `rows`: a list of a thousand guests is usually never
   * looked up by id, so it is indexed only when a load, prime or clear needs `rows`, in the order it was primed.
   */
  private pending: { rows: readonly V[]; keyOf: (row: V) => string | undefined; mask: number }[] = [];

  constructor(
    batch: (keys: readonly string[], mask: number) => Promise<(V | Error)[]>,
    private readonly all: number,
    maxBatchSize: number,
    /**
     * By-id loaders: the error load() gives for a key the batch answered null (not found). The row is cached as
     * null, so loadOrNull() answers it with the loader's own promise: one promise less per row of a list's link.
     */
    private readonly missing?: (key: string) => Error,
  ) {
    this.loader = new DataLoader<string, V>((keys) => this.dispatch(keys, batch), { cache: false, maxBatchSize });
  }

  load(key: string, mask = this.all): Promise<V> {
    const row = this.loadRow(key, mask);
    if (!this.missing) return row;
    return row.then((value) => {
      if (value === null) throw this.missing!(key);
      return value;
    });
  }

  /** The row, or null for a key the upstream does not have (by-id loaders); other failures reject. */
  loadOrNull(key: string, mask = this.all): Promise<V | null> {
    return this.missing ? this.loadRow(key, mask) : this.load(key, mask).catch(nullIfNotFound);
  }

  private loadRow(key: string, mask: number): Promise<V> {
    if (this.pending.length) this.index();
    const held = this.rows.get(key);
    if (held !== undefined) {
      // Still waiting for its batch: the batch asks for this load's fieldsets too.
      if (held.waiting) {
        held.mask |= mask;
        return held.promise!;
      }
      if ((held.mask & mask) === mask) return (held.promise ??= Promise.resolve(held.value as V));
      // Read with fewer fieldsets than this load needs: read it again with both.
      mask |= held.mask;
    }
    const entry: Entry<V> = { key, mask, promise: undefined, value: undefined, waiting: true };
    this.queued.push(entry);
    this.rows.set(key, entry);
    entry.promise = this.loader.load(key);
    return entry.promise;
  }

  /** DataLoader's batch: the union of its loads' fieldsets, read once per distinct key; a whole failure uncached. */
  private dispatch(keys: readonly string[], batch: (keys: readonly string[], mask: number) => Promise<(V | Error)[]>): Promise<(V | Error)[]> {
    const entries = this.queued.splice(0, keys.length);
    let mask = 0;
    for (const e of entries) mask |= e.mask;
    for (const e of entries) {
      e.mask = mask;
      e.waiting = false;
    }
    const failed = (err: unknown): never => {
      for (const e of entries) if (this.rows.get(e.key) === e) this.rows.delete(e.key);
      throw err;
    };
    const distinct = this.repeats ? [...new Set(keys)] : keys;
    this.repeats = false;
    let answer: Promise<(V | Error)[]>;
    try {
      answer = batch(distinct, mask);
    } catch (err) {
      return Promise.reject(err).catch(failed);
    }
    return answer.then((values) => {
      if (values.length !== distinct.length) throw new TypeError(`A batch of ${distinct.length} keys answered ${values.length} values.`);
      if (distinct === keys) return values;
      const byKey = new Map(distinct.map((key, i) => [key, values[i]!]));
      return keys.map((key) => byKey.get(key)!);
    }).catch(failed);
  }

  /** Like DataLoader's loadMany: an Error in place of each key that failed. */
  loadMany(keys: readonly string[], mask = this.all): Promise<(V | Error)[]> {
    return Promise.all(keys.map((key) => this.load(key, mask).catch((err: Error) => err)));
  }

  /** Remembers a row read elsewhere with `mask`'s fieldsets, unless this loader already has or awaits the key. */
  prime(key: string, value: V, mask = this.all): this {
    if (this.pending.length) this.index();
    if (!this.rows.has(key)) this.rows.set(key, { key, mask, promise: undefined, value, waiting: false });
    return this;
  }

  /** prime() for every row of a list (keyed by `keyOf`), deferred until a load, prime or clear needs it. */
  primeAll(rows: readonly V[], keyOf: (row: V) => string | undefined, mask = this.all): this {
    if (rows.length) this.pending.push({ rows, keyOf, mask });
    return this;
  }

  /** Indexes the lists primeAll deferred, as prime() would have when each was primed. */
  private index(): void {
    const lists = this.pending;
    this.pending = [];
    for (const { rows, keyOf, mask } of lists) {
      for (const row of rows) {
        const key = keyOf(row);
        if (key) this.prime(key, row, mask);
      }
    }
  }

  clear(key: string): this {
    if (this.pending.length) this.index();
    if (this.rows.get(key)?.waiting) this.repeats = true;
    this.rows.delete(key);
    return this;
  }

  clearAll(): this {
    this.pending = [];
    if (this.queued.length) this.repeats = true;
    this.rows.clear();
    return this;
  }
}

/** One key of a FieldsetLoader. */
interface Entry<V> {
  key: string;
  /** The fieldsets its row has (or, while it waits for its batch, is asked for so far). */
  mask: number;
  /** Every load of the key gets this; absent for a primed row no load asked for yet. */
  promise: Promise<V> | undefined;
  /** A primed row. */
  value: V | undefined;
  /** Handed to DataLoader, its batch not yet dispatched. */
  waiting: boolean;
}

const idOf = (row: { id?: string } | null) => row?.id;

// Helpers below build the two loader shapes; they are private so every loader batches and chunks the same way.

function source<T>(style: PagingStyle, pageMax: number, read: ListSource<T>['read'], inMax = pageMax, fieldsets: readonly string[] = []): ListSource<T> {
  return pageSource(style, pageMax, read, inMax, fieldsets);
}

/** One row per key (an Error, or null when `optional`, for a key the upstream does not have). */
function byKey<T>(
  src: ListSource<T>,
  field: string,
  keyOf: (x: T) => string | undefined,
  what: string,
  options: LoaderOptions,
  optional = false,
): FieldsetLoader<T | null> {
  return new FieldsetLoader<T | null>(
    async (keys, mask) => {
      options.onBatch?.(`${src.name}.${field}`, keys.length);
      const found = new Map<string, T>();
      for (const item of await readByKeys(src, field, keys, mask, true)) {
        const key = keyOf(item);
        if (key !== undefined && !found.has(key)) found.set(key, item);
      }
      return keys.map((key) => found.get(key) ?? null);
    },
    allFieldsets(src.fieldsets ?? []),
    options.batch ? src.inMax : 1,
    optional ? undefined : (key) => notFound(what, key),
  );
}

/** Every row whose `field` is the key, for each key, from one `$in` query per chunk of keys. */
/** A one-to-many loader that also says how to read one parent's rows upstream (for connections' `after`). */
export type LinkLoader<T> = FieldsetLoader<T[]> & { src: ListSource<T>; field: string };

function groupBy<T>(src: ListSource<T>, field: string, keyOf: (x: T) => string | undefined, options: LoaderOptions): LinkLoader<T> {
  const loader = new FieldsetLoader<T[]>(
    async (keys, mask) => {
      options.onBatch?.(`${src.name}.${field}`, keys.length);
      const grouped = group(await readByKeys(src, field, keys, mask, true), keyOf);
      return keys.map((key) => grouped.get(key) ?? []);
    },
    allFieldsets(src.fieldsets ?? []),
    options.batch ? src.inMax : 1,
  );
  return Object.assign(loader, { src, field });
}

function named<S extends Record<string, ListSource<any>>>(sources: S): S {
  for (const [name, src] of Object.entries(sources)) src.name = name;
  return sources;
}

function group<T>(items: readonly T[], keyOf: (x: T) => string | undefined): Map<string, T[]> {
  const out = new Map<string, T[]>();
  for (const item of items) {
    const key = keyOf(item);
    if (key === undefined) continue;
    const rows = out.get(key);
    if (rows) rows.push(item);
    else out.set(key, [item]);
  }
  return out;
}

function nullIfNotFound(err: unknown): null {
  if ((err as { extensions?: { code?: string } }).extensions?.code === 'NOT_FOUND') return null;
  throw err;
}

function notFound(what: string, id: string): Error {
  return new GraphQLError(`${what} ${id} not found`, { extensions: { code: 'NOT_FOUND', http: { status: 404 } } });
}
