/**
 * The official @wix/auto_sdk_bookings_attendance through @wix/sdk against the sandbox, both ways the SDK can reach
 * it (docs/upstream.md §1.1): with the default host www.wixapis.com (a fetch wrapper swaps the origin, so the SDK's
 * wixapis paths are served) and with `host.apiBaseUrl` set to the sandbox (the SDK then calls the `_`-map paths,
 * `/bookings-attendance/...` and `/_api/bookings-attendance/v2/bulk/attendance/...`). If the sandbox's wire shapes
 * or aliases drift from the SDK's, these round trips break.
 */
import { createClient } from '@wix/sdk';
import * as attendance from '@wix/auto_sdk_bookings_attendance';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSandbox, type TestSandbox } from './support/sandbox.js';

let t: TestSandbox;
let bookings: { id: string; eventId: string }[];
let next = 0;

beforeAll(async () => {
  t = await startSandbox({ seed: 2 });
  const res = await t.call('POST', '/bookings/bookings-reader/v2/extended-bookings/query', { query: { paging: { limit: 100 } }, withBookingAttendanceInfo: true });
  bookings = res.body.extendedBookings.filter((x: any) => !x.attendance).map((x: any) => ({ id: x.booking.id, eventId: x.booking.bookedEntity.slot.eventId }));
});
afterAll(async () => {
  await t?.stop();
});

function makeClient(mode: 'wixapis' | 'apiBaseUrl', paths: string[]) {
  const origin = new URL(t.url);
  return createClient({
    modules: { attendance },
    ...(mode === 'apiBaseUrl' ? { host: { apiBaseUrl: origin.host } } : {}),
    auth: { getAuthHeaders: async () => ({ headers: { Authorization: t.token } }) },
    fetch: (input: RequestInfo | URL, init?: RequestInit) => {
      // The SDK always builds https://<host><path>; the sandbox speaks plain HTTP on its own origin.
      const url = new URL(input instanceof Request ? input.url : String(input));
      paths.push(`${init?.method ?? (input instanceof Request ? input.method : 'GET')} ${url.pathname}`);
      return fetch(`${t.url}${url.pathname}${url.search}`, init ?? (input as Request));
    },
  });
}

describe.each(['wixapis', 'apiBaseUrl'] as const)('@wix/auto_sdk_bookings_attendance via %s', (mode) => {
  const paths: string[] = [];
  let client: ReturnType<typeof makeClient>;
  beforeAll(() => {
    client = makeClient(mode, paths);
  });

  it('sets, gets, queries and deletes an attendance', async () => {
    const b = bookings[next++]!;
    const set = await client.attendance.setAttendance({ bookingId: b.id, eventId: b.eventId, status: 'ATTENDED', numberOfAttendees: 2 });
    expect(set.attendance).toMatchObject({ _id: expect.stringMatching(/^[0-9a-f-]{36}$/), bookingId: b.id, eventId: b.eventId, status: 'ATTENDED', numberOfAttendees: 2 });
    const id = set.attendance!._id!;

    const got = await client.attendance.getAttendance(id);
    expect(got).toMatchObject({ _id: id, status: 'ATTENDED' });

    const page = await client.attendance.queryAttendance().eq('bookingId', b.id).limit(10).find();
    expect(page.items.map((a) => a._id)).toEqual([id]);

    // Member-scoped upstream: an app identity is refused (docs/fidelity.md).
    await expect(client.attendance.countAttendances({ filter: { status: 'ATTENDED' } })).rejects.toMatchObject({ details: { applicationError: { code: 'PERMISSION_DENIED' } } });

    await client.attendance.deleteAttendance(id);
    await expect(client.attendance.getAttendance(id)).rejects.toMatchObject({ details: { applicationError: { code: 'ATTENDANCE_NOT_FOUND' } } });
  });

  it('bulk-sets and bulk-deletes, reporting per-item results', async () => {
    const [a, b] = [bookings[next++]!, bookings[next++]!];
    const res = await client.attendance.bulkSetAttendance({
      returnFullEntity: true,
      attendanceDetails: [
        { attendance: { bookingId: a.id, eventId: a.eventId, status: 'ATTENDED' } },
        { attendance: { bookingId: b.id, eventId: b.eventId, status: 'NOT_ATTENDED', numberOfAttendees: 0 } },
      ],
    });
    expect(res.bulkActionMetadata).toMatchObject({ totalSuccesses: 2, totalFailures: 0 });
    expect(res.results!.map((r) => [r.itemMetadata?.originalIndex, r.item?.bookingId])).toEqual([
      [0, a.id],
      [1, b.id],
    ]);
    const ids = res.results!.map((r) => r.item!._id!);
    const del = await client.attendance.bulkDeleteAttendances(ids);
    expect(del.bulkActionMetadata).toMatchObject({ totalSuccesses: 2, totalFailures: 0 });
    const left = await client.attendance.queryAttendance().in('_id', ids).find();
    expect(left.items).toEqual([]);
  });

  it('pages a query by cursor the way the SDK does (cursor only on follow-ups)', async () => {
    const first = await client.attendance.queryAttendance().limit(5).find();
    expect(first.items).toHaveLength(5);
    expect(first.hasNext()).toBe(true);
    const second = await first.next();
    expect(second.items).toHaveLength(5);
    const ids = [...first.items, ...second.items].map((a) => a._id);
    expect(new Set(ids).size).toBe(10);
    expect(ids).toEqual([...ids].sort());
  });

  it('surfaces validation errors as SDK errors', async () => {
    await expect(client.attendance.setAttendance({ bookingId: bookings[0]!.id, status: 'ATTENDED' })).rejects.toMatchObject({
      details: { applicationError: { code: 'SESSION_ID_NOT_PROVIDED' } },
    });
  });

  it('called the paths the SDK picks for this host', () => {
    if (mode === 'wixapis') {
      expect(paths).toContain('POST /bookings/bookings-attendance/set');
      expect(paths).toContain('POST /bookings/v2/bulk/attendance/set');
    } else {
      expect(paths).toContain('POST /bookings-attendance/set');
      expect(paths).toContain('POST /_api/bookings-attendance/v2/bulk/attendance/set');
    }
  });
});
