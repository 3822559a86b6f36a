/**
 * Bookings Attendance v2 (docs/upstream.md §2; seeds 000/001): get, set (an upsert), bulk set, query, count, delete,
 * bulk delete, under every public alias of §1.1, including the `_`-map paths `@wix/sdk` calls on a non-Wix host
 * (`/bookings-attendance/...`, `/_api/bookings-attendance/v2/bulk/attendance/...`).
 *
 * Decisions where the sources are silent:
 * - Set is keyed on (bookingId, eventId): "upsert keyed on the session" (§2.1) and one attendance per session of a
 *   booking (§2 intro). `sessionId` is the deprecated alias of `eventId` (§2.2); either is accepted.
 * - No consistency validation (§2.6): status vs numberOfAttendees and attendees vs the booking's participants are
 *   the client's business; the real API accepts incoherent values, and so does this one.
 * - The booking and the session (calendar event) must exist in the tenant: single set answers 404 BOOKING_NOT_FOUND
 *   / SESSION_NOT_FOUND (codes ours), bulk set fails that item only (§2.1 "entries whose session doesn't exist fail
 *   individually"). A missing session reference is SESSION_ID_NOT_PROVIDED (§2.4), a 400.
 * - Count: the SDK doc scopes it to the calling member and answers PERMISSION_DENIED to every other identity. Every
 *   sandbox token is an app identity (the sandbox has no member log-in), so count answers 403 PERMISSION_DENIED to
 *   all, as the real API does to an API key or app token; clients count through query (docs/fidelity.md).
 * - Status for a missing attendance: 404 ATTENDANCE_NOT_FOUND (the code is the SDK's, the status ours).
 */
import type { Attendance, AttendanceStatus, BulkAttendanceResult, FieldViolation, ItemMetadata } from '../../wire/types.js';
import { LIMITS } from '../../wire/paths.js';
import { ENTITY_FQDN } from '../../wire/types.js';
import { applicationError, invalidArgument, notFound, SandboxError } from '../errors.js';
import { newGuid } from '../ids.js';
import { runQuery, type QuerySpec } from '../query-language.js';
import type { Tenant } from '../tenant.js';
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


const STATUSES: readonly AttendanceStatus[] = ['NOT_SET', 'ATTENDED', 'NOT_ATTENDED'];
/** Bulk set/delete take at most 8 items (§2.1). */
const BULK_MAX = LIMITS.attendanceBulkMax;

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
      const violations = requiredViolations(body.attendance, 'attendance');
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
      const details = body.attendanceDetails;
      if (details === undefined || (Array.isArray(details) && details.length === 0)) {
        throw applicationError(400, 'ATTENDANCES_MISSING_IN_REQUEST', 'attendanceDetails must hold 1 to 8 attendances');
      }
      if (!Array.isArray(details)) throw invalidArgument({ field: 'attendanceDetails', description: `expected an array, got ${JSON.stringify(details)}` });
      if (details.length > BULK_MAX) throw invalidArgument({ field: 'attendanceDetails', description: `at most ${BULK_MAX} items, got ${details.length}`, violatedRule: 'MAX_SIZE' });
      // The whole request fails when any entry lacks a required field (§2.1); existence fails per item.
      const violations = details.flatMap((d: any, i: number) => requiredViolations(d?.attendance, `attendanceDetails[${i}].attendance`));
      if (violations.length > 0) throw invalidArgument(...violations);
      const results: BulkAttendanceResult[] = details.map((d: any, i: number) =>
        perItem(i, () => setAttendance(tenant, d.attendance), body.returnFullEntity === true),
      );
      return { results, bulkActionMetadata: summarize(results) };
    },
  },
  {
    method: 'POST',
    paths: bulk('/delete'),
    handler({ tenant, body }) {
      const ids = body.attendanceIds;
      if (!Array.isArray(ids) || ids.length === 0 || ids.length > BULK_MAX || !ids.every((x) => typeof x === 'string')) {
        throw invalidArgument({ field: 'attendanceIds', description: `expected 1 to ${BULK_MAX} attendance ids, got ${JSON.stringify(ids)}` });
      }
      const results: BulkAttendanceResult[] = ids.map((id: string, i: number) =>
        perItem(i, () => {
          deleteAttendance(tenant, id);
          return { id };
        }, false),
      );
      return { results: results.map((r) => ({ itemMetadata: r.itemMetadata })), bulkActionMetadata: summarize(results) };
    },
  },
];

export function getAttendance(tenant: Tenant, id: string): Attendance {
  const attendance = tenant.db.attendances.get(id);
  if (!attendance) throw notFound('ATTENDANCE_NOT_FOUND', `Attendance ${id} not found`, { attendanceId: id });
  return attendance;
}

