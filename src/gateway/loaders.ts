/**
 * Per-request DataLoaders (ARCHITECTURE.md convention 3): created from one caller's upstream in the request context, so
 * nothing is ever shared between two callers. Every lookup by id is one `$in` query per chunk; every one-to-many
 * link is one `$in` query on the parent key per chunk, paged to the end and grouped per parent.
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
import type { Upstream } from './upstream/index.js';
import { chunk, collect, inFilter, nextPosition, pageQuery, type Page, type PagePosition, type PagingStyle } from './upstream/query.js';

export interface LoaderOptions {
  /** Test-only switch: false makes every load its own upstream call, to show the N+1 the loaders prevent. */
  batch: boolean;
}

/** A booking as the graph sees it: the Bookings Reader's booking with its attendance joined in. */
export type BookingWithAttendance = Booking & { attendance?: Attendance };

/** How to page one upstream list: its paging style, its page maximum and the call that reads one page. */
export interface ListSource<T> {
  style: PagingStyle;
  pageMax: number;
  /** Largest `$in` list sent in one filter (the same as a page, so one chunk's rows fit in few pages). */
  inMax: number;
  read(query: QueryV2): Promise<{ items: T[]; meta: CursorPagingMetadata | PagingMetadataV2 | undefined }>;
  /** Every row this source reads is handed here, so the request's by-id loader knows it without another call. */
  seen?: (rows: readonly T[]) => void;
}

export function createSources(upstream: Upstream) {
  return {
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
    event: source<WixEvent>('offset', LIMITS.eventsQueryMax, async (q) => {
      const r = await upstream.events.query(q);
      return { items: r.events, meta: r.pagingMetadata };
    }, 100),
    guest: source<EventGuest>('offset', LIMITS.guestsQueryMax, async (q) => {
      const r = await upstream.guests.query(q);
      return { items: r.guests, meta: r.pagingMetadata };
    }, 100),
    rsvp: source<Rsvp>('cursor', LIMITS.rsvpQueryMax, async (q) => {
      const r = await upstream.rsvps.query(q);
      return { items: r.rsvps, meta: r.pagingMetadata };
    }),
  };
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
  // later link to it in the same request costs nothing. Every read of a kind asks for the same fieldsets.
  if (options.batch) {
    for (const [kind, loader] of Object.entries(ids)) {
      (s[kind as keyof typeof ids] as ListSource<{ id?: string }>).seen = (rows) => {
        for (const row of rows) if (row.id) loader.prime(row.id, row as never);
      };
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
        const all = (await collect(pager(s.participation), { pageMax: s.participation.pageMax })).items;
        const grouped = group(all, (p) => p.participant?.contactId);
        return contactIds.map((id) => grouped.get(id) ?? []);
      },
      { batch: options.batch, maxBatchSize: options.batch ? Number.POSITIVE_INFINITY : 1 },
    ),
    /** RSVP summaries: 1..100 event ids per call (docs/upstream.md §5.1). */
    rsvpSummary: new DataLoader<string, RsvpSummary>(
      async (eventIds) => {
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

/** Reads one page of a source at a position. */
export function pager<T>(src: ListSource<T>, filter?: Filter, sort?: QueryV2['sort']) {
  return async (pos: PagePosition, limit: number): Promise<Page<T>> => {
    const { items, meta } = await src.read(pageQuery(src.style, pos, limit, filter, sort));
    src.seen?.(items);
    return { items, next: nextPosition(src.style, pos, items.length, meta) };
  };
}

// Helpers below build the two loader shapes; they are private so every loader batches and chunks the same way.

function source<T>(style: PagingStyle, pageMax: number, read: ListSource<T>['read'], inMax = pageMax): ListSource<T> {
  return { style, pageMax, inMax: Math.min(inMax, pageMax), read };
}

/** One row per key (an Error, or null when `optional`, for a key the upstream does not have). */
function byKey<T>(
  src: ListSource<T>,
  field: string,
  keyOf: (x: T) => string | undefined,
  what: string,
  options: LoaderOptions,
  optional = false,
): DataLoader<string, T | null> {
  return new DataLoader<string, T | null>(
    async (keys) => {
      const found = new Map<string, T>();
      await Promise.all(
        chunk([...keys], src.inMax).map(async (part) => {
          const { items } = await collect(pager(src, inFilter(field, part)), { pageMax: src.pageMax });
          for (const item of items) {
            const key = keyOf(item);
            if (key !== undefined && !found.has(key)) found.set(key, item);
          }
        }),
      );
      return keys.map((key) => found.get(key) ?? (optional ? null : notFound(what, key)));
    },
    { maxBatchSize: options.batch ? src.inMax : 1 },
  );
}

/** Every row whose `field` is the key, for each key, from one `$in` query per chunk of keys. */
function groupBy<T>(src: ListSource<T>, field: string, keyOf: (x: T) => string | undefined, options: LoaderOptions): DataLoader<string, T[]> {
  return new DataLoader<string, T[]>(
    async (keys) => {
      const grouped = new Map<string, T[]>();
      await Promise.all(
        chunk([...keys], src.inMax).map(async (part) => {
          const { items } = await collect(pager(src, inFilter(field, part)), { pageMax: src.pageMax });
          for (const [key, rows] of group(items, keyOf)) grouped.set(key, [...(grouped.get(key) ?? []), ...rows]);
        }),
      );
      return keys.map((key) => grouped.get(key) ?? []);
    },
    { maxBatchSize: options.batch ? src.inMax : 1 },
  );
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

function notFound(what: string, id: string): Error {
  return new GraphQLError(`${what} ${id} not found`, { extensions: { code: 'NOT_FOUND', http: { status: 404 } } });
}
