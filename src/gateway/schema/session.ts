/**
 * Session: a calendar event (Calendar Events v3 in the shape this project ASSUMES, docs/upstream.md §3.6), with its
 * participations, bookings and attendance, and the analyst's attendance summary.
 */
import type { CalendarEvent } from '../../wire/types.js';
import { builder } from './builder.js';
import { loadNodes } from './loading.js';
import { addRootQueries } from './roots.js';
import { defineFilter, ID_EQ_IN, sharedEnum } from './filters.js';
import { arrayConnection, linkConnection, upstreamConnection, LINK_COUNTED, uncountedConnection } from './paging.js';
import { selectsTotalCount } from './selection.js';
import { AttendanceRef, BookingRef, ParticipationRef, SessionRef } from './refs.js';
import { attendanceSummaryOf, attendanceSummaryOfSessions, AttendanceSummaryRef } from './analytics.js';
import { bookingsOfSession, courseKey } from '../loaders.js';

const SessionType = sharedEnum('SessionType', ['APPOINTMENT', 'CLASS', 'COURSE']);
const SessionStatus = sharedEnum('SessionStatus', ['CONFIRMED', 'CANCELLED']);

export const ZonedDateRef = builder.objectRef<{ utcDate: string; timeZone?: string }>('ZonedDate').implement({
  fields: (t) => ({
    utcDate: t.field({ type: 'DateTime', resolve: (d) => d.utcDate }),
    timeZone: t.exposeString('timeZone', { nullable: true }),
  }),
});

export const sessionFilter = defineFilter(
  'Session',
  {
    id: { path: 'id', type: 'ID', ops: ID_EQ_IN },
    scheduleId: { path: 'scheduleId', type: 'ID', ops: ID_EQ_IN },
    type: { path: 'type', type: { enumName: 'SessionType', values: ['APPOINTMENT', 'CLASS', 'COURSE'] }, ops: ID_EQ_IN },
    status: { path: 'status', type: { enumName: 'SessionStatus', values: ['CONFIRMED', 'CANCELLED'] }, ops: ID_EQ_IN },
    start: { path: 'start.utcDate', type: 'DateTime', ops: ['gt', 'gte', 'lt', 'lte'] },
  },
  { start: { path: 'start.utcDate', orders: 'BOTH' } },
);

builder.node(SessionRef, {
  description: 'A bookable calendar session (a Calendar v3 event). Shape assumed: docs/upstream.md §3.6.',
  id: { resolve: (s) => s.id },
  loadMany: (ids, ctx) => loadNodes(ctx.loaders.session, ids),
  fields: (t) => ({
    sessionId: t.exposeString('id', { description: 'The upstream calendar event id (36..250 characters).' }),
    scheduleId: t.exposeString('scheduleId', { nullable: true }),
    type: t.field({ type: SessionType, nullable: true, resolve: (s) => s.type }),
    status: t.field({ type: SessionStatus, nullable: true, resolve: (s) => s.status }),
    title: t.exposeString('title', { nullable: true }),
    start: t.field({ type: ZonedDateRef, nullable: true, resolve: (s) => s.start }),
    end: t.field({ type: ZonedDateRef, nullable: true, resolve: (s) => s.end }),
    totalCapacity: t.exposeInt('totalCapacity', { nullable: true }),
    remainingCapacity: t.exposeInt('remainingCapacity', { nullable: true }),
    participantsTotal: t.int({
      description: 'participants.total: the sum of partySize over the CONFIRMED participations.',
      nullable: true,
      resolve: (s) => s.participants?.total,
    }),
    appId: t.exposeString('appId', { nullable: true }),
    revision: t.exposeString('revision', { nullable: true }),
    createdDate: t.field({ type: 'DateTime', nullable: true, resolve: (s) => s.createdDate }),
    updatedDate: t.field({ type: 'DateTime', nullable: true, resolve: (s) => s.updatedDate }),
    participations: t.connection({
      type: ParticipationRef,
      resolve: async (s, args, ctx, info) => linkConnection(args, ctx.loaders.participationsBySession, s.id, undefined, selectsTotalCount(info)),
    }, LINK_COUNTED),
    scheduleParticipations: t.connection({
      type: ParticipationRef,
      description: "Participations linked to this session's whole schedule (scheduleId, e.g. a course) rather than to the session.",
      resolve: async (s, args, ctx, info) =>
        s.scheduleId ? linkConnection(args, ctx.loaders.participationsBySchedule, s.scheduleId, undefined, selectsTotalCount(info)) : arrayConnection(args, []),
    }, LINK_COUNTED),
    attendances: t.connection({
      type: AttendanceRef,
      resolve: async (s, args, ctx, info) => linkConnection(args, ctx.loaders.attendancesBySession, s.id, undefined, selectsTotalCount(info)),
    }, LINK_COUNTED),
    bookings: t.connection({
      type: BookingRef,
      description:
        "This session's bookings: for a COURSE session its schedule's course bookings (bookedEntity.schedule), else the bookings whose booked slot is this session (bookedEntity.slot.eventId).",
      resolve: async (s, args, ctx, info) => {
        const course = courseKey(s);
        if (course) return arrayConnection(args, await ctx.loaders.courseBookings.load(course), 'cursor');
        return linkConnection(args, ctx.loaders.bookingsBySession, s.id, undefined, selectsTotalCount(info));
      },
    }, LINK_COUNTED),
    attendanceSummary: t.field({
      type: AttendanceSummaryRef,
      resolve: async (s, _args, ctx) => {
        const [attendances, bookings] = await Promise.all([
          ctx.loaders.attendancesBySession.load(s.id),
          bookingsOfSession(ctx.loaders, s),
        ]);
        return attendanceSummaryOf(attendances, bookings);
      },
    }),
  }),
});

