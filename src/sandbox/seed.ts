/**
 * Deterministic demo data for one tenant: the same seed gives the same contacts, sessions, participations, bookings,
 * attendances, events and RSVPs on every run (mulberry32 + a fixed base date), so a demo or a test can name ids.
 * Contacts are shared across domains, so the gateway's cross-domain joins (a contact's bookings, RSVPs and
 * participations) find rows. Seeding emits no webhooks: it is the tenant's state before anyone subscribed.
 *
 * The Events side goes through the domain modules (src/sandbox/domain/events.ts, rsvps.ts), so summaries and the
 * derived guest list follow the same rules as live writes. Their guest ids, ticket order numbers and check-in
 * times come from the sandbox clock (clock.ts) and their own random source, so only the ids chosen here (events,
 * RSVPs, contacts, sessions, participations, bookings, attendances) are reproducible.
 */
import type { Attendance, AttendanceStatus, Booking, BookingStatus, CalendarEvent, PaymentStatus } from '../wire/types.js';
import { now } from './clock.js';
import { newParticipation, newSession } from './domain/calendar.js';
import { createEvent, createTicketGuests } from './domain/events.js';
import { checkIn, createRsvp } from './domain/rsvps.js';
import { guidFromRandom, guidFromString, mulberry32, newCalendarEventId, newGuid } from './ids.js';
import { createTenantDb, type Tenant } from './tenant.js';

export interface SeedSize {
  events: number;
  rsvpsPerEvent: number;
  sessions: number;
  participationsPerSession: number;
  bookings: number;
}

export interface SeedCounts {
  contacts: number;
  events: number;
  rsvps: number;
  guests: number;
  sessions: number;
  participations: number;
  bookings: number;
  attendances: number;
}

export const DEFAULT_SEED_SIZE: SeedSize = { events: 20, rsvpsPerEvent: 5, sessions: 20, participationsPerSession: 4, bookings: 40 };

/** Every date is an offset from this instant, never from "now", so two runs produce identical data. */
export const SEED_BASE_DATE = Date.parse('2026-01-01T00:00:00Z');
/** The demo events' categories (Events v3 CATEGORIES fieldset, SDK listEventsByCategory). */
export const DEMO_CATEGORIES = [
  { id: '7d1c2a4e-0b6f-4c1a-9e53-1f2a3b4c5d01', name: 'Talks' },
  { id: '7d1c2a4e-0b6f-4c1a-9e53-1f2a3b4c5d02', name: 'Workshops' },
];

const FIRST = ['Ada', 'Grace', 'Alan', 'Edsger', 'Barbara', 'Donald', 'Margaret', 'Ken', 'Radia', 'Tim', 'Frances', 'John', 'Hedy', 'Linus', 'Katherine'];
const LAST = ['Lovelace', 'Hopper', 'Turing', 'Dijkstra', 'Liskov', 'Knuth', 'Hamilton', 'Thompson', 'Perlman', 'Berners-Lee', 'Allen', 'Backus', 'Lamarr', 'Torvalds', 'Johnson'];
const CLASSES = ['Morning yoga', 'Pilates', 'Spin class', 'Pottery workshop', 'Italian for beginners', 'Climbing intro', 'Life drawing'];
// Staff who teach the classes, by class and with no randomness (adding them moved no other demo value); every
// fourth class has none, so reports by staff show bookings that carry no resource too.
const STAFF = ['Sam Rivera', 'Kim Osei', 'Lee Novak', undefined];
const EVENT_TITLES = ['Open studio night', 'Community meetup', 'Jazz evening', 'Book club', 'Tech talk', 'Wine tasting', 'Charity run', 'Photo walk'];

interface Contact {
  id: string;
  firstName: string;
  lastName: string;
  email: string;
}

/**
 * Replaces the tenant's data with demo data (a fresh db, so no derived index of the old data survives).
 * Returns what was made.
 */
