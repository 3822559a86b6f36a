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
 * - `withBookingAttendanceInfo: true` joins the booking's attendance (domain/attendance.ts).
 * - `sessionId` (the SDK's QueryExtendedBookingRequest, declared only on the deprecated singular query): the bookings
 *   of that session, course bookings included, overriding any `id` filter, as the SDK states ("Bookings for courses
 *   don't include a sessionId. For these bookings, you must use this field"). A course booking
 *   (`bookedEntity.schedule`) is in every session of its schedule. The plural query declares no `sessionId` and
 *   ignores one, like any unknown field. A session the tenant lacks matches no booking (the sources are silent).
 *   The joined attendance is then the one of that session. Which bookings a session has: domain/attendance.ts.
 */
import { LIMITS } from '../../wire/paths.js';
import type { Booking } from '../../wire/types.js';
import { bookingsOfSession, extendBookings } from '../domain/attendance.js';
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
  const extendedBookings = extendBookings(tenant, items, body?.withBookingAttendanceInfo === true, sessionId);
  return { extendedBookings, pagingMetadata };
}
