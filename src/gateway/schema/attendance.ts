/** Attendance: whether and how many people attended one booked session (Bookings Attendance v2, docs/upstream.md §2). */
import { globalId } from '../validation.js';
import { LIMITS } from '../../wire/paths.js';
import type { Attendance, Filter } from '../../wire/types.js';
import type { GatewayContext } from '../context.js';
import { and, pageSource, pages } from '../upstream/query.js';
import { builder } from './builder.js';
import { uncountedConnection } from './paging.js';
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
    description:
      "Count of the site's attendance records matching the filter, counted by paging the upstream query (1,000 per call). " +
      "The upstream's own count is member-scoped and refuses API keys and app tokens (docs/fidelity.md).",
    args: {
      filter: t.arg({ type: attendanceFilter.filterRef }),
      status: t.arg({ type: AttendanceStatusEnum }),
      sessionId: t.arg.id(),
      bookingId: t.arg.id(),
    },
    resolve: (_root, args, ctx) =>
      countAttendances(
        ctx,
        and(
          attendanceFilter.toFilter(args.filter),
          args.status ? { status: args.status } : undefined,
          args.sessionId ? { eventId: globalId('Session', String(args.sessionId), 'sessionId') } : undefined,
          args.bookingId ? { bookingId: globalId('Booking', String(args.bookingId), 'bookingId') } : undefined,
        ),
      ),
  }),
}));

addRootQueries({
  typename: 'Attendance',
  resource: 'attendance',
  ref: AttendanceRef,
  filter: attendanceFilter,
  plural: 'attendances',
  connection: uncountedConnection(
    'the attendance query returns no total, and its count endpoint answers members only, not the app identity the ' +
      'gateway calls with (docs/upstream.md §2.1, docs/fidelity.md). Query.attendanceCount counts the rows instead.',
  ),
});

// Private helpers

async function countAttendances(ctx: GatewayContext, filter: Filter | undefined): Promise<number> {
  const src = pageSource<Attendance>('cursor', LIMITS.attendanceQueryMax, async (q) => {
    const page = await ctx.upstream.attendance.query(q);
    return { items: page.attendances, meta: page.pagingMetadata };
  });
  let count = 0;
  for await (const page of pages(src, { filter })) count += page.items.length;
  return count;
}
