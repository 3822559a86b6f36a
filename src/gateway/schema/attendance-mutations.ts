/**
 * setAttendance / bulkSetAttendance (Bookings Attendance v2, docs/upstream.md §2). The upstream accepts attendance that
 * contradicts itself or the booking (§2.6: "the API does not enforce them"), so the gateway enforces the docs'
 * rules here, before any write:
 * - status and numberOfAttendees agree: NOT_ATTENDED means nobody came (0), ATTENDED means at least one came,
 *   and a count is never negative (seed 000/001 "Validation rules");
 * - numberOfAttendees ≤ the booking's participants (totalParticipants, or the sum of
 *   participantsChoices.serviceChoices[].numberOfParticipants, §6.1), read through the Bookings Reader, unless
 *   the caller says allowWalkIns (the one legitimate excess the docs name).
 * Bulk writes of any size go out in chunks of 8 (LIMITS.attendanceBulkMax), all validated first: one bad item
 * refuses the whole mutation, so a rejected input never half-applies.
 */
import type { Attendance, AttendanceStatus, Booking, SetAttendanceRequest } from '../../wire/types.js';
import { LIMITS } from '../../wire/paths.js';
import type { GatewayContext } from '../context.js';
import type { ChangeKind } from '../pubsub.js';
import * as v from '../validation.js';
import { ValidationError } from '../validation.js';
import { bookedParticipants } from './analytics.js';
import { builder } from './builder.js';
import { CapacityExceededError, itemError, itemErrorFrom, ItemErrorRef, type ItemError, mutationErrors, NotFoundError, typedUpstreamError } from './errors.js';
import { chunk } from '../upstream/query.js';
import { afterAttendanceWrite, mapLimit } from './after-write.js';
import { AttendanceRef } from './refs.js';

// Schema ---------------------------------------------------------------------------------------------------------

const AttendanceStatusInput = builder.enumType('AttendanceStatusInput', {
  description: 'Attendance status to record (docs/upstream.md §2.2).',
  values: ['NOT_SET', 'ATTENDED', 'NOT_ATTENDED'] as const,
});

const ParticipantNotificationInput = builder.inputType('ParticipantNotificationInput', {
  fields: (t) => ({
    notifyParticipants: t.boolean({ required: true, description: 'Send the participants a notification (default off upstream).' }),
    message: t.string({ description: 'Custom message, 1..5000 characters.' }),
  }),
});

const SetAttendanceInput = builder.inputType('SetAttendanceInput', {
  fields: (t) => ({
    bookingId: t.id({ required: true }),
    eventId: t.id({
      description:
        "The calendar event (session) attended, 36..250 characters. Defaults to the booking's slot session; required for course bookings, whose sessions are many.",
    }),
    status: t.field({ type: AttendanceStatusInput, required: true }),
    numberOfAttendees: t.int({ description: 'Defaults to 1 for ATTENDED and 0 for NOT_ATTENDED.' }),
    allowWalkIns: t.boolean({
      description: "Allow more attendees than the booking's participants (walk-ins, the one excess the docs call legitimate).",
    }),
    participantNotification: t.field({ type: ParticipantNotificationInput }),
  }),
});

const BulkSetAttendanceInput = builder.inputType('BulkSetAttendanceInput', {
  fields: (t) => ({
    items: t.field({ type: [SetAttendanceInput], required: true, description: 'Any number; sent upstream 8 at a time.' }),
  }),
});

interface SetAttendanceResult {
  attendance: Attendance;
}
const SetAttendancePayload = builder.objectRef<SetAttendanceResult>('SetAttendancePayload').implement({
  fields: (t) => ({ attendance: t.field({ type: AttendanceRef, nullable: false, resolve: (p) => p.attendance }) }),
});

interface BulkItemResult {
  index: number;
  bookingId: string;
  eventId: string;
  success: boolean;
  attendance: Attendance | null;
  error: ItemError | null;
}
const BulkAttendanceItemResult = builder.objectRef<BulkItemResult>('BulkAttendanceItemResult').implement({
  description: 'The outcome of one item of bulkSetAttendance, in input order.',
  fields: (t) => ({
    index: t.exposeInt('index', { nullable: false, description: 'Position in input.items.' }),
    bookingId: t.exposeID('bookingId', { nullable: false }),
    eventId: t.exposeID('eventId', { nullable: false }),
    success: t.exposeBoolean('success', { nullable: false }),
    attendance: t.field({ type: AttendanceRef, nullable: true, resolve: (r) => r.attendance }),
    error: t.field({ type: ItemErrorRef, nullable: true, resolve: (r) => r.error }),
  }),
});

interface BulkResult {
  results: BulkItemResult[];
}
const BulkSetAttendancePayload = builder.objectRef<BulkResult>('BulkSetAttendancePayload').implement({
  fields: (t) => ({
    results: t.field({ type: [BulkAttendanceItemResult], nullable: false, resolve: (p) => p.results }),
    successCount: t.int({ nullable: false, resolve: (p) => p.results.filter((r) => r.success).length }),
    failureCount: t.int({ nullable: false, resolve: (p) => p.results.filter((r) => !r.success).length }),
  }),
});