addRootQueries({
  typename: 'Session',
  resource: 'session',
  ref: SessionRef,
  filter: sessionFilter,
  plural: 'sessions',
  connection: uncountedConnection(
    'the calendar events query answers only the page\'s own count, no total, and has no count endpoint ' +
      '(docs/upstream.md §3.6).',
  ),
});

/** Most sessions one report covers; `complete` says whether the filter matched more. */
const NO_SHOW_REPORT_MAX = 1000;

interface NoShowReport {
  sessions: number;
  complete: boolean;
  summary: ReturnType<typeof attendanceSummaryOf>;
}

const NoShowReportRef = builder.objectRef<NoShowReport>('NoShowReport').implement({
  description: 'Attendance across a filtered set of sessions, computed by the gateway.',
  fields: (t) => ({
    sessions: t.exposeInt('sessions', { description: `Sessions the report covers (at most ${NO_SHOW_REPORT_MAX}).` }),
    complete: t.exposeBoolean('complete', {
      description: `false when the filter matched more than ${NO_SHOW_REPORT_MAX} sessions: narrow it (e.g. by start) to cover them all.`,
    }),
    bookedParticipants: t.int({ description: 'Participants of the live bookings of these sessions.', resolve: (r) => r.summary.bookedParticipants }),
    attendees: t.int({ description: 'Sum of numberOfAttendees over ATTENDED records of these sessions.', resolve: (r) => r.summary.totalAttendees }),
    noShowRate: t.float({ nullable: true, resolve: (r) => r.summary.noShowRate }),
    summary: t.field({ type: AttendanceSummaryRef, resolve: (r) => r.summary }),
  }),
});

builder.queryField('noShowReport', (t) =>
  t.field({
    type: NoShowReportRef,
    description: `No-show rate across the sessions the filter matches (up to ${NO_SHOW_REPORT_MAX} sessions; see complete).`,
    args: { filter: t.arg({ type: sessionFilter.filterRef }) },
    resolve: async (_root, args, ctx) => {
      const sessions = await upstreamConnection<CalendarEvent>(
        ctx.loaders.sources.session,
        { first: NO_SHOW_REPORT_MAX },
        sessionFilter.toFilter(args.filter),
      );
      const nodes = sessions.edges.map((e) => e.node);
      const ids = nodes.map((n) => n.id);
      // A course's bookings are in each of its sessions, so they count once per session, like a booking's attendances.
      const [attendances, bookings] = await Promise.all([
        Promise.all(ids.map((id) => ctx.loaders.attendancesBySession.load(id))),
        Promise.all(nodes.map((n) => bookingsOfSession(ctx.loaders, n))),
      ]);
      return {
        sessions: ids.length,
        complete: !sessions.pageInfo.hasNextPage,
        summary: attendanceSummaryOfSessions(ids.map((_, i) => ({ attendances: attendances[i]!, bookings: bookings[i]! }))),
      };
    },
  }),
);
