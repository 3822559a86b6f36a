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
 * - `sessionId` (the SDK's QueryExtendedBookingRequest, declared only on the deprecated singular query): the bookings
 *   of that session, course bookings included, overriding any `id` filter, as the SDK states ("Bookings for courses
 *   don't include a sessionId. For these bookings, you must use this field"). A course booking
 *   (`bookedEntity.schedule`) is in every session of its schedule. The plural query declares no `sessionId` and
 *   ignores one, like any unknown field. A session the tenant lacks matches no booking (the sources are silent).
 *   The joined attendance is then the one of that session.
 */
import { LIMITS } from '../../wire/paths.js';
import type { Attendance, Booking, ExtendedBooking } from '../../wire/types.js';
import { invalidArgument } from '../errors.js';
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
    paths: PREFIXES.map((p) => `${p}/query`),
    handler: ({ tenant, body }) => queryBookings(tenant, body, undefined),
  },
  {
    method: 'POST',
    paths: SINGULAR.map((p) => `${p}/query`),
    handler({ tenant, body }) {
      const sessionId = body?.sessionId;
      if (sessionId !== undefined && sessionId !== null && (typeof sessionId !== 'string' || !sessionId)) {
        throw invalidArgument({ field: 'sessionId', description: `expected a session id (a non-empty string), got ${JSON.stringify(sessionId)}` });
      }
      return queryBookings(tenant, body, sessionId ?? undefined);
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

function queryBookings(tenant: Tenant, body: any, sessionId: string | undefined) {
  let rows: Iterable<Booking> = tenant.db.bookings.values();
  let query = body?.query;
  if (sessionId !== undefined) {
    rows = bookingsOfSession(tenant, sessionId);
    // "This filter overrides the booking.id filter inside the query object."
    if (query?.filter && typeof query.filter === 'object' && 'id' in query.filter) {
      const { id: _overridden, ...filter } = query.filter;
      query = { ...query, filter };
    }
  }
  const { items, pagingMetadata } = runQuery(rows, query, BOOKINGS_QUERY_SPEC);
  const byBooking = body?.withBookingAttendanceInfo === true ? attendanceIndex(tenant) : undefined;
  const extendedBookings: ExtendedBooking[] = items.map((booking) => {
    const attendance = byBooking ? pickAttendance(booking, byBooking.get(booking.id!), sessionId) : undefined;
    return attendance ? { booking, attendance } : { booking };
  });
  return { extendedBookings, pagingMetadata };
}

/** A session's bookings: its slot bookings, and for a session of a schedule, that schedule's course bookings. */
function bookingsOfSession(tenant: Tenant, sessionId: string): Booking[] {
  const scheduleId = tenant.db.calendarEvents.get(sessionId)?.scheduleId;
  const out: Booking[] = [];
  for (const b of tenant.db.bookings.values()) {
    const entity = b.bookedEntity;
    if (entity?.slot?.eventId === sessionId || (scheduleId !== undefined && entity?.schedule?.scheduleId === scheduleId)) out.push(b);
  }
  return out;
}

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

function pickAttendance(booking: Booking, list: Attendance[] | undefined, sessionId?: string): Attendance | undefined {
  if (!list?.length) return undefined;
  const session = sessionId ?? booking.bookedEntity?.slot?.eventId;
  return list.find((a) => a.eventId === session) ?? (sessionId === undefined ? list[0] : undefined);
}
