/** Bookings, read through the Bookings Reader extended-bookings API (docs/upstream.md §6.1). */
import { PATHS } from '../../wire/paths.js';
import type { Filter, QueryExtendedBookingsResponse, QueryV2 } from '../../wire/types.js';
import type { Credentials, UpstreamHttp } from './http.js';

export function createBookingsClient(http: UpstreamHttp, creds: Credentials) {
  return {
    query: (query: QueryV2, withBookingAttendanceInfo = false) =>
      http.request<QueryExtendedBookingsResponse>(creds, {
        method: 'POST',
        path: PATHS.bookings.query,
        body: { query, withBookingAttendanceInfo },
      }),
    /**
     * A session's bookings, course bookings included: `sessionId` of the deprecated Query Extended Booking, the one
     * way the SDK states to find course bookings (they carry no slot event id; docs/fidelity.md). One session a call.
     */
    queryBySession: (sessionId: string, query: QueryV2, withBookingAttendanceInfo = false) =>
      http.request<QueryExtendedBookingsResponse>(creds, {
        method: 'POST',
        path: PATHS.bookings.queryBySession,
        body: { query, withBookingAttendanceInfo, sessionId },
      }),
    count: (filter?: Filter) =>
      http.request<{ count: number }>(creds, { method: 'POST', path: PATHS.bookings.count, body: { filter } }).then((r) => r.count),
  };
}
export type BookingsClient = ReturnType<typeof createBookingsClient>;
