/** Attendance: whether and how many people attended one booked session (Bookings Attendance v2, docs/upstream.md §2). */
import { globalId } from '../validation.js';
import { builder } from './builder.js';
import { addRootQueries } from './roots.js';
import { defineFilter, ID_EQ_IN, RANGE, sharedEnum } from './filters.js';
import { AttendanceRef, BookingRef, SessionRef } from './refs.js';
import { loadNodes, loadOrNull } from './loading.js';

const STATUSES = ['NOT_SET', 'ATTENDED', 'NOT_ATTENDED'] as const;
export const AttendanceStatusEnum = sharedEnum('AttendanceStatus', STATUSES);

// Every field sorts ASC only, except numberOfAttendees (docs/upstream.md §2.3).
export const attendanceFilter = defineFilter(
  'Attendance',
  {
    id: { path: 'id', type: 'ID', ops: ID_EQ_IN },
    bookingId: { path: 'bookingId', type: 'ID', ops: ID_EQ_IN },
    sessionId: { path: 'eventId', type: 'ID', ops: ID_EQ_IN, description: 'The session (calendar event id, wire field eventId).' },
    status: { path: 'status', type: { enumName: 'AttendanceStatus', values: STATUSES }, ops: ID_EQ_IN },
    numberOfAttendees: { path: 'numberOfAttendees', type: 'Int', ops: RANGE },
  },
  {
    id: { path: 'id', orders: 'ASC' },
    bookingId: { path: 'bookingId', orders: 'ASC' },
    sessionId: { path: 'eventId', orders: 'ASC' },
    status: { path: 'status', orders: 'ASC' },
    numberOfAttendees: { path: 'numberOfAttendees', orders: 'BOTH' },
  },
);

builder.node(AttendanceRef, {
  id: { resolve: (a) => a.id! },
  loadMany: (ids, ctx) => loadNodes(ctx.loaders.attendance, ids),
  fields: (t) => ({
    attendanceId: t.exposeString('id', { nullable: true }),
    bookingId: t.exposeString('bookingId', { nullable: true }),
    sessionId: t.string({
      nullable: true,
      description: 'The calendar event id of the session (wire eventId; the deprecated wire sessionId when only it is set).',
      resolve: (a) => a.eventId ?? a.sessionId,
    }),
    legacySessionId: t.exposeString('sessionId', { nullable: true, deprecationReason: 'Upstream removes sessionId on 2027-01-01; use sessionId.' }),
    status: t.field({ type: AttendanceStatusEnum, nullable: true, resolve: (a) => a.status }),
    numberOfAttendees: t.int({ resolve: (a) => a.numberOfAttendees ?? 1, description: 'Defaults to 1 upstream.' }),
    updatedDate: t.field({ type: 'DateTime', nullable: true, resolve: (a) => a.updatedDate }),
    statusUpdatedDate: t.field({ type: 'DateTime', nullable: true, resolve: (a) => a.statusUpdatedDate }),
    session: t.field({
      type: SessionRef,
      nullable: true,
      resolve: (a, _args, ctx) => {
        const id = a.eventId ?? a.sessionId;
        return id ? loadOrNull(ctx.loaders.session, id) : null;
      },
    }),
    booking: t.field({
      type: BookingRef,
      nullable: true,
      resolve: (a, _args, ctx) => (a.bookingId ? loadOrNull(ctx.loaders.booking, a.bookingId) : null),
    }),
  }),
});

builder.queryFields((t) => ({
  attendanceCount: t.int({
    description: 'Count of attendance records (upstream count: status, sessionId and bookingId filters).',
    args: { status: t.arg({ type: AttendanceStatusEnum }), sessionId: t.arg.id(), bookingId: t.arg.id() },
    resolve: (_root, args, ctx) =>
      ctx.upstream.attendance.count({
        ...(args.status ? { status: args.status } : {}),
        ...(args.sessionId ? { eventId: globalId('Session', String(args.sessionId), 'sessionId') } : {}),
        ...(args.bookingId ? { bookingId: globalId('Booking', String(args.bookingId), 'bookingId') } : {}),
      }),
  }),
}));

addRootQueries({ typename: 'Attendance', resource: 'attendance', ref: AttendanceRef, filter: attendanceFilter, plural: 'attendances' });
