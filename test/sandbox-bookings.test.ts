/**
 * The sandbox's Bookings side over real HTTP: Bookings Attendance v2 (docs/upstream.md §2), the Bookings Reader
 * (§6.1) and the assumed Calendar Events v3 (§3.6).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { collectWebhooks, startSandbox, type TestSandbox } from './support/sandbox.js';

let t: TestSandbox;
let bookings: any[];
let sessions: any[];

beforeAll(async () => {
  t = await startSandbox({ seed: 1 });
  bookings = (await t.call('POST', '/bookings/bookings-reader/v2/extended-bookings/query', { query: { paging: { limit: 100 } } })).body.extendedBookings.map((x: any) => x.booking);
  sessions = (await t.call('POST', '/calendar/v3/events/query', { query: { cursorPaging: { limit: 100 } } })).body.events;
});
afterAll(async () => {
  await t?.stop();
});

/** A booking without an attendance yet, so each test starts clean. */
let nextBooking = 0;
async function freshBooking(): Promise<any> {
  for (;;) {
    const b = bookings[nextBooking++];
    if (!b) throw new Error('ran out of demo bookings');
    const existing = await t.call('POST', '/bookings/v2/attendance/query', { query: { filter: { bookingId: b.id } } });
    if (existing.body.attendances.length === 0) return b;
  }
}

describe('attendance set and get', () => {
  it('creates an attendance with numberOfAttendees 1 by default, then updates the same record (upsert)', async () => {
    const b = await freshBooking();
    const eventId = b.bookedEntity.slot.eventId;
    const first = await t.call('POST', '/bookings/v2/attendance/set', { attendance: { bookingId: b.id, eventId, status: 'ATTENDED' } });
    expect(first.status).toBe(200);
    expect(first.body.attendance).toMatchObject({ id: expect.stringMatching(/^[0-9a-f-]{36}$/), bookingId: b.id, eventId, status: 'ATTENDED', numberOfAttendees: 1 });
    const second = await t.call('POST', '/bookings/attendance/set', { attendance: { bookingId: b.id, eventId, status: 'NOT_ATTENDED', numberOfAttendees: 0 } });
    expect(second.body.attendance).toMatchObject({ id: first.body.attendance.id, status: 'NOT_ATTENDED', numberOfAttendees: 0 });
    const got = await t.call('GET', `/bookings/v2/attendance/${first.body.attendance.id}`);
    expect(got.body.attendance).toEqual(second.body.attendance);
    const all = await t.call('POST', '/bookings/v2/attendance/query', { query: { filter: { bookingId: b.id } } });
    expect(all.body.attendances).toHaveLength(1);
  });

  it('accepts incoherent values as the real API does (the client validates, §2.6)', async () => {
    const b = await freshBooking();
    const res = await t.call('POST', '/bookings/v2/attendance/set', { attendance: { bookingId: b.id, eventId: b.bookedEntity.slot.eventId, status: 'NOT_ATTENDED', numberOfAttendees: 5 } });
    expect(res.status).toBe(200);
    expect(res.body.attendance).toMatchObject({ status: 'NOT_ATTENDED', numberOfAttendees: 5 });
  });

  it('takes the deprecated sessionId in place of eventId', async () => {
    const b = await freshBooking();
    const res = await t.call('POST', '/bookings/v2/attendance/set', { attendance: { bookingId: b.id, sessionId: b.bookedEntity.slot.eventId, status: 'ATTENDED' } });
    expect(res.body.attendance).toMatchObject({ eventId: b.bookedEntity.slot.eventId, sessionId: b.bookedEntity.slot.eventId });
  });

  it('refuses a set without bookingId and status (field violations) or without a session (SESSION_ID_NOT_PROVIDED)', async () => {
    const missing = await t.call('POST', '/bookings/v2/attendance/set', { attendance: { eventId: sessions[0].id } });
    expect(missing.status).toBe(400);
    expect(missing.body.details.validationError.fieldViolations.map((v: any) => v.field)).toEqual(['attendance.bookingId', 'attendance.status']);
    const noSession = await t.call('POST', '/bookings/v2/attendance/set', { attendance: { bookingId: bookings[0].id, status: 'ATTENDED' } });
    expect(noSession.status).toBe(400);
    expect(noSession.body.details.applicationError.code).toBe('SESSION_ID_NOT_PROVIDED');
    const badStatus = await t.call('POST', '/bookings/v2/attendance/set', { attendance: { bookingId: bookings[0].id, eventId: sessions[0].id, status: 'MAYBE' } });
    expect(badStatus.status).toBe(400);
  });

  it('answers 404 for an unknown attendance, booking or session', async () => {
    const unknown = await t.call('GET', '/bookings/v2/attendance/00000000-0000-4000-8000-000000000000');
    expect(unknown.status).toBe(404);
    expect(unknown.body.details.applicationError.code).toBe('ATTENDANCE_NOT_FOUND');
    const noBooking = await t.call('POST', '/bookings/v2/attendance/set', { attendance: { bookingId: '00000000-0000-4000-8000-000000000000', eventId: sessions[0].id, status: 'ATTENDED' } });
    expect(noBooking.status).toBe(404);
    const noSession = await t.call('POST', '/bookings/v2/attendance/set', { attendance: { bookingId: bookings[0].id, eventId: 'x'.repeat(40), status: 'ATTENDED' } });
    expect(noSession.body.details.applicationError.code).toBe('SESSION_NOT_FOUND');
  });
});