export function seedTenant(tenant: Tenant, seed: number, size: Partial<SeedSize> = {}): SeedCounts {
  const s: SeedSize = { ...DEFAULT_SEED_SIZE, ...size };
  const rand = mulberry32(seed);
  const int = (min: number, max: number) => min + Math.floor(rand() * (max - min + 1));
  const pick = <T>(list: readonly T[]): T => list[Math.floor(rand() * list.length)]!;
  const at = (ms: number) => new Date(SEED_BASE_DATE + ms).toISOString();
  const HOUR = 3_600_000;
  const DAY = 24 * HOUR;

  tenant.db = createTenantDb();
  const db = tenant.db;
  // A silent view of the tenant: the domain modules emit on their own, and seeding must not.
  const silent: Tenant = { ...tenant, db, emit: () => {} };

  const contactCount = Math.max(10, Math.min(200, Math.ceil((s.events * s.rsvpsPerEvent + s.sessions * s.participationsPerSession + s.bookings) / 3)));
  const contacts: Contact[] = Array.from({ length: contactCount }, (_, i) => {
    const firstName = FIRST[i % FIRST.length]!;
    const lastName = LAST[Math.floor(i / FIRST.length + i) % LAST.length]!;
    return { id: guidFromRandom(rand), firstName, lastName, email: `${firstName}.${lastName}.${i}@example.com`.toLowerCase() };
  });

  // Calendar sessions: a few schedules (one per class), sessions every day from the base date.
  const schedules = CLASSES.map((title) => ({ id: guidFromRandom(rand), title }));
  const sessions: CalendarEvent[] = [];
  for (let i = 0; i < s.sessions; i++) {
    const schedule = schedules[i % schedules.length]!;
    const appointment = i % 7 === 6;
    const start = SEED_BASE_DATE + i * DAY + int(8, 18) * HOUR;
    const created = at(-30 * DAY + i * HOUR);
    const session = newSession(
      {
        id: newCalendarEventId(rand),
        scheduleId: schedule.id,
        type: appointment ? 'APPOINTMENT' : 'CLASS',
        status: i % 10 === 9 ? 'CANCELLED' : 'CONFIRMED',
        title: appointment ? 'Private session' : schedule.title,
        // Every fourth class has no capacity limit (null), so there is always a session with room.
        totalCapacity: appointment ? 1 : [12, 20, 30, null][i % 4]!,
      },
      start,
      created,
    );
    db.calendarEvents.set(session.id, session);
    sessions.push(session);
  }

  let participationSeq = 0;
  for (const [i, session] of sessions.entries()) {
    const wanted = session.type === 'APPOINTMENT' ? 1 : Math.max(0, s.participationsPerSession + int(-1, 1));
    let used = 0;
    for (let k = 0; k < wanted; k++) {
      const partySize = session.type === 'APPOINTMENT' ? 1 : int(1, 3);
      if (session.totalCapacity != null && used + partySize > session.totalCapacity) break;
      const contact = pick(contacts);
      const created = at(-20 * DAY + i * HOUR + k * 60_000);
      const status = participationSeq++ % 8 === 7 ? 'PENDING_CONFIRMATION' : 'CONFIRMED';
      const p = newParticipation(
        {
          id: guidFromRandom(rand),
          externalId: guidFromRandom(rand),
          participant: { name: `${contact.firstName} ${contact.lastName}`, email: contact.email, contactId: contact.id },
          partySize,
          status,
          eventId: session.id,
        },
        created,
      );
      if (status === 'CONFIRMED') used += partySize;
      db.participations.set(p.id!, p);
    }
    session.participants = { total: used };
    session.remainingCapacity = session.totalCapacity == null ? null : session.totalCapacity - used;
  }

  // Bookings of class sessions, most with an attendance record.
  const bookable = sessions.filter((x) => x.type === 'CLASS');
  for (let i = 0; i < s.bookings && bookable.length > 0; i++) {
    const session = bookable[i % bookable.length]!;
    const classIndex = schedules.findIndex((x) => x.id === session.scheduleId);
    const staffName = STAFF[classIndex % STAFF.length];
    const contact = pick(contacts);
    const roll = rand();
    const status: BookingStatus = roll < 0.8 ? 'CONFIRMED' : roll < 0.9 ? 'CANCELED' : 'PENDING';
    const paymentStatus: PaymentStatus = pick(['PAID', 'NOT_PAID', 'EXEMPT'] as const);
    const created = at(-15 * DAY + i * HOUR);
    const booking: Booking = {
      id: guidFromRandom(rand),
      revision: '1',
      status,
      paymentStatus,
      totalParticipants: int(1, 4),
      contactDetails: { contactId: contact.id, firstName: contact.firstName, lastName: contact.lastName, email: contact.email },
      bookedEntity: {
        slot: {
          serviceId: session.scheduleId,
          scheduleId: session.scheduleId,
          eventId: session.id,
          startDate: session.start!.utcDate,
          endDate: session.end!.utcDate,
          timezone: 'Etc/UTC',
          ...(staffName ? { resource: { id: guidFromString(`staff:${staffName}`), name: staffName } } : {}),
        },
        title: session.title,
        tags: ['GROUP'],
      },
      startDate: session.start!.utcDate,
      endDate: session.end!.utcDate,
      createdDate: created,
      updatedDate: created,
    };
    db.bookings.set(booking.id!, booking);
    if (status === 'CONFIRMED' && rand() < 0.85) {
      const attendanceStatus: AttendanceStatus = pick(['ATTENDED', 'ATTENDED', 'ATTENDED', 'NOT_ATTENDED', 'NOT_SET'] as const);
      const attendance: Attendance = {
        id: guidFromRandom(rand),
        bookingId: booking.id,
        eventId: session.id,
        status: attendanceStatus,
        numberOfAttendees: attendanceStatus === 'ATTENDED' ? int(1, booking.totalParticipants!) : attendanceStatus === 'NOT_ATTENDED' ? 0 : 1,
        updatedDate: at(i * HOUR),
        statusUpdatedDate: at(i * HOUR),
      };
      db.attendances.set(attendance.id!, attendance);
    }
  }

  // Wix Events: every fourth event is ticketed; of the RSVP events every third has a guest limit, half of those
  // with a waitlist, so the limit and waitlist paths have data.
  for (let i = 0; i < s.events; i++) {
    const ticketed = i % 4 === 3;
    const limited = !ticketed && i % 3 === 1;
    const start = SEED_BASE_DATE + (i - 5) * DAY + 19 * HOUR;
    const created = at(-60 * DAY + i * HOUR);
    const event = createEvent(silent, {
      id: guidFromRandom(rand),
      title: `${EVENT_TITLES[i % EVENT_TITLES.length]} #${i + 1}`,
      dateAndTimeSettings: { startDate: new Date(start).toISOString(), endDate: new Date(start + 3 * HOUR).toISOString(), timeZoneId: 'Etc/UTC' },
      registration: ticketed
        ? { type: 'TICKETING' }
        : { type: 'RSVP', rsvp: { responseType: 'YES_AND_NO', limit: limited ? 8 : null, waitlistEnabled: limited && i % 2 === 0 } },
      // Fixed, not drawn from rand: adding categories must not move the ids of the rest of the demo data.
      categories: { categories: [DEMO_CATEGORIES[i % DEMO_CATEGORIES.length]!] },
      createdDate: created,
      updatedDate: created,
    });
    const count = Math.max(0, s.rsvpsPerEvent + int(-1, 1));
    for (let k = 0; k < count; k++) {
      const contact = contacts[(i * 7 + k * 3) % contacts.length]!;
      if (ticketed) {
        createTicketGuests(silent, event.id!, contact.id, int(1, 3));
        continue;
      }
      try {
        const rsvp = createRsvp(
          silent,
          {
            id: guidFromRandom(rand),
            eventId: event.id,
            contactId: contact.id,
            firstName: contact.firstName,
            lastName: contact.lastName,
            email: contact.email,
            status: rand() < 0.85 ? 'YES' : 'NO',
            additionalGuestDetails: { guestCount: int(0, 2), guestNames: [] },
            createdDate: at(-50 * DAY + i * HOUR + k * 60_000),
          },
          { emit: false },
        );
        // Some of the guests of the earlier events are already checked in.
        if (rsvp.status === 'YES' && i < s.events / 2 && rand() < 0.4) checkIn(silent, rsvp.id!, undefined, new Date(start + 10 * 60_000).toISOString());
      } catch {
        // A full event without a waitlist refuses further RSVPs (GUEST_LIMIT_EXCEEDED): the demo just has fewer.
      }
    }
  }

  return {
    contacts: contacts.length,
    events: db.events.size,
    rsvps: db.rsvps.size,
    guests: db.guests.size,
    sessions: db.calendarEvents.size,
    participations: db.participations.size,
    bookings: db.bookings.size,
    attendances: db.attendances.size,
  };
}

