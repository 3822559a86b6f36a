/**
 * setAttendance / bulkSetAttendance through the gateway against the sandbox's demo bookings. The upstream accepts
 * incoherent attendance (docs/upstream.md §2.6), so these tests show the gateway refusing it — with the upstream read
 * back unchanged and no attendance write in the sandbox stats — and writing what is coherent.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startStack, type Stack } from './support/stack.js';
import { ERROR_FIELDS } from './support/queries.js';

let stack: Stack;
/** Demo bookings with one session each (slot eventId) and a known participant count. */
let bookings: { id: string; eventId: string; participants: number }[];

beforeAll(async () => {
  stack = await startStack({ webhooks: false });
  const res = await stack.upstream('POST', '/bookings/bookings-reader/v2/extended-bookings/query', { query: { paging: { limit: 100 } } });
  expect(res.status).toBe(200);
  bookings = res.body.extendedBookings
    .map((x: any) => x.booking)
    .filter((b: any) => b.bookedEntity?.slot?.eventId && (b.totalParticipants || b.participantsChoices))
    .map((b: any) => ({
      id: b.id,
      eventId: b.bookedEntity.slot.eventId,
      participants: b.totalParticipants ?? b.participantsChoices.serviceChoices.reduce((n: number, c: any) => n + c.numberOfParticipants, 0),
    }));
  expect(bookings.length).toBeGreaterThanOrEqual(20);
});
afterAll(async () => {
  await stack?.stop();
});

const SET = `mutation($input: SetAttendanceInput!) { setAttendance(input: $input) {
  ${ERROR_FIELDS} ... on SetAttendancePayload { attendance { attendanceId status numberOfAttendees } } } }`;
const BULK = `mutation($input: BulkSetAttendanceInput!) { bulkSetAttendance(input: $input) {
  ${ERROR_FIELDS} ... on BulkSetAttendancePayload { successCount failureCount results { index bookingId success } } } }`;

const attendanceWrites = ['POST /bookings/v2/attendance/set', 'POST /bookings/v2/bulk/attendance/set'];

async function upstreamAttendance(bookingIds: string[]): Promise<any[]> {
  const res = await stack.upstream('POST', '/bookings/v2/attendance/query', { query: { filter: { bookingId: { $in: bookingIds } }, cursorPaging: { limit: 100 } } });
  expect(res.status).toBe(200);
  return res.body.attendances;
}

async function writeCalls(): Promise<number> {
  const { byRoute } = await stack.stats();
  return attendanceWrites.reduce((n, route) => n + (byRoute[route] ?? 0), 0);
}

/** A booking not used by another test (each test takes its own). */
let next = 0;
function booking(minParticipants = 1) {
  const found = bookings.slice(next).find((b) => b.participants >= minParticipants);
  expect(found).toBeDefined();
  next = bookings.indexOf(found!) + 1;
  return found!;
}

