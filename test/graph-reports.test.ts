/**
 * Grouped reports agree with the upstream's own rows: every group of every grouping is recomputed here from what
 * the sandbox's REST API returns (bookings, attendance, events, RSVPs), and each report's upstream calls are
 * counted exactly from the sandbox's request counters.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startStack, type Stack } from './support/stack.js';

let stack: Stack;
const MANY = 'many-bookings-token';
beforeAll(async () => {
  // A small row limit, so the cut-off is shown on 650 bookings rather than 10,000.
  stack = await startStack({ config: { reportMaxRows: 600 } });
  await stack.seed(MANY, 5, { events: 30, rsvpsPerEvent: 40, sessions: 50, participationsPerSession: 0, bookings: 650 });
});
afterAll(() => stack?.stop());

const BOOKINGS_QUERY = 'POST /bookings/bookings-reader/v2/extended-bookings/query';

async function all(path: string, key: string, query: Record<string, unknown>, extra: Record<string, unknown> = {}, token?: string): Promise<any[]> {
  const rows: any[] = [];
  for (let offset = 0; ; offset += 100) {
    const res = await stack.upstream('POST', path, { query: { ...query, paging: { limit: 100, offset } }, ...extra }, token);
    expect(res.status).toBe(200);
    rows.push(...res.body[key]);
    if (res.body[key].length < 100) return rows;
  }
}

async function allByCursor(path: string, key: string, query: Record<string, unknown>, extra: Record<string, unknown> = {}): Promise<any[]> {
  const rows: any[] = [];
  let cursor: string | undefined;
  do {
    const res = await stack.upstream('POST', path, { query: cursor ? { cursorPaging: { limit: 100, cursor } } : { ...query, cursorPaging: { limit: 100 } }, ...extra });
    expect(res.status).toBe(200);
    rows.push(...res.body[key]);
    cursor = res.body.pagingMetadata?.cursors?.next ?? undefined;
  } while (cursor);
  return rows;
}

const participants = (b: any) => b.totalParticipants ?? (b.participantsChoices?.serviceChoices ?? []).reduce((n: number, c: any) => n + c.numberOfParticipants, 0);
const live = (b: any) => b.status !== 'CANCELED' && b.status !== 'DECLINED';
const round = (n: number) => Math.round(n * 10_000) / 10_000;

/** A group's figures from bookings and the attendance rows of the attendance API. */
function attendanceFigures(bookings: any[], attendanceByBooking: Map<string, any>) {
  const rows = bookings.map((b) => attendanceByBooking.get(b.id)).filter(Boolean);
  let due = 0;
  let came = 0;
  for (const b of bookings.filter(live)) {
    const a = attendanceByBooking.get(b.id);
    if (a?.status === 'ATTENDED') {
      due += participants(b);
      came += Math.min(a.numberOfAttendees ?? 1, participants(b));
    } else if (a?.status === 'NOT_ATTENDED') due += participants(b);
  }
  return {
    sessions: new Set(bookings.map((b) => b.bookedEntity.slot.eventId)).size,
    bookings: bookings.length,
    bookedParticipants: bookings.filter(live).reduce((n, b) => n + participants(b), 0),
    attendees: rows.filter((a) => a.status === 'ATTENDED').reduce((n, a) => n + (a.numberOfAttendees ?? 1), 0),
    attended: rows.filter((a) => a.status === 'ATTENDED').length,
    notAttended: rows.filter((a) => a.status === 'NOT_ATTENDED').length,
    noShowRate: due > 0 ? round((due - came) / due) : null,
  };
}

/** Day / ISO-week Monday / month of a timestamp shifted by a fixed offset (hours), computed by hand. */
function period(iso: string, by: string, offsetHours = 0): string {
  const d = new Date(Date.parse(iso) + offsetHours * 3_600_000);
  if (by === 'MONTH') return d.toISOString().slice(0, 7);
  if (by === 'WEEK') d.setUTCDate(d.getUTCDate() - ((d.getUTCDay() + 6) % 7));
  return d.toISOString().slice(0, 10);
}

