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
    count: (filter?: Filter) =>
      http.request<{ count: number }>(creds, { method: 'POST', path: PATHS.bookings.count, body: { filter } }).then((r) => r.count),
  };
}
export type BookingsClient = ReturnType<typeof createBookingsClient>;
