/**
 * Bookings Attendance v2 (docs/upstream.md §2; seeds 000/001) and the attendance a booking read joins (§6.1): the
 * upsert keyed on the session, delete with its webhook, and the bulk forms item by item (bulk.ts). Bookings are
 * read-only here: they come from the demo data.
 *
 * Decisions where the sources are silent:
 * - Set is keyed on (bookingId, eventId): "upsert keyed on the session" (§2.1) and one attendance per session of a
 *   booking (§2 intro). `sessionId` is the deprecated alias of `eventId` (§2.2); either is accepted.
 * - No consistency validation (§2.6): status vs numberOfAttendees and attendees vs the booking's participants are
 *   the client's business; the real API accepts incoherent values, and so does this one.
 * - The booking and the session (calendar event) must exist in the tenant: single set answers 404 BOOKING_NOT_FOUND
 *   / SESSION_NOT_FOUND (codes ours), bulk set fails that item only (§2.1 "entries whose session doesn't exist fail
 *   individually"). A missing session reference is SESSION_ID_NOT_PROVIDED (§2.4), a 400.
 * - Status for a missing attendance: 404 ATTENDANCE_NOT_FOUND (the code is the SDK's, the status ours).
 * - A booking read's attendance join: see `extendBookings`; a session's bookings include its schedule's course
 *   bookings (`bookingsOfSession`).
 */
import { LIMITS } from '../../wire/paths.js';
import type { Attendance, AttendanceStatus, Booking, BulkAttendanceResult, ExtendedBooking, FieldViolation } from '../../wire/types.js';
import { ENTITY_FQDN } from '../../wire/types.js';
import { now } from '../clock.js';
import { applicationError, invalidArgument, notFound } from '../errors.js';
import { newGuid } from '../ids.js';
import type { Tenant } from '../tenant.js';
import { bulkActionMetadata, bulkItem } from './bulk.js';

const STATUSES: readonly AttendanceStatus[] = ['NOT_SET', 'ATTENDED', 'NOT_ATTENDED'];
/** Bulk set/delete take at most 8 items (§2.1). */
const BULK_MAX = LIMITS.attendanceBulkMax;

export function getAttendance(tenant: Tenant, id: string): Attendance {
  const attendance = tenant.db.attendances.get(id);
  if (!attendance) throw notFound('ATTENDANCE_NOT_FOUND', `Attendance ${id} not found`, { attendanceId: id });
  return attendance;
}

/** The upsert of §2.1. Required fields were checked by the caller. */
export function setAttendance(tenant: Tenant, input: Attendance): Attendance {
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
  const updated = now();
  const next: Attendance = {
    id: existing?.id ?? newGuid(),
    bookingId: input.bookingId,
    ...(input.sessionId !== undefined || existing?.sessionId !== undefined ? { sessionId: input.sessionId ?? existing?.sessionId } : {}),
    status: input.status,
    numberOfAttendees: input.numberOfAttendees ?? 1,
    eventId,
    updatedDate: updated,
    statusUpdatedDate: existing && existing.status === input.status ? existing.statusUpdatedDate ?? updated : updated,
  };
  tenant.db.attendances.set(next.id!, next);
  return next;
}

export function deleteAttendance(tenant: Tenant, id: string): void {
  getAttendance(tenant, id);
  tenant.db.attendances.delete(id);
  // docs/upstream.md §2.5: the only attendance webhook. Without the entity: the SDK's AttendanceDeletedEnvelope has
  // only metadata and no seed shows a body, so the sandbox promises no more than the id (docs/fidelity.md).
  tenant.emit({ entityFqdn: ENTITY_FQDN.attendance, slug: 'deleted', entityId: id, deletedEvent: { movedToTrash: null, deletedEntity: null } });
}

/** Field violations for the SDK-required fields (§2.1) and the value types. */
export function attendanceViolations(a: any, at: string): FieldViolation[] {
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

/**
 * Bulk set (§2.1): 1..8 `{attendance}` entries. The whole request fails when any entry lacks a required field;
 * a missing booking or session fails that entry only.
 */
export function bulkSetAttendances(tenant: Tenant, details: unknown, returnFullEntity: boolean) {
  if (details === undefined || (Array.isArray(details) && details.length === 0)) {
    throw applicationError(400, 'ATTENDANCES_MISSING_IN_REQUEST', 'attendanceDetails must hold 1 to 8 attendances');
  }
  if (!Array.isArray(details)) throw invalidArgument({ field: 'attendanceDetails', description: `expected an array, got ${JSON.stringify(details)}` });
  if (details.length > BULK_MAX) throw invalidArgument({ field: 'attendanceDetails', description: `at most ${BULK_MAX} items, got ${details.length}`, violatedRule: 'MAX_SIZE' });
  const violations = details.flatMap((d: any, i: number) => attendanceViolations(d?.attendance, `attendanceDetails[${i}].attendance`));
  if (violations.length > 0) throw invalidArgument(...violations);
  const results: BulkAttendanceResult[] = details.map((d: any, i: number) => {
    const { itemMetadata, item } = bulkItem(i, () => setAttendance(tenant, d.attendance), (a) => a?.id);
    return returnFullEntity && item ? { itemMetadata, item } : { itemMetadata };
  });
  return { results, bulkActionMetadata: bulkActionMetadata(results) };
}

/** Bulk delete (§2.1): 1..8 ids; an unknown id fails that item only. */
export function bulkDeleteAttendances(tenant: Tenant, ids: unknown) {
  if (!Array.isArray(ids) || ids.length === 0 || ids.length > BULK_MAX || !ids.every((x) => typeof x === 'string')) {
    throw invalidArgument({ field: 'attendanceIds', description: `expected 1 to ${BULK_MAX} attendance ids, got ${JSON.stringify(ids)}` });
  }
  const results: BulkAttendanceResult[] = ids.map((id: string, i: number) => {
    const { itemMetadata } = bulkItem(i, () => (deleteAttendance(tenant, id), id), (deleted) => deleted);
    return { itemMetadata };
  });
  return { results, bulkActionMetadata: bulkActionMetadata(results) };
}

/**
 * Extended bookings (§6.1): each booking, with its attendance when `withAttendance`: the one of `sessionId` when
 * the read names a session (none otherwise), else the one for the booked slot's session when there is one, else any
 * attendance of the booking. Without the flag `attendance` is absent.
 */
export function extendBookings(tenant: Tenant, bookings: Booking[], withAttendance: boolean, sessionId?: string): ExtendedBooking[] {
  const byBooking = withAttendance ? attendanceIndex(tenant) : undefined;
  return bookings.map((booking) => {
    const attendance = byBooking ? pickAttendance(booking, byBooking.get(booking.id!), sessionId) : undefined;
    return attendance ? { booking, attendance } : { booking };
  });
}

/** A session's bookings: its slot bookings, and for a session of a schedule, that schedule's course bookings. */
export function bookingsOfSession(tenant: Tenant, sessionId: string): Booking[] {
  const scheduleId = tenant.db.calendarEvents.get(sessionId)?.scheduleId;
  const out: Booking[] = [];
  for (const b of tenant.db.bookings.values()) {
    const entity = b.bookedEntity;
    if (entity?.slot?.eventId === sessionId || (scheduleId !== undefined && entity?.schedule?.scheduleId === scheduleId)) out.push(b);
  }
  return out;
}

// --- private helpers -------------------------------------------------------------------------------------------

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