describe('attendance bulk set and delete', () => {
  it('sets up to 8 at once, failing only the items whose session does not exist', async () => {
    const [a, b] = [await freshBooking(), await freshBooking()];
    const res = await t.call('POST', '/bookings/v2/bulk/attendance/set', {
      returnFullEntity: true,
      attendanceDetails: [
        { attendance: { bookingId: a.id, eventId: a.bookedEntity.slot.eventId, status: 'ATTENDED', numberOfAttendees: 2 } },
        { attendance: { bookingId: b.id, eventId: 'y'.repeat(40), status: 'ATTENDED' } },
      ],
    });
    expect(res.status).toBe(200);
    expect(res.body.bulkActionMetadata).toEqual({ totalSuccesses: 1, totalFailures: 1, undetailedFailures: 0 });
    expect(res.body.results[0]).toMatchObject({ itemMetadata: { originalIndex: 0, success: true }, item: { bookingId: a.id, numberOfAttendees: 2 } });
    expect(res.body.results[1].itemMetadata).toMatchObject({ originalIndex: 1, success: false, error: { code: 'SESSION_NOT_FOUND' } });
    expect(res.body.results[1].item).toBeUndefined();
  });

  it('fails the whole request when an entry lacks a required field, or when there are more than 8', async () => {
    const a = await freshBooking();
    const res = await t.call('POST', '/bookings/v2/bulk/attendance/set', {
      attendanceDetails: [{ attendance: { bookingId: a.id, eventId: a.bookedEntity.slot.eventId, status: 'ATTENDED' } }, { attendance: { bookingId: a.id } }],
    });
    expect(res.status).toBe(400);
    expect(res.body.details.validationError.fieldViolations[0].field).toBe('attendanceDetails[1].attendance.status');
    expect((await t.call('POST', '/bookings/v2/attendance/query', { query: { filter: { bookingId: a.id } } })).body.attendances).toEqual([]);
    const nine = Array.from({ length: 9 }, () => ({ attendance: { bookingId: a.id, eventId: a.bookedEntity.slot.eventId, status: 'ATTENDED' } }));
    expect((await t.call('POST', '/bookings/v2/bulk/attendance/set', { attendanceDetails: nine })).status).toBe(400);
    const none = await t.call('POST', '/bookings/v2/bulk/attendance/set', { attendanceDetails: [] });
    expect(none.body.details.applicationError.code).toBe('ATTENDANCES_MISSING_IN_REQUEST');
  });

  it('deletes one or several, emitting attendance_deleted with only the id', async () => {
    const hooks = await collectWebhooks(t);
    try {
      const made: any[] = [];
      for (let i = 0; i < 3; i++) {
        const b = await freshBooking();
        made.push((await t.call('POST', '/bookings/v2/attendance/set', { attendance: { bookingId: b.id, eventId: b.bookedEntity.slot.eventId, status: 'ATTENDED' } })).body.attendance);
      }
      expect((await t.call('DELETE', `/bookings/v2/attendance/${made[0].id}`)).body).toEqual({});
      expect((await t.call('DELETE', `/bookings/v2/attendance/${made[0].id}`)).status).toBe(404);
      const bulk = await t.call('POST', '/bookings/v2/bulk/attendance/delete', { attendanceIds: [made[1].id, made[0].id, made[2].id] });
      expect(bulk.body.results.map((r: any) => [r.itemMetadata.success, r.itemMetadata.error?.code])).toEqual([
        [true, undefined],
        [false, 'ATTENDANCE_NOT_FOUND'],
        [true, undefined],
      ]);
      expect(bulk.body.bulkActionMetadata).toMatchObject({ totalSuccesses: 2, totalFailures: 1 });
      const got = (await hooks.received()).filter((h) => h.eventType === 'wix.bookings.v2.attendance_deleted');
      // Deliveries are concurrent: compare as sets.
      expect(got.map((h) => h.entityId).sort()).toEqual([made[0].id, made[1].id, made[2].id].sort());
      // The SDK's AttendanceDeletedEnvelope has no entity, and no seed shows one: the sandbox sends none.
      expect(got.find((h) => h.entityId === made[0].id)!.domainEvent.deletedEvent).toEqual({ movedToTrash: null, deletedEntity: null });
      expect(got[0]!.instanceId).toBe(t.sandbox.tenant(t.token).instanceId);
    } finally {
      await hooks.stop();
    }
  });
});

