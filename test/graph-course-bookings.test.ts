/**
 * Course bookings (docs/fidelity.md, "Course bookings"): a course booking books a schedule, not a slot, so it carries
 * no session id; the SDK's only read for it is the deprecated Query Extended Booking's `sessionId`, one session a
 * call. Session.bookings, Session.attendanceSummary and noShowReport of a course session count its course bookings,
 * with one upstream call per distinct course schedule in a request (read from the sandbox's request counters).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startStack, type Stack } from './support/stack.js';

const SINGULAR = 'POST /bookings/bookings-reader/v2/extended-booking/query';
const PLURAL = 'POST /bookings/bookings-reader/v2/extended-bookings/query';

interface Course {
  scheduleId: string;
  sessions: { id: string }[];
  bookings: { id: string; totalParticipants: number; status: string }[];
}

let stack: Stack;
let unbatched: Stack;
let yoga: Course;
let pottery: Course;

async function addCourse(s: Stack, body: Record<string, unknown>): Promise<Course> {
  const res = await fetch(`${s.sandboxUrl}/__sandbox/courses`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ token: s.token, ...body }) });
  expect(res.status).toBe(200);
  return (await res.json()) as Course;
}

async function setAttendance(s: Stack, bookingId: string, eventId: string, status: string, numberOfAttendees: number) {
  const res = await s.upstream('POST', '/bookings/v2/attendance/set', { attendance: { bookingId, eventId, status, numberOfAttendees } });
  expect(res.status).toBe(200);
}

/** Two courses on each stack, with the same attendance: yoga 3 sessions x 3 bookings (one canceled), pottery 2 x 1. */
async function prepare(s: Stack): Promise<{ yoga: Course; pottery: Course }> {
  const y = await addCourse(s, { title: 'Yoga course', sessions: 3, bookings: [{ totalParticipants: 2 }, { totalParticipants: 3 }, { totalParticipants: 1, status: 'CANCELED' }] });
  const p = await addCourse(s, { title: 'Pottery course', sessions: 2, bookings: [{ totalParticipants: 4 }], start: '2026-04-01T10:00:00Z' });
  // Session 1 of yoga: booking 1 came with 2, booking 2 did not come. Session 2: booking 1 came with 1. Pottery 1: 3 of 4.
  await setAttendance(s, y.bookings[0]!.id, y.sessions[0]!.id, 'ATTENDED', 2);
  await setAttendance(s, y.bookings[1]!.id, y.sessions[0]!.id, 'NOT_ATTENDED', 0);
  await setAttendance(s, y.bookings[0]!.id, y.sessions[1]!.id, 'ATTENDED', 1);
  await setAttendance(s, p.bookings[0]!.id, p.sessions[0]!.id, 'ATTENDED', 3);
  return { yoga: y, pottery: p };
}

beforeAll(async () => {
  [stack, unbatched] = await Promise.all([startStack(), startStack({ gateway: { batchLoads: false } })]);
  ({ yoga, pottery } = await prepare(stack));
  await prepare(unbatched);
});
afterAll(async () => {
  await Promise.all([stack?.stop(), unbatched?.stop()]);
});

const SESSIONS = `query($ids: [ID!]) { sessions(first: 100, filter: { scheduleId: { in: $ids } }) { edges { node { sessionId type
  bookings(first: 10) { edges { node { bookingId status bookedEntity { tags schedule { scheduleId } } } } }
  attendanceSummary { attended notAttended notSet totalAttendees bookedParticipants noShowRate } } } } }`;