builder.mutationFields((t) => ({
  setAttendance: t.field({
    type: SetAttendancePayload,
    nullable: false,
    description: 'Record whether and how many people attended one booked session, validated against the booking first.',
    args: { input: t.arg({ type: SetAttendanceInput, required: true }) },
    errors: mutationErrors('SetAttendanceResult'),
    resolve: async (_root, { input }, ctx) => {
      const { requests, existing } = await validateAttendance(ctx, [input], 'input');
      const request = requests[0]!;
      let attendance: Attendance;
      try {
        attendance = await ctx.upstream.attendance.set(request);
      } catch (err) {
        throw typedUpstreamError(err, 'Booking', request.attendance.bookingId!);
      }
      await afterAttendanceWrite(ctx, [attendance], changeKinds([attendance], existing));
      return { attendance };
    },
  }),
  bulkSetAttendance: t.field({
    type: BulkSetAttendancePayload,
    nullable: false,
    description: 'setAttendance for any number of sessions; all items are validated before the first write.',
    args: { input: t.arg({ type: BulkSetAttendanceInput, required: true }) },
    errors: mutationErrors('BulkSetAttendanceResult'),
    resolve: async (_root, { input }, ctx) => {
      v.nonEmpty('input.items', input.items);
      const { requests, existing } = await validateAttendance(ctx, input.items, 'input.items');
      const results = await bulkSet(ctx, requests);
      const written = results.flatMap((r) => (r.attendance ? [r.attendance] : []));
      await afterAttendanceWrite(ctx, written, changeKinds(written, existing));
      return { results };
    },
  }),
}));

// Rules ----------------------------------------------------------------------------------------------------------

type AttendanceInput = typeof SetAttendanceInput.$inferInput;

interface Validated {
  /** The upstream requests, in input order. */
  requests: SetAttendanceRequest[];
  /** `bookingId/eventId` of the attendances that existed before the write (the Bookings Reader says so). */
  existing: Set<string>;
}

/** Validates every item (shape, then against its booking) before anything is written. */
async function validateAttendance(ctx: GatewayContext, items: readonly AttendanceInput[], path: string): Promise<Validated> {
  const single = path === 'input';
  const at = (i: number, field: string) => (single ? `input.${field}` : `${path}[${i}].${field}`);

  const shaped = items.map((item, i) => {
    const bookingId = v.guid(at(i, 'bookingId'), item.bookingId, 'Booking');
    const eventId = item.eventId == null ? undefined : v.calendarEventId(at(i, 'eventId'), item.eventId, 'Session');
    const status = item.status as AttendanceStatus;
    const numberOfAttendees = item.numberOfAttendees ?? (status === 'NOT_ATTENDED' ? 0 : status === 'ATTENDED' ? 1 : undefined);
    if (numberOfAttendees !== undefined) checkStatusAgreesWithCount(at(i, 'numberOfAttendees'), status, numberOfAttendees);
    const notification = item.participantNotification;
    if (notification?.message != null) v.notificationMessage(at(i, 'participantNotification.message'), notification.message);
    return { bookingId, eventId, status, numberOfAttendees, allowWalkIns: item.allowWalkIns === true, notification };
  });

  const { bookings, existing } = await readBookings(ctx, [...new Set(shaped.map((s) => s.bookingId))]);
  const seen = new Map<string, number>();
  const requests = shaped.map((s, i) => {
    const booking = bookings.get(s.bookingId);
    if (!booking) throw new NotFoundError('Booking', s.bookingId);
    const slotEventId = booking.bookedEntity?.slot?.eventId;
    // A slot booking (appointment, class) covers exactly one session; attendance for another session would be
    // recorded against the wrong booking (docs/upstream.md §2.2: eventId = booking.bookedEntity.slot.eventId).
    if (s.eventId && slotEventId && s.eventId !== slotEventId) {
      throw new ValidationError(at(i, 'eventId'), `booking ${s.bookingId} is for session ${slotEventId}, not ${s.eventId}`, 'CONTRADICTION');
    }
    const eventId = s.eventId ?? slotEventId;
    if (!eventId) {
      // SESSION_ID_NOT_PROVIDED upstream (docs/upstream.md §2.4): a course booking has no single session to default to.
      throw new ValidationError(at(i, 'eventId'), `booking ${s.bookingId} has no single session; name the session attended`, 'REQUIRED');
    }
    const key = `${s.bookingId}/${eventId}`;
    if (seen.has(key)) {
      throw new ValidationError(at(i, 'bookingId'), `item ${seen.get(key)} already sets the attendance of booking ${s.bookingId} for this session`, 'DUPLICATE');
    }
    seen.set(key, i);
    const booked = bookedParticipants(booking);
    if (booked !== null && s.numberOfAttendees !== undefined && s.numberOfAttendees > booked && !s.allowWalkIns) {
      throw new CapacityExceededError(
        at(i, 'numberOfAttendees'),
        `${s.numberOfAttendees} attendees but booking ${s.bookingId} is for ${booked} participant${booked === 1 ? '' : 's'}; pass allowWalkIns: true to record walk-ins`,
        s.numberOfAttendees,
        booked,
      );
    }
    const attendance: Attendance = { bookingId: s.bookingId, eventId, status: s.status };
    if (s.numberOfAttendees !== undefined) attendance.numberOfAttendees = s.numberOfAttendees;
    const request: SetAttendanceRequest = { attendance };
    if (s.notification) {
      request.participantNotification = {
        notifyParticipants: s.notification.notifyParticipants,
        ...(s.notification.message != null ? { message: s.notification.message } : {}),
      };
    }
    return request;
  });
  return { requests, existing };
}