describe('attendance query and count', () => {
  it('pages 1,000 attendances by cursor without loss or repetition, sorted by id', async () => {
    const token = 'attendance-1000';
    await t.control('POST', 'seed', { token, seed: 5, size: { events: 0, rsvpsPerEvent: 0, sessions: 10, participationsPerSession: 0, bookings: 1000 } });
    // Every booking gets an attendance through bulk set (the upsert replaces the seeded ones).
    const bookingsOf = new Map<string, string>();
    for (let offset = 0; offset < 1000; offset += 100) {
      const page = await t.call('POST', '/bookings/bookings-reader/v2/extended-bookings/query', { query: { paging: { limit: 100, offset } } }, token);
      for (const x of page.body.extendedBookings) bookingsOf.set(x.booking.id, x.booking.bookedEntity.slot.eventId);
    }
    expect(bookingsOf.size).toBe(1000);
    const entries = [...bookingsOf];
    for (let i = 0; i < entries.length; i += 8) {
      const res = await t.call('POST', '/bookings-attendance/v2/bulk/attendance/set', {
        attendanceDetails: entries.slice(i, i + 8).map(([bookingId, eventId]) => ({ attendance: { bookingId, eventId, status: 'ATTENDED' } })),
      }, token);
      expect(res.body.bulkActionMetadata.totalFailures).toBe(0);
    }

    const seen: string[] = [];
    let page = await t.call('POST', '/bookings/v2/attendance/query', { query: { cursorPaging: { limit: 97 } } }, token);
    for (;;) {
      expect(page.status).toBe(200);
      seen.push(...page.body.attendances.map((a: any) => a.id));
      const next = page.body.pagingMetadata.cursors.next;
      expect(page.body.pagingMetadata.hasNext).toBe(!!next);
      if (!next) break;
      // Follow-ups carry only the cursor, as the SDK sends them (§1.4).
      page = await t.call('POST', '/bookings/v2/attendance/query', { query: { cursorPaging: { cursor: next } } }, token);
    }
    expect(seen).toHaveLength(1000);
    expect(new Set(seen).size).toBe(1000);
    expect(seen).toEqual([...seen].sort());
    const max = await t.call('POST', '/bookings/v2/attendance/query', { query: { cursorPaging: { limit: 1000 } } }, token);
    expect(max.body.attendances).toHaveLength(1000);
    expect(max.body.pagingMetadata).toEqual({ cursors: { next: null, prev: null }, hasNext: false });
    expect((await t.call('POST', '/bookings/v2/attendance/query', { query: { cursorPaging: { limit: 1001 } } }, token)).status).toBe(400);
    const dflt = await t.call('POST', '/bookings/v2/attendance/query', { query: {} }, token);
    expect(dflt.body.attendances).toHaveLength(50);
  });

  it('filters on the §2.3 fields and refuses others with 400', async () => {
    const attended = await t.call('POST', '/bookings/v2/attendance/query', { query: { filter: { status: 'ATTENDED', numberOfAttendees: { $gte: 2 } }, sort: [{ fieldName: 'numberOfAttendees', order: 'DESC' }] } });
    expect(attended.status).toBe(200);
    expect(attended.body.attendances.length).toBeGreaterThan(0);
    expect(attended.body.attendances.every((a: any) => a.status === 'ATTENDED' && a.numberOfAttendees >= 2)).toBe(true);
    const counts = attended.body.attendances.map((a: any) => a.numberOfAttendees);
    expect(counts).toEqual([...counts].sort((x: number, y: number) => y - x));
    const bad = await t.call('POST', '/bookings/v2/attendance/query', { query: { filter: { updatedDate: { $gt: '2020-01-01T00:00:00Z' } } } });
    expect(bad.status).toBe(400);
    expect(bad.body.details.validationError.fieldViolations[0].field).toMatch(/updatedDate/);
    const desc = await t.call('POST', '/bookings/v2/attendance/query', { query: { sort: [{ fieldName: 'id', order: 'DESC' }] } });
    expect(desc.status).toBe(400);
  });

  it('refuses count to an app identity with 403 PERMISSION_DENIED (the SDK doc: the calling member only)', async () => {
    for (const body of [{}, { filter: { status: 'ATTENDED' } }, { filter: { serviceId: 'x' } }]) {
      const res = await t.call('POST', '/bookings/v2/attendance/count', body);
      expect(res.status).toBe(403);
      expect(res.body.details.applicationError.code).toBe('PERMISSION_DENIED');
    }
  });
});