describe('setAttendance', () => {
  it("records attendance for the booking's session and returns it", async () => {
    const b = booking();
    const res = await stack.gql(SET, { input: { bookingId: b.id, status: 'ATTENDED', numberOfAttendees: b.participants } });
    expect(res.errors).toBeUndefined();
    expect(res.data.setAttendance.__typename).toBe('SetAttendancePayload');
    const [stored] = await upstreamAttendance([b.id]);
    expect(stored).toMatchObject({ id: res.data.setAttendance.attendance.attendanceId, bookingId: b.id, eventId: b.eventId, status: 'ATTENDED', numberOfAttendees: b.participants });
  });

  it('records NOT_ATTENDED as 0 attendees when no count is given', async () => {
    const b = booking();
    const res = await stack.gql(SET, { input: { bookingId: b.id, eventId: b.eventId, status: 'NOT_ATTENDED' } });
    expect(res.data.setAttendance.__typename).toBe('SetAttendancePayload');
    const [stored] = await upstreamAttendance([b.id]);
    expect(stored).toMatchObject({ status: 'NOT_ATTENDED', numberOfAttendees: 0 });
  });

  it.each([
    ['NOT_ATTENDED with attendees', { status: 'NOT_ATTENDED', numberOfAttendees: 2 }, 'input.numberOfAttendees', 'CONTRADICTION'],
    ['ATTENDED with 0', { status: 'ATTENDED', numberOfAttendees: 0 }, 'input.numberOfAttendees', 'CONTRADICTION'],
    ['a negative count', { status: 'NOT_SET', numberOfAttendees: -1 }, 'input.numberOfAttendees', 'RANGE'],
    ['an id that is not a GUID', { bookingId: 'booking-1', status: 'ATTENDED' }, 'input.bookingId', 'FORMAT'],
    ['a session id too short', { eventId: 'session-1', status: 'ATTENDED' }, 'input.eventId', 'FORMAT'],
    ['an empty notification message', { status: 'ATTENDED', participantNotification: { notifyParticipants: true, message: '' } }, 'input.participantNotification.message', 'MIN_LENGTH'],
  ])('refuses %s without writing', async (_name, override, field, rule) => {
    const b = booking();
    const before = await upstreamAttendance([b.id]);
    await stack.resetStats();
    const res = await stack.gql(SET, { input: { bookingId: b.id, ...override } });
    expect(res.data.setAttendance).toMatchObject({ __typename: 'ValidationError', code: 'VALIDATION_FAILED', field, rule });
    expect((await stack.stats()).total).toBe(0);
    expect(await upstreamAttendance([b.id])).toEqual(before);
  });

  it('refuses a session that is not the booking\'s own', async () => {
    const [a, other] = [booking(), bookings.find((x) => x.eventId !== bookings[next - 1]!.eventId)!];
    // Counted from here: writes made by tests that ran before this one are not this test's business.
    await stack.resetStats();
    const res = await stack.gql(SET, { input: { bookingId: a.id, eventId: other.eventId, status: 'ATTENDED' } });
    expect(res.data.setAttendance).toMatchObject({ __typename: 'ValidationError', field: 'input.eventId', rule: 'CONTRADICTION' });
    expect(await writeCalls()).toBe(0);
  });

  it("refuses more attendees than the booking's participants unless walk-ins are allowed", async () => {
    const b = booking();
    const before = await upstreamAttendance([b.id]);
    await stack.resetStats();
    const over = await stack.gql(SET, { input: { bookingId: b.id, status: 'ATTENDED', numberOfAttendees: b.participants + 2 } });
    expect(over.data.setAttendance).toMatchObject({
      __typename: 'CapacityExceededError',
      code: 'CAPACITY_EXCEEDED',
      field: 'input.numberOfAttendees',
      requested: b.participants + 2,
      available: b.participants,
    });
    expect(await writeCalls()).toBe(0);
    expect(await upstreamAttendance([b.id])).toEqual(before);

    const walkIns = await stack.gql(SET, { input: { bookingId: b.id, status: 'ATTENDED', numberOfAttendees: b.participants + 2, allowWalkIns: true } });
    expect(walkIns.data.setAttendance.__typename).toBe('SetAttendancePayload');
    const [stored] = await upstreamAttendance([b.id]);
    expect(stored.numberOfAttendees).toBe(b.participants + 2);
  });

  it('reports an unknown booking as NotFoundError without writing', async () => {
    const missing = '00000000-0000-4000-8000-000000000000';
    await stack.resetStats();
    const res = await stack.gql(SET, { input: { bookingId: missing, eventId: bookings[0]!.eventId, status: 'ATTENDED' } });
    expect(res.data.setAttendance).toMatchObject({ __typename: 'NotFoundError', resource: 'Booking', id: missing });
    expect(await writeCalls()).toBe(0);
  });
});

describe('bulkSetAttendance', () => {
  it('writes any number of items, 8 per upstream call', async () => {
    const items = Array.from({ length: 10 }, () => booking()).map((b) => ({ bookingId: b.id, status: 'ATTENDED', numberOfAttendees: 1 }));
    await stack.resetStats();
    const res = await stack.gql(BULK, { input: { items } });
    expect(res.errors).toBeUndefined();
    expect(res.data.bulkSetAttendance).toMatchObject({ __typename: 'BulkSetAttendancePayload', successCount: 10, failureCount: 0 });
    expect(res.data.bulkSetAttendance.results.map((r: any) => r.bookingId)).toEqual(items.map((i) => i.bookingId));
    expect((await stack.stats()).byRoute['POST /bookings/v2/bulk/attendance/set']).toBe(Math.ceil(10 / 8));
    const stored = await upstreamAttendance(items.map((i) => i.bookingId));
    expect(stored).toHaveLength(10);
    expect(stored.every((a) => a.status === 'ATTENDED' && a.numberOfAttendees === 1)).toBe(true);
  });

  it('refuses the whole batch when one item is incoherent, naming the item', async () => {
    const items = Array.from({ length: 3 }, () => booking()).map((b) => ({ bookingId: b.id, status: 'ATTENDED' }));
    items[2] = { ...items[2]!, status: 'NOT_ATTENDED', numberOfAttendees: 4 } as any;
    const before = await upstreamAttendance(items.map((i) => i.bookingId));
    await stack.resetStats();
    const res = await stack.gql(BULK, { input: { items } });
    expect(res.data.bulkSetAttendance).toMatchObject({ __typename: 'ValidationError', field: 'input.items[2].numberOfAttendees', rule: 'CONTRADICTION' });
    expect(await writeCalls()).toBe(0);
    expect(await upstreamAttendance(items.map((i) => i.bookingId))).toEqual(before);
  });

  it('refuses the same booking and session twice in one batch', async () => {
    const b = booking();
    const res = await stack.gql(BULK, { input: { items: [{ bookingId: b.id, status: 'ATTENDED' }, { bookingId: b.id, status: 'NOT_ATTENDED' }] } });
    expect(res.data.bulkSetAttendance).toMatchObject({ __typename: 'ValidationError', field: 'input.items[1].bookingId', rule: 'DUPLICATE' });
  });
});