export interface CourseSpec {
  title?: string;
  /** Sessions of the course, one a day from `start` (1..50). */
  sessions: number;
  /** Course bookings: each enrolls its participants in every session (bookedEntity.schedule). */
  bookings: { totalParticipants: number; status?: BookingStatus; contactId?: string }[];
  /** First session's start (ISO); default the seed's base date plus 60 days. */
  start?: string;
}

/**
 * Adds a course to the tenant: a schedule with `sessions` COURSE sessions and its course bookings (bookedEntity.schedule,
 * tag COURSE, no slot: "For course services, specify `schedule` instead of `slot`", docs/upstream.md §6.1). The demo
 * seed has none, so its figures stay as they were; tests add one with POST /__sandbox/courses. Emits no webhooks,
 * like seeding.
 */
export function addCourse(tenant: Tenant, spec: CourseSpec): { scheduleId: string; sessions: CalendarEvent[]; bookings: Booking[] } {
  const HOUR = 3_600_000;
  const scheduleId = newGuid();
  const first = spec.start ? Date.parse(spec.start) : SEED_BASE_DATE + 60 * 24 * HOUR;
  const created = now();
  const title = spec.title ?? 'Course';
  const sessions: CalendarEvent[] = [];
  for (let i = 0; i < spec.sessions; i++) {
    const start = first + i * 24 * HOUR;
    const session = newSession({ id: newCalendarEventId(), scheduleId, type: 'COURSE', status: 'CONFIRMED', title, totalCapacity: null }, start, created);
    tenant.db.calendarEvents.set(session.id, session);
    sessions.push(session);
  }
  const firstStart = sessions[0]!.start!.utcDate;
  const lastEnd = sessions[sessions.length - 1]!.end!.utcDate;
  const bookings = spec.bookings.map((b): Booking => {
    const booking: Booking = {
      id: newGuid(),
      revision: '1',
      status: b.status ?? 'CONFIRMED',
      paymentStatus: 'PAID',
      totalParticipants: b.totalParticipants,
      contactDetails: { contactId: b.contactId ?? newGuid() },
      bookedEntity: {
        schedule: { scheduleId, serviceId: scheduleId, timezone: 'Etc/UTC', firstSessionStart: firstStart, lastSessionEnd: lastEnd },
        title,
        tags: ['COURSE'],
      },
      startDate: firstStart,
      endDate: lastEnd,
      createdDate: created,
      updatedDate: created,
    };
    tenant.db.bookings.set(booking.id!, booking);
    return booking;
  });
  return { scheduleId, sessions, bookings };
}
