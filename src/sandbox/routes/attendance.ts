/**
 * Bookings Attendance v2 (docs/upstream.md §2; seeds 000/001): get, set (an upsert), bulk set, query, count, delete,
 * bulk delete, under every public alias of §1.1, including the `_`-map paths `@wix/sdk` calls on a non-Wix host
 * (`/bookings-attendance/...`, `/_api/bookings-attendance/v2/bulk/attendance/...`).
 *
 * The upsert, its rules and the delete webhook live in domain/attendance.ts. Decided here, where the sources are silent:
 * - Count: the SDK doc scopes it to the calling member and answers PERMISSION_DENIED to every other identity. Every
 *   sandbox token is an app identity (the sandbox has no member log-in), so count answers 403 PERMISSION_DENIED to
 *   all, as the real API does to an API key or app token; clients count through query (docs/fidelity.md).
 */
import {
  attendanceViolations,
  bulkDeleteAttendances,
  bulkSetAttendances,
  deleteAttendance,
  getAttendance,
  setAttendance,
} from '../domain/attendance.js';
import { applicationError, invalidArgument } from '../errors.js';
import { runQuery, type QuerySpec } from '../query-language.js';
import type { Route } from './types.js';

const EQ_IN = ['$eq', '$in', '$ne', '$nin'] as const;

/** The SDK query spec of §2.3: default limit 50 sorted by id ASC, max 1000, cursor paging only. */
export const ATTENDANCE_QUERY_SPEC: QuerySpec = {
  fields: {
    id: { ops: EQ_IN, sort: 'ASC' },
    bookingId: { ops: EQ_IN, sort: 'ASC' },
    eventId: { ops: EQ_IN, sort: 'ASC' },
    sessionId: { ops: EQ_IN, sort: 'ASC' },
    status: { ops: EQ_IN, sort: 'ASC' },
    numberOfAttendees: { ops: ['$eq', '$gt', '$gte', '$in', '$lt', '$lte', '$ne', '$nin'], sort: 'BOTH' },
  },
  defaultSort: [{ fieldName: 'id', order: 'ASC' }],
  defaultLimit: 50,
  maxLimit: 1000,
  paging: 'cursor',
  metadata: 'cursor-no-count',
};

// Every public prefix of the proto paths /v2/attendance and /v2/bulk/attendance (§1.1; the SDK's host maps).
const SINGLE = ['/bookings/v2/attendance', '/bookings/bookings-attendance', '/_api/bookings-attendance', '/bookings/attendance', '/bookings/attendance/v2/attendance', '/bookings-attendance'];
const BULK = [
  '/bookings/v2/bulk/attendance',
  '/bookings-attendance/v2/bulk/attendance',
  '/_api/bookings-attendance/v2/bulk/attendance',
  '/bookings/attendance/v2/bulk/attendance',
  '/api/bookings-attendance/v2/bulk/attendance',
];
const single = (rest: string) => SINGLE.map((p) => p + rest);
const bulk = (rest: string) => BULK.map((p) => p + rest);

export const attendanceRoutes: Route[] = [
  {
    method: 'POST',
    paths: single('/set'),
    handler({ tenant, body }) {
      const violations = attendanceViolations(body.attendance, 'attendance');
      if (violations.length > 0) throw invalidArgument(...violations);
      const attendance = setAttendance(tenant, body.attendance);
      return { attendance };
    },
  },
  {
    method: 'POST',
    paths: single('/query'),
    handler({ tenant, body }) {
      if (!body.query || typeof body.query !== 'object') throw invalidArgument({ field: 'query', description: 'query is required (send {} for all)' });
      const { items, pagingMetadata } = runQuery(tenant.db.attendances.values(), body.query, ATTENDANCE_QUERY_SPEC);
      return { attendances: items, pagingMetadata };
    },
  },
  {
    method: 'POST',
    paths: single('/count'),
    handler() {
      throw applicationError(403, 'PERMISSION_DENIED', 'Count Attendances counts the calling member\'s records; call it with a member identity');
    },
  },
  {
    method: 'GET',
    paths: single('/{attendanceId}'),
    handler({ tenant, params }) {
      return { attendance: getAttendance(tenant, params.attendanceId!) };
    },
  },
  {
    method: 'DELETE',
    paths: single('/{attendanceId}'),
    handler({ tenant, params }) {
      deleteAttendance(tenant, params.attendanceId!);
      return {};
    },
  },
  {
    method: 'POST',
    paths: bulk('/set'),
    handler({ tenant, body }) {
      // The whole request fails when any entry lacks a required field (§2.1); existence fails per item.
      return bulkSetAttendances(tenant, body.attendanceDetails, body.returnFullEntity === true);
    },
  },
  {
    method: 'POST',
    paths: bulk('/delete'),
    handler({ tenant, body }) {
      return bulkDeleteAttendances(tenant, body.attendanceIds);
    },
  },
];