describe('course bookings', () => {
  it("Session.bookings of a course session lists its schedule's course bookings, one upstream call for the course's three sessions", async () => {
    await stack.resetStats();
    const res = await stack.gql(SESSIONS, { ids: [yoga.scheduleId] });
    expect(res.errors).toBeUndefined();
    const sessions = res.data.sessions.edges.map((e: any) => e.node);
    expect(sessions.map((s: any) => s.sessionId).sort()).toEqual(yoga.sessions.map((s) => s.id).sort());
    const want = yoga.bookings.map((b) => b.id).sort();
    for (const s of sessions) {
      expect(s.type).toBe('COURSE');
      expect(s.bookings.edges.map((e: any) => e.node.bookingId).sort(), s.sessionId).toEqual(want);
      expect(s.bookings.edges.every((e: any) => e.node.bookedEntity.tags.includes("COURSE") && e.node.bookedEntity.schedule.scheduleId === yoga.scheduleId)).toBe(true);
    }
    const byId = new Map(sessions.map((s: any) => [s.sessionId, s.attendanceSummary]));
    // 5 live participants (2 + 3; the canceled booking's 1 does not count) in every session of the course.
    expect(byId.get(yoga.sessions[0]!.id)).toEqual({ attended: 1, notAttended: 1, notSet: 0, totalAttendees: 2, bookedParticipants: 5, noShowRate: 0.6 });
    expect(byId.get(yoga.sessions[1]!.id)).toEqual({ attended: 1, notAttended: 0, notSet: 1, totalAttendees: 1, bookedParticipants: 5, noShowRate: 0.5 });
    expect(byId.get(yoga.sessions[2]!.id)).toEqual({ attended: 0, notAttended: 0, notSet: 2, totalAttendees: 0, bookedParticipants: 5, noShowRate: null });

    const stats = await stack.stats();
    expect(stats.byRoute).toEqual({
      'POST /calendar/v3/events/query': 1, // the three sessions
      'POST /bookings/v2/attendance/query': 1, // their attendances: eventId $in
      [SINGULAR]: 1, // the course's bookings: sessionId of one of its sessions, shared by the other two
    });
  });

  it('noShowReport counts course bookings in each of their sessions: one call per course, not per session', async () => {
    const query = `query($ids: [ID!]) { noShowReport(filter: { scheduleId: { in: $ids } }) { sessions complete bookedParticipants attendees noShowRate
      summary { attended notAttended notSet } } }`;
    await stack.resetStats();
    const res = await stack.gql(query, { ids: [yoga.scheduleId, pottery.scheduleId] });
    expect(res.errors).toBeUndefined();
    // Participants: yoga 5 x 3 sessions + pottery 4 x 2 = 23. Recorded: yoga s1 (5 due, 2 came), s2 (2 due, 1 came),
    // pottery s1 (4 due, 3 came): (11 - 6) / 11.
    expect(res.data.noShowReport).toEqual({
      sessions: 5,
      complete: true,
      bookedParticipants: 23,
      attendees: 6,
      noShowRate: Math.round((5 / 11) * 10_000) / 10_000,
      summary: { attended: 3, notAttended: 1, notSet: 4 },
    });
    const batched = await stack.stats();
    expect(batched.byRoute).toEqual({ 'POST /calendar/v3/events/query': 1, 'POST /bookings/v2/attendance/query': 1, [SINGULAR]: 2 });

    // Without loaders every session costs its own call: 5 instead of 2.
    await unbatched.resetStats();
    const slow = await unbatched.gql(query, { ids: (await idsOf(unbatched)).schedules });
    expect(slow.data.noShowReport).toEqual(res.data.noShowReport);
    const n1 = await unbatched.stats();
    expect(n1.byRoute[SINGULAR]).toBe(5);
    console.log(`noShowReport over 2 courses (5 sessions): ${batched.total} upstream requests with loaders (${batched.byRoute[SINGULAR]} course reads), ${n1.total} without`, n1.byRoute);
  });

  it('a report over class and course sessions reads slot bookings by event id and course bookings by session: 5 calls', async () => {
    await stack.resetStats();
    const res = await stack.gql(`{ noShowReport { sessions bookedParticipants } sessions(first: 100) { edges { node { sessionId type
      attendanceSummary { bookedParticipants } } } } }`);
    expect(res.errors).toBeUndefined();
    const rows = res.data.sessions.edges.map((e: any) => e.node);
    expect(res.data.noShowReport.sessions).toBe(rows.length);
    expect(res.data.noShowReport.bookedParticipants).toBe(rows.reduce((n: number, s: any) => n + s.attendanceSummary.bookedParticipants, 0));
    const courseRows = rows.filter((s: any) => s.type === 'COURSE');
    expect(courseRows).toHaveLength(5);
    expect(courseRows.reduce((n: number, s: any) => n + s.attendanceSummary.bookedParticipants, 0)).toBe(23);
    const stats = await stack.stats();
    // Two session reads (the report's and the list's) and one read each of attendances, slot bookings and each course.
    expect(stats.byRoute).toEqual({
      'POST /calendar/v3/events/query': 2,
      'POST /bookings/v2/attendance/query': 1,
      [PLURAL]: 1,
      [SINGULAR]: 2,
    });
  });
});

async function idsOf(s: Stack): Promise<{ schedules: string[] }> {
  const res = await s.upstream('POST', '/calendar/v3/events/query', { query: { filter: { type: 'COURSE' }, cursorPaging: { limit: 100 } } });
  return { schedules: [...new Set<string>(res.body.events.map((e: any) => e.scheduleId))] };
}
