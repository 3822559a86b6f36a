/**
 * Bookings Reader v2, extended bookings (docs/upstream.md §6.1; `@wix/auto_sdk_bookings_extended-bookings`): query and
 * count, under `/bookings/bookings-reader/v2/...` (wixapis) and `/_api/bookings-reader/v2/...` (the SDK's other
 * hosts). Bookings are read-only here: they come from the demo data.
 *
 * Decisions where the sources are silent:
 * - Filter fields are the ones §6.1 assumes (`id`, `status`, `contactDetails.contactId`, `bookedEntity.slot.eventId`,
 *   `bookedEntity.slot.scheduleId` with `$eq $in $ne $nin`, `startDate` with ranges too), plus `createdDate` for
 *   sorting. Default sort `createdDate` DESC (newest first, like the other Wix readers); limit 50, max 100
 *   (LIMITS.bookingsQueryMax). Both offset and cursor paging, answered with PagingMetadataV2.
 * - `withBookingAttendanceInfo: true` joins the booking's attendance: the one for the booked slot's session when
 *   there is one, else any attendance of the booking. Without the flag `attendance` is absent.
 */
import { LIMITS } from '../../wire/paths.js';
import type { Attendance, Booking, ExtendedBooking } from '../../wire/types.js';
import { countMatching, runQuery, type QuerySpec } from '../query-language.js';
import type { Tenant } from '../tenant.js';
import type { Route } from './types.js';

const EQ_IN = ['$eq', '$in', '$ne', '$nin'] as const;
const RANGE = ['$eq', '$in', '$ne', '$nin', '$gt', '$gte', '$lt', '$lte'] as const;

export const BOOKINGS_QUERY_SPEC: QuerySpec = {
  fields: {
    id: { ops: EQ_IN },
    status: { ops: EQ_IN },
    'contactDetails.contactId': { ops: EQ_IN },
    'bookedEntity.slot.eventId': { ops: EQ_IN },
    'bookedEntity.slot.scheduleId': { ops: EQ_IN },
    startDate: { ops: RANGE, sort: 'BOTH' },
    createdDate: { ops: RANGE, sort: 'BOTH' },
  },
  defaultSort: [{ fieldName: 'createdDate', order: 'DESC' }],
  defaultLimit: 50,
  maxLimit: LIMITS.bookingsQueryMax,
  paging: 'both',
  metadata: 'v2',
};

const PREFIXES = ['/bookings/bookings-reader/v2/extended-bookings', '/_api/bookings-reader/v2/extended-bookings'];
// The deprecated singular Query Extended Booking the SDK still ships (queryExtendedBooking): same body and answer.
const SINGULAR = ['/bookings/bookings-reader/v2/extended-booking', '/_api/bookings-reader/v2/extended-booking'];

export const bookingsRoutes: Route[] = [
  {
    method: 'POST',
    paths: [...PREFIXES, ...SINGULAR].map((p) => `${p}/query`),
    handler({ tenant, body }) {
      const { items, pagingMetadata } = runQuery(tenant.db.bookings.values(), body.query, BOOKINGS_QUERY_SPEC);
      const byBooking = body.withBookingAttendanceInfo === true ? attendanceIndex(tenant) : undefined;
      const extendedBookings: ExtendedBooking[] = items.map((booking) => {
        const attendance = byBooking ? pickAttendance(booking, byBooking.get(booking.id!)) : undefined;
        return attendance ? { booking, attendance } : { booking };
      });
      return { extendedBookings, pagingMetadata };
    },
  },
  {
    method: 'POST',
    paths: PREFIXES.map((p) => `${p}/count`),
    handler({ tenant, body }) {
      return { count: countMatching(tenant.db.bookings.values(), body.filter, BOOKINGS_QUERY_SPEC) };
    },
  },
];

/** One pass over the attendances instead of one per booking on the page. */
function attendanceIndex(tenant: Tenant): Map<string, Attendance[]> {
  const index = new Map<string, Attendance[]>();
  for (const a of tenant.db.attendances.values()) {
    if (!a.bookingId) continue;
    const list = index.get(a.bookingId) ?? [];
    list.push(a);
    index.set(a.bookingId, list);
  }
  return index;
}

function pickAttendance(booking: Booking, list: Attendance[] | undefined): Attendance | undefined {
  if (!list?.length) return undefined;
  const slotEvent = booking.bookedEntity?.slot?.eventId;
  return list.find((a) => a.eventId === slotEvent) ?? list[0];
}