function groupRows<T>(rows: T[], keyOf: (r: T) => string): Map<string, T[]> {
  const out = new Map<string, T[]>();
  for (const r of rows) out.set(keyOf(r), [...(out.get(keyOf(r)) ?? []), r]);
  return out;
}

const ATTENDANCE_FIELDS = `complete cutOffReason bookingsRead
  total { key sessions bookings bookedParticipants attendees attended notAttended noShowRate }
  groups { key label sessions bookings bookedParticipants attendees attended notAttended noShowRate }`;

describe('attendanceReport', () => {
  const FROM = '2026-01-01T00:00:00.000Z';
  const TO = '2026-01-15T00:00:00.000Z';
  const keyOf: Record<string, (b: any) => string> = {
    DAY: (b) => period(b.startDate, 'DAY'),
    WEEK: (b) => period(b.startDate, 'WEEK'),
    MONTH: (b) => period(b.startDate, 'MONTH'),
    SERVICE: (b) => b.bookedEntity.slot.serviceId,
    SESSION_TITLE: (b) => b.bookedEntity.title,
    STAFF: (b) => b.bookedEntity.slot.resource?.id ?? 'none',
  };

  for (const groupBy of Object.keys(keyOf)) {
    it(`by ${groupBy}: every group recomputed from the upstream's bookings and attendance, in one upstream call`, async () => {
      await stack.resetStats();
      const res = await stack.gql(`{ attendanceReport(groupBy: ${groupBy}, range: { from: "${FROM}", to: "${TO}" }) { ${ATTENDANCE_FIELDS} } }`);
      expect(res.errors).toBeUndefined();
      const stats = await stack.stats();
      // 40 demo bookings fit one page of the Bookings Reader (100), attendance joined: one call, nothing else.
      expect(stats.total).toBe(1);
      expect(stats.byRoute[BOOKINGS_QUERY]).toBe(1);

      const bookings = (await all('/bookings/bookings-reader/v2/extended-bookings/query', 'extendedBookings', {})).map((x) => x.booking);
      const attendances = await allByCursor('/bookings/v2/attendance/query', 'attendances', {});
      const byBooking = new Map(attendances.map((a) => [a.bookingId, a]));
      const inRange = bookings.filter((b) => b.startDate >= FROM && b.startDate < TO);
      expect(inRange.length).toBeGreaterThan(5);
      const want = groupRows(inRange, keyOf[groupBy]!);
      const report = res.data.attendanceReport;
      expect(report.complete).toBe(true);
      expect(report.cutOffReason).toBeNull();
      expect(report.bookingsRead).toBe(inRange.length);
      expect(report.groups.map((g: any) => g.key)).toEqual([...want.keys()].sort());
      for (const g of report.groups) {
        const { key, label, ...figures } = g;
        expect(figures, `${groupBy} ${key}`).toEqual(attendanceFigures(want.get(key)!, byBooking));
        expect(label).toBeTruthy();
      }
      const { key: _key, ...total } = report.total;
      expect(total).toEqual(attendanceFigures(inRange, byBooking));
      if (groupBy === 'STAFF') {
        expect(report.groups.filter((g: any) => g.key !== 'none').length).toBeGreaterThanOrEqual(2);
        expect(report.groups.some((g: any) => g.key === 'none' && g.label === 'No staff resource')).toBe(true);
      }
      if (groupBy === 'WEEK') expect(report.groups.some((g: any) => g.noShowRate !== null)).toBe(true);
    });
  }

  it('takes the bookings filter and a time zone: CONFIRMED bookings by day in New York (UTC-5 in January)', async () => {
    const res = await stack.gql(`{ attendanceReport(groupBy: DAY, timeZone: "America/New_York", filter: { status: { eq: CONFIRMED } }) { ${ATTENDANCE_FIELDS} } }`);
    expect(res.errors).toBeUndefined();
    const bookings = (await all('/bookings/bookings-reader/v2/extended-bookings/query', 'extendedBookings', { filter: { status: 'CONFIRMED' } })).map((x) => x.booking);
    const attendances = await allByCursor('/bookings/v2/attendance/query', 'attendances', {});
    const byBooking = new Map(attendances.map((a) => [a.bookingId, a]));
    const want = groupRows(bookings, (b) => period(b.startDate, 'DAY', -5));
    expect(res.data.attendanceReport.groups.map((g: any) => g.key)).toEqual([...want.keys()].sort());
    for (const { key, label: _label, ...figures } of res.data.attendanceReport.groups) expect(figures).toEqual(attendanceFigures(want.get(key)!, byBooking));
  });

  it('says when it was cut off: 650 bookings match a limit of 600, the earliest 600 are read in 6 calls', async () => {
    await stack.resetStats();
    const res = await stack.gql(`{ attendanceReport(groupBy: MONTH) { complete cutOffReason bookingsRead total { bookings } } }`, undefined, MANY);
    expect(res.errors).toBeUndefined();
    expect(res.data.attendanceReport).toMatchObject({ complete: false, bookingsRead: 600, total: { bookings: 600 } });
    expect(res.data.attendanceReport.cutOffReason).toMatch(/more than 600 bookings matched/);
    expect((await stack.stats()).byRoute[BOOKINGS_QUERY]).toBe(6);
  });

  it('refuses a bad time zone or an empty range, naming the argument, before any upstream call', async () => {
    await stack.resetStats();
    const zone = await stack.gql(`{ attendanceReport(groupBy: DAY, timeZone: "Mars/Olympus") { complete } }`);
    expect(zone.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'timeZone' });
    const range = await stack.gql(`{ attendanceReport(groupBy: DAY, range: { from: "2026-02-01T00:00:00Z", to: "2026-01-01T00:00:00Z" }) { complete } }`);
    expect(range.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'range' });
    expect((await stack.stats()).total).toBe(0);
  });
});