/** The upsert of §2.1. Required fields were checked by the caller. */
function setAttendance(tenant: Tenant, input: Attendance): Attendance {
  const eventId = input.eventId ?? input.sessionId;
  if (!eventId) throw applicationError(400, 'SESSION_ID_NOT_PROVIDED', 'attendance.eventId (or the deprecated sessionId) is required');
  if (!tenant.db.bookings.has(input.bookingId!)) {
    throw notFound('BOOKING_NOT_FOUND', `Booking ${input.bookingId} not found`, { bookingId: input.bookingId });
  }
  if (!tenant.db.calendarEvents.has(eventId)) throw notFound('SESSION_NOT_FOUND', `Session ${eventId} not found`, { eventId });
  let existing: Attendance | undefined;
  for (const a of tenant.db.attendances.values()) {
    if (a.bookingId === input.bookingId && a.eventId === eventId) {
      existing = a;
      break;
    }
  }
  const now = new Date().toISOString();
  const next: Attendance = {
    id: existing?.id ?? newGuid(),
    bookingId: input.bookingId,
    ...(input.sessionId !== undefined || existing?.sessionId !== undefined ? { sessionId: input.sessionId ?? existing?.sessionId } : {}),
    status: input.status,
    numberOfAttendees: input.numberOfAttendees ?? 1,
    eventId,
    updatedDate: now,
    statusUpdatedDate: existing && existing.status === input.status ? existing.statusUpdatedDate ?? now : now,
  };
  tenant.db.attendances.set(next.id!, next);
  return next;
}

function deleteAttendance(tenant: Tenant, id: string): void {
  const attendance = getAttendance(tenant, id);
  tenant.db.attendances.delete(id);
  // docs/upstream.md §2.5: the only attendance webhook. Without the entity: the SDK's AttendanceDeletedEnvelope has
  // only metadata and no seed shows a body, so the sandbox promises no more than the id (docs/fidelity.md).
  void attendance;
  tenant.emit({ entityFqdn: ENTITY_FQDN.attendance, slug: 'deleted', entityId: id, deletedEvent: { movedToTrash: null, deletedEntity: null } });
}

/** Field violations for the SDK-required fields (§2.1) and the value types. */
function requiredViolations(a: any, at: string): FieldViolation[] {
  if (!a || typeof a !== 'object' || Array.isArray(a)) return [{ field: at, description: 'is required', violatedRule: 'REQUIRED_FIELD' }];
  const out: FieldViolation[] = [];
  if (typeof a.bookingId !== 'string' || !a.bookingId) out.push({ field: `${at}.bookingId`, description: 'is required', violatedRule: 'REQUIRED_FIELD' });
  if (a.status === undefined || a.status === null) out.push({ field: `${at}.status`, description: 'is required', violatedRule: 'REQUIRED_FIELD' });
  else if (!STATUSES.includes(a.status)) out.push({ field: `${at}.status`, description: `must be one of ${STATUSES.join(', ')}, got ${JSON.stringify(a.status)}`, violatedRule: 'INVALID_ENUM_VALUE' });
  if (a.numberOfAttendees !== undefined && (!Number.isInteger(a.numberOfAttendees) || a.numberOfAttendees < 0 || a.numberOfAttendees > 2 ** 31 - 1)) {
    out.push({ field: `${at}.numberOfAttendees`, description: `must be a non-negative int32, got ${JSON.stringify(a.numberOfAttendees)}`, violatedRule: 'OTHER', ruleName: 'INT32' });
  }
  for (const key of ['eventId', 'sessionId'] as const) {
    const v = a[key];
    if (v !== undefined && (typeof v !== 'string' || v.length < 36 || v.length > 250)) {
      out.push({ field: `${at}.${key}`, description: `must be a calendar event id of 36 to 250 characters, got ${JSON.stringify(v)}`, violatedRule: 'MIN_LENGTH' });
    }
  }
  return out;
}

function perItem(index: number, run: () => Attendance, withItem: boolean): BulkAttendanceResult {
  try {
    const item = run();
    const itemMetadata: ItemMetadata = { id: item.id, originalIndex: index, success: true };
    return withItem ? { itemMetadata, item } : { itemMetadata };
  } catch (err) {
    if (!(err instanceof SandboxError) || !err.body.details.applicationError) throw err;
    return { itemMetadata: { originalIndex: index, success: false, error: err.body.details.applicationError } };
  }
}

function summarize(results: BulkAttendanceResult[]) {
  const ok = results.filter((r) => r.itemMetadata.success).length;
  return { totalSuccesses: ok, totalFailures: results.length - ok, undetailedFailures: 0 };
}