/** Set is an upsert (docs/upstream.md §2.1): CREATED when the booking had no attendance for the session before. */
function changeKinds(written: Attendance[], existing: Set<string>): Map<string, ChangeKind> {
  return new Map(written.map((a) => [a.id ?? '', existing.has(`${a.bookingId}/${a.eventId}`) ? 'UPDATED' : 'CREATED']));
}

/** Seed 000/001 "Validation rules": keep status consistent with numberOfAttendees. */
function checkStatusAgreesWithCount(field: string, status: AttendanceStatus, count: number): void {
  if (!Number.isInteger(count) || count < 0) throw new ValidationError(field, `must not be negative, got ${count}`, 'RANGE');
  if (status === 'NOT_ATTENDED' && count > 0) {
    throw new ValidationError(field, `NOT_ATTENDED means nobody came, but numberOfAttendees is ${count}`, 'CONTRADICTION');
  }
  if (status === 'ATTENDED' && count === 0) {
    // The docs: "Clients should not send 0; they should send NOT_ATTENDED instead" (docs/upstream.md §2.1).
    throw new ValidationError(field, 'ATTENDED means at least one participant came; record 0 attendees as NOT_ATTENDED', 'CONTRADICTION');
  }
}

/**
 * One Bookings Reader query per 100 bookings (LIMITS.bookingsQueryMax), however many items the mutation has,
 * with the attendance info so the change can be published as created or updated.
 */
async function readBookings(ctx: GatewayContext, ids: string[]): Promise<{ bookings: Map<string, Booking>; existing: Set<string> }> {
  const bookings = new Map<string, Booking>();
  const existing = new Set<string>();
  try {
    const pages = await Promise.all(
      chunk(ids, LIMITS.bookingsQueryMax).map((part) => ctx.upstream.bookings.query({ filter: { id: { $in: part } }, paging: { limit: part.length } }, true)),
    );
    for (const page of pages) {
      for (const { booking, attendance } of page.extendedBookings) {
        if (booking.id) bookings.set(booking.id, booking);
        if (attendance?.bookingId) existing.add(`${attendance.bookingId}/${attendance.eventId ?? attendance.sessionId}`);
      }
    }
  } catch (err) {
    throw typedUpstreamError(err, 'Booking', ids.join(', '));
  }
  return { bookings, existing };
}

/** Chunks of 8, four in flight; a failed chunk fails only its own items. */
async function bulkSet(ctx: GatewayContext, requests: SetAttendanceRequest[]): Promise<BulkItemResult[]> {
  const results: BulkItemResult[] = new Array(requests.length);
  const chunks = chunk(
    requests.map((request, index) => ({ request, index })),
    LIMITS.attendanceBulkMax,
  );
  await mapLimit(chunks, 4, async (part) => {
    const base = (index: number): Omit<BulkItemResult, 'success' | 'attendance' | 'error'> => ({
      index,
      bookingId: requests[index]!.attendance.bookingId!,
      eventId: requests[index]!.attendance.eventId!,
    });
    try {
      const res = await ctx.upstream.attendance.bulkSet({ returnFullEntity: true, attendanceDetails: part.map((p) => p.request) });
      for (const r of res.results) {
        const index = part[r.itemMetadata.originalIndex]!.index;
        const error = r.itemMetadata.success
          ? null
          : itemError({
              code: 'UPSTREAM_ERROR',
              message: r.itemMetadata.error?.description ?? 'The upstream refused this item',
              status: 200,
              upstreamCode: r.itemMetadata.error?.code ?? null,
            });
        results[index] = { ...base(index), success: r.itemMetadata.success, attendance: r.item ?? null, error };
      }
    } catch (err) {
      const error = itemErrorFrom(typedUpstreamError(err, 'Attendance', ''));
      for (const p of part) results[p.index] ??= { ...base(p.index), success: false, attendance: null, error };
    }
    for (const p of part) {
      results[p.index] ??= {
        ...base(p.index),
        success: false,
        attendance: null,
        error: itemError({ code: 'UPSTREAM_ERROR', message: 'The upstream returned no result for this item', status: 200 }),
      };
    }
  });
  return results;
}