describe('checkInReport', () => {
  const FIELDS = `complete cutOffReason eventsRead rsvpsRead
    total { key events rsvps rsvpYes rsvpNo rsvpWaitlist checkedIn attending ratio }
    groups { key label events rsvps rsvpYes rsvpNo rsvpWaitlist checkedIn attending ratio }`;

  function figures(events: any[], rsvps: any[]) {
    const ids = new Set(events.map((e) => e.id));
    const mine = rsvps.filter((r) => ids.has(r.eventId));
    const checkedIn = mine.reduce((n, r) => n + (r.checkedInGuestCount ?? 0), 0);
    const attending = mine.filter((r) => r.status === 'YES').reduce((n, r) => n + (r.totalGuests ?? 1), 0);
    return {
      events: events.length,
      rsvps: mine.length,
      rsvpYes: mine.filter((r) => r.status === 'YES').length,
      rsvpNo: mine.filter((r) => r.status === 'NO').length,
      rsvpWaitlist: mine.filter((r) => r.status === 'WAITLIST').length,
      checkedIn,
      attending,
      ratio: attending > 0 ? round(checkedIn / attending) : null,
    };
  }

  for (const groupBy of ['EVENT', 'DAY', 'WEEK']) {
    it(`by ${groupBy}: check-in ratio and RSVP status counts recomputed from the upstream's events and RSVPs`, async () => {
      // Some check-ins first, so the ratios are not all zero.
      const rsvpsBefore = await allByCursor('/events/v2/rsvps/query', 'rsvps', {}, { fields: ['DETAILS'] });
      const yes = rsvpsBefore.find((r) => r.status === 'YES' && (r.checkedInGuestCount ?? 0) === 0);
      if (yes) await stack.upstream('POST', `/events/v2/rsvps/${yes.id}/check-in`, { guestIds: [1] });
      await stack.webhooksIdle();

      await stack.resetStats();
      const res = await stack.gql(`{ checkInReport(groupBy: ${groupBy}, filter: { initialType: { eq: RSVP } }) { ${FIELDS} } }`);
      expect(res.errors).toBeUndefined();
      const stats = await stack.stats();

      const events = await all('/events/v3/events/query', 'events', { filter: { 'registration.initialType': 'RSVP' } }, { fields: ['REGISTRATION'] });
      const rsvps = await allByCursor('/events/v2/rsvps/query', 'rsvps', {}, { fields: ['DETAILS'] });
      const ofEvents = rsvps.filter((r) => events.some((e) => e.id === r.eventId));
      // One events call (up to 1000), then the RSVPs of up to 100 events per `$in` query, 100 rows a page.
      expect(stats.byRoute['POST /events/v3/events/query']).toBe(1);
      expect(stats.byRoute['POST /events/v2/rsvps/query']).toBe(Math.max(1, Math.ceil(ofEvents.length / 100)));
      expect(stats.total, JSON.stringify(stats.byRoute)).toBe(1 + Math.max(1, Math.ceil(ofEvents.length / 100)));

      const report = res.data.checkInReport;
      expect(report).toMatchObject({ complete: true, cutOffReason: null, eventsRead: events.length, rsvpsRead: ofEvents.length });
      const keyOf = (e: any) => (groupBy === 'EVENT' ? e.id : period(e.dateAndTimeSettings.startDate, groupBy));
      const want = groupRows(events, keyOf);
      expect(report.groups.map((g: any) => g.key).sort()).toEqual([...want.keys()].sort());
      for (const { key, label, ...got } of report.groups) {
        expect(got, `${groupBy} ${key}`).toEqual(figures(want.get(key)!, ofEvents));
        if (groupBy === 'EVENT') expect(label).toBe(want.get(key)![0].title);
      }
      const { key: _key, ...total } = report.total;
      expect(total).toEqual(figures(events, ofEvents));
      expect(report.groups.some((g: any) => g.checkedIn > 0)).toBe(true);
    });
  }

  it('says when it was cut off: more RSVPs than a limit of 600, read 100 events per query and 100 rows a page', async () => {
    const upstreamRsvps = await stack.upstream('POST', '/events/v2/rsvps/query', { query: { cursorPaging: { limit: 100 } } }, MANY);
    expect(upstreamRsvps.body.pagingMetadata.cursors.next).toBeTruthy();
    await stack.resetStats();
    const res = await stack.gql(`{ checkInReport(groupBy: EVENT) { complete cutOffReason eventsRead rsvpsRead } }`, undefined, MANY);
    expect(res.errors).toBeUndefined();
    expect(res.data.checkInReport).toMatchObject({ complete: false, eventsRead: 30, rsvpsRead: 600 });
    expect(res.data.checkInReport.cutOffReason).toMatch(/more than 600 RSVPs matched/);
    const stats = await stack.stats();
    expect(stats.byRoute['POST /events/v3/events/query']).toBe(1);
    expect(stats.byRoute['POST /events/v2/rsvps/query']).toBe(6);
  });

  it('takes a date range on the event start', async () => {
    const res = await stack.gql(`{ checkInReport(groupBy: DAY, range: { from: "2026-01-05T00:00:00Z", to: "2026-01-10T00:00:00Z" }) { eventsRead groups { key } } }`);
    expect(res.errors).toBeUndefined();
    const events = (await all('/events/v3/events/query', 'events', {}, { fields: ['DETAILS'] })).filter(
      (e) => e.dateAndTimeSettings?.startDate >= '2026-01-05T00:00:00.000Z' && e.dateAndTimeSettings?.startDate < '2026-01-10T00:00:00.000Z',
    );
    expect(res.data.checkInReport.eventsRead).toBe(events.length);
    expect(res.data.checkInReport.groups.every((g: any) => g.key >= '2026-01-05' && g.key < '2026-01-10')).toBe(true);
  });
});