describe('bookings reader', () => {
  it('pages by offset with PagingMetadataV2 and by cursor', async () => {
    const first = await t.call('POST', '/bookings/bookings-reader/v2/extended-bookings/query', { query: { paging: { limit: 15, offset: 30 } } });
    expect(first.body.pagingMetadata).toEqual({ count: 10, offset: 30, total: 40, tooManyToCount: false });
    const ids: string[] = [];
    let res = await t.call('POST', '/_api/bookings-reader/v2/extended-bookings/query', { query: { cursorPaging: { limit: 15 } } });
    for (;;) {
      ids.push(...res.body.extendedBookings.map((x: any) => x.booking.id));
      const next = res.body.pagingMetadata.cursors?.next;
      if (!next) break;
      res = await t.call('POST', '/bookings/bookings-reader/v2/extended-bookings/query', { query: { cursorPaging: { cursor: next, limit: 15 } } });
    }
    expect(new Set(ids).size).toBe(40);
    expect((await t.call('POST', '/bookings/bookings-reader/v2/extended-bookings/query', { query: { paging: { limit: 101 } } })).status).toBe(400);
  });

  it('filters by contact, slot event and status, and counts the same way', async () => {
    const b = bookings.find((x) => x.status === 'CONFIRMED');
    const byContact = await t.call('POST', '/bookings/bookings-reader/v2/extended-bookings/query', { query: { filter: { 'contactDetails.contactId': b.contactDetails.contactId } } });
    expect(byContact.body.extendedBookings.map((x: any) => x.booking.id)).toContain(b.id);
    expect(byContact.body.extendedBookings.every((x: any) => x.booking.contactDetails.contactId === b.contactDetails.contactId)).toBe(true);
    const filter = { 'bookedEntity.slot.eventId': b.bookedEntity.slot.eventId, status: { $in: ['CONFIRMED'] } };
    const bySlot = await t.call('POST', '/bookings/bookings-reader/v2/extended-bookings/query', { query: { filter } });
    const count = await t.call('POST', '/bookings/bookings-reader/v2/extended-bookings/count', { filter });
    expect(count.body.count).toBe(bySlot.body.extendedBookings.length);
    expect(count.body.count).toBe(bookings.filter((x) => x.status === 'CONFIRMED' && x.bookedEntity.slot.eventId === b.bookedEntity.slot.eventId).length);
    const range = await t.call('POST', '/bookings/bookings-reader/v2/extended-bookings/count', { filter: { startDate: { $lt: '2026-01-05T00:00:00Z' } } });
    expect(range.body.count).toBe(bookings.filter((x) => x.startDate < '2026-01-05T00:00:00Z').length);
    expect((await t.call('POST', '/bookings/bookings-reader/v2/extended-bookings/count', { filter: { paymentStatus: 'PAID' } })).status).toBe(400);
  });

  it('joins each booking’s attendance only when withBookingAttendanceInfo is true', async () => {
    const b = await freshBooking();
    const set = await t.call('POST', '/bookings/v2/attendance/set', { attendance: { bookingId: b.id, eventId: b.bookedEntity.slot.eventId, status: 'ATTENDED', numberOfAttendees: 3 } });
    const withInfo = await t.call('POST', '/bookings/bookings-reader/v2/extended-bookings/query', { query: { filter: { id: b.id } }, withBookingAttendanceInfo: true });
    expect(withInfo.body.extendedBookings).toEqual([{ booking: b, attendance: set.body.attendance }]);
    const without = await t.call('POST', '/bookings/bookings-reader/v2/extended-bookings/query', { query: { filter: { id: b.id } } });
    expect(without.body.extendedBookings).toEqual([{ booking: b }]);
  });

  it("finds a course's bookings only through the deprecated singular query's sessionId, as the SDK states", async () => {
    const course = await t.control('POST', 'courses', { token: t.token, title: 'Spanish course', sessions: 2, bookings: [{ totalParticipants: 2 }, { totalParticipants: 1, status: 'CANCELED' }] });
    expect(course.sessions.map((s: any) => s.type)).toEqual(['COURSE', 'COURSE']);
    expect(course.bookings[0].bookedEntity).toMatchObject({ schedule: { scheduleId: course.scheduleId }, tags: ['COURSE'] });
    expect(course.bookings[0].bookedEntity.slot).toBeUndefined();
    const ids = course.bookings.map((b: any) => b.id).sort();
    const singular = '/bookings/bookings-reader/v2/extended-booking/query';
    for (const session of course.sessions) {
      const res = await t.call('POST', singular, { query: { cursorPaging: { limit: 100 } }, sessionId: session.id });
      expect(res.status).toBe(200);
      expect(res.body.extendedBookings.map((x: any) => x.booking.id).sort()).toEqual(ids);
    }
    // One attendance per session of the course (seed 000), and a participant's course attendance by its booking.
    for (const session of course.sessions) {
      expect((await t.call('POST', '/bookings/v2/attendance/set', { attendance: { bookingId: course.bookings[0].id, eventId: session.id, status: 'ATTENDED' } })).status).toBe(200);
    }
    const perBooking = await t.call('POST', '/bookings/v2/attendance/query', { query: { filter: { bookingId: course.bookings[0].id } } });
    expect(perBooking.body.attendances.map((a: any) => a.eventId).sort()).toEqual(course.sessions.map((s: any) => s.id).sort());
    // A class session's sessionId finds its slot bookings; the id filter is overridden by sessionId (the SDK's words).
    const classBooking = bookings.find((b) => b.bookedEntity?.slot?.eventId);
    const bySlot = await t.call('POST', singular, { query: { filter: { id: course.bookings[0].id }, cursorPaging: { limit: 100 } }, sessionId: classBooking.bookedEntity.slot.eventId });
    expect(bySlot.body.extendedBookings.map((x: any) => x.booking.id)).toContain(classBooking.id);
    expect(bySlot.body.extendedBookings.every((x: any) => x.booking.bookedEntity.slot?.eventId === classBooking.bookedEntity.slot.eventId)).toBe(true);
    // The plural query declares no sessionId: it is ignored like any unknown field, so it filters nothing.
    const plural = await t.call('POST', '/bookings/bookings-reader/v2/extended-bookings/query', { query: { paging: { limit: 100 } }, sessionId: course.sessions[0].id });
    expect(plural.body.extendedBookings.length).toBeGreaterThan(ids.length);
    // No filter reaches the course booking's schedule: bookedEntity.schedule.scheduleId is not among the fields.
    const bySchedule = await t.call('POST', '/bookings/bookings-reader/v2/extended-bookings/query', { query: { filter: { 'bookedEntity.schedule.scheduleId': course.scheduleId } } });
    expect(bySchedule.status).toBe(400);
    // An unknown session matches nothing; a sessionId that is not a string names the field.
    expect((await t.call('POST', singular, { query: {}, sessionId: 'no-such-session' })).body.extendedBookings).toEqual([]);
    const bad = await t.call('POST', singular, { query: {}, sessionId: 7 });
    expect(bad.status).toBe(400);
    expect(JSON.stringify(bad.body)).toContain('sessionId');
  });

  it('refuses a malformed course with the field named, and adds nothing', async () => {
    const before = (await t.call('POST', '/calendar/v3/events/query', { query: { filter: { type: 'COURSE' }, cursorPaging: { limit: 100 } } })).body.events.length;
    for (const [body, field] of [
      [{ sessions: 0, bookings: [] }, 'sessions'],
      [{ sessions: 2, bookings: [{ totalParticipants: 0 }] }, 'bookings[0].totalParticipants'],
      [{ sessions: 2, bookings: [{ totalParticipants: 1, status: 'LOST' }] }, 'bookings[0].status'],
      [{ sessions: 2, bookings: [], colour: 'red' }, 'colour'],
    ] as const) {
      const res = await t.call('POST', '/__sandbox/courses', { token: t.token, ...body }, null);
      expect(res.status, field).toBe(400);
      expect(JSON.stringify(res.body)).toContain(field);
    }
    const after = (await t.call('POST', '/calendar/v3/events/query', { query: { filter: { type: 'COURSE' }, cursorPaging: { limit: 100 } } })).body.events.length;
    expect(after).toBe(before);
  });
});

describe('calendar events (assumed v3, §3.6)', () => {
  it('gets one by its opaque id and answers 404 for an unknown one', async () => {
    const s = sessions[0];
    expect(s.id.length).toBeGreaterThanOrEqual(36);
    const got = await t.call('GET', `/calendar/v3/events/${encodeURIComponent(s.id)}`);
    expect(got.body.event).toEqual(s);
    const missing = await t.call('GET', `/calendar/v3/events/${'z'.repeat(40)}`);
    expect(missing.status).toBe(404);
  });

  it('sorts by start ascending by default, filters and pages by cursor', async () => {
    const starts = sessions.map((s) => s.start.utcDate);
    expect(starts).toEqual([...starts].sort());
    const classes = await t.call('POST', '/calendar/v3/events/query', {
      query: { filter: { type: 'CLASS', 'start.utcDate': { $gte: starts[5] } }, sort: [{ fieldName: 'start.utcDate', order: 'DESC' }], cursorPaging: { limit: 4 } },
    });
    expect(classes.body.events).toHaveLength(4);
    expect(classes.body.events.every((e: any) => e.type === 'CLASS' && e.start.utcDate >= starts[5])).toBe(true);
    expect(classes.body.pagingMetadata).toMatchObject({ count: 4, hasNext: true, cursors: { next: expect.any(String) } });
    const next = await t.call('POST', '/calendar/v3/events/query', { query: { cursorPaging: { cursor: classes.body.pagingMetadata.cursors.next } } });
    expect(next.body.events[0].start.utcDate <= classes.body.events[3].start.utcDate).toBe(true);
    expect((await t.call('POST', '/calendar/v3/events/query', { query: { filter: { title: 'Pilates' } } })).status).toBe(400);
    expect((await t.call('POST', '/calendar/v3/events/query', { query: { cursorPaging: { limit: 101 } } })).status).toBe(400);
  });

  it('derives participants and remainingCapacity from CONFIRMED participations', async () => {
    const parts = (await t.call('POST', '/calendar/v3/participations/query', { query: { cursorPaging: { limit: 100 } } })).body.participations;
    for (const s of sessions) {
      const total = parts.filter((p: any) => p.eventId === s.id && p.status === 'CONFIRMED').reduce((n: number, p: any) => n + p.partySize, 0);
      expect(s.participants.total).toBe(total);
      expect(s.remainingCapacity).toBe(s.totalCapacity == null ? null : s.totalCapacity - total);
    }
  });
});
