/**
 * Live updates (issue #5): every subscription is scoped to the caller's site (topic ids start with the caller's
 * instanceId, learned through token-info) and to its argument. The same fields serve graphql-ws and SSE.
 * Payloads are the webhook's own entity (the state the change produced); nested fields resolve through loaders that
 * are made fresh for every event, because a graphql-ws operation builds its context only once (ARCHITECTURE.md convention 3).
 */
import { GraphQLError } from 'graphql';
import { Repeater } from 'graphql-yoga';
import type { Attendance, CalendarEvent, EventGuest, Participation, Rsvp } from '../../wire/types.js';
import { resetLoaders, type GatewayContext } from '../context.js';
import { counterHubFor, type CheckInCount } from '../live/counters.js';
import { callerInstanceId, siteTopicId, subscribeOnSite } from '../live/site.js';
import type { ChangeKind, EntityChange, GuestCheckedInMessage } from '../pubsub.js';
import { globalId } from '../validation.js';
import { builder } from './builder.js';
import { AttendanceRef, GuestRef, ParticipationRef, RsvpRef } from './refs.js';

const ChangeKindEnum = builder.enumType('ChangeKind', {
  description: 'What happened to the entity.',
  values: ['CREATED', 'UPDATED', 'DELETED'] as const,
});

const RsvpChangeRef = builder.objectRef<EntityChange<Rsvp>>('RsvpChange').implement({
  description: 'An RSVP of the event was created, updated (check-ins included) or deleted.',
  fields: (t) => ({
    kind: t.field({ type: ChangeKindEnum, resolve: (c) => c.kind }),
    rsvpId: t.id({ resolve: (c) => c.entityId }),
    eventId: t.id({
      nullable: true,
      description: 'Null only for a deletion whose event the gateway never saw (it reaches every rsvpChanged subscriber of the site).',
      resolve: (c) => c.entity?.eventId ?? c.parent?.eventId ?? null,
    }),
    rsvp: t.field({ type: RsvpRef, nullable: true, description: 'The RSVP after the change; for DELETED its last state.', resolve: (c) => c.entity }),
    occurredAt: t.field({ type: 'DateTime', resolve: (c) => c.eventTime }),
  }),
});

const GuestChangeRef = builder.objectRef<EntityChange<EventGuest>>('GuestChange').implement({
  description: 'A guest of the event was created, updated or deleted.',
  fields: (t) => ({
    kind: t.field({ type: ChangeKindEnum, resolve: (c) => c.kind }),
    guestId: t.id({ resolve: (c) => c.entityId }),
    eventId: t.id({
      nullable: true,
      description: 'Null only for a deletion whose event the gateway never saw (it reaches every guestChanged subscriber of the site).',
      resolve: (c) => c.entity?.eventId ?? c.parent?.eventId ?? null,
    }),
    guest: t.field({ type: GuestRef, nullable: true, resolve: (c) => c.entity }),
    occurredAt: t.field({ type: 'DateTime', resolve: (c) => c.eventTime }),
  }),
});

const GuestCheckInRef = builder.objectRef<GuestCheckedInMessage>('GuestCheckIn').implement({
  description: 'A guest of the event was checked in.',
  fields: (t) => ({
    eventId: t.id({ resolve: (m) => m.eventId }),
    guestId: t.id({ resolve: (m) => m.guest.id ?? '' }),
    guest: t.field({ type: GuestRef, resolve: (m) => m.guest }),
    occurredAt: t.field({ type: 'DateTime', resolve: (m) => m.eventTime }),
  }),
});

const ParticipationChangeRef = builder.objectRef<EntityChange<Participation>>('ParticipationChange').implement({
  description: 'A participation in the session or schedule was created, updated or deleted.',
  fields: (t) => ({
    kind: t.field({ type: ChangeKindEnum, resolve: (c) => c.kind }),
    participationId: t.id({ resolve: (c) => c.entityId }),
    sessionId: t.id({ nullable: true, resolve: (c) => c.entity?.eventId ?? c.parent?.sessionId ?? null }),
    scheduleId: t.id({ nullable: true, resolve: (c) => c.entity?.scheduleId ?? c.parent?.scheduleId ?? null }),
    participation: t.field({ type: ParticipationRef, nullable: true, resolve: (c) => c.entity }),
    occurredAt: t.field({ type: 'DateTime', resolve: (c) => c.eventTime }),
  }),
});

const AttendanceChangeRef = builder.objectRef<EntityChange<Attendance>>('AttendanceChange').implement({
  description: 'An attendance record of the session was set (through this gateway) or deleted.',
  fields: (t) => ({
    kind: t.field({ type: ChangeKindEnum, resolve: (c) => c.kind }),
    attendanceId: t.id({ resolve: (c) => c.entityId }),
    attendance: t.field({ type: AttendanceRef, nullable: true, resolve: (c) => c.entity }),
    occurredAt: t.field({ type: 'DateTime', resolve: (c) => c.eventTime }),
  }),
});

interface CapacityMessage {
  sessionId: string;
  participants: number;
  remainingCapacity: number | null;
  totalCapacity: number | null;
  asOf: string;
}

const SessionCapacityRef = builder.objectRef<CapacityMessage>('SessionCapacity').implement({
  description: "A session's participants and remaining capacity, first as read now, then after every change.",
  fields: (t) => ({
    sessionId: t.id({ resolve: (m) => m.sessionId }),
    participants: t.int({ description: 'Sum of partySize over confirmed participations.', resolve: (m) => m.participants }),
    remainingCapacity: t.int({ nullable: true, description: 'Null when the session has no capacity limit.', resolve: (m) => m.remainingCapacity }),
    totalCapacity: t.int({ nullable: true, resolve: (m) => m.totalCapacity }),
    asOf: t.field({ type: 'DateTime', resolve: (m) => m.asOf }),
  }),
});

const CheckInCountRef = builder.objectRef<CheckInCount>('CheckInCount').implement({
  description: "An event's checked-in guest count, always one the upstream had; the last one equals the upstream's.",
  fields: (t) => ({
    eventId: t.id({ resolve: (m) => m.eventId }),
    checkedIn: t.int({ description: 'Sum of checkedInGuestCount over the RSVPs of the event.', resolve: (m) => m.checkedIn }),
    asOf: t.field({ type: 'DateTime', description: 'When the upstream answered the read behind this count.', resolve: (m) => m.asOf }),
  }),
});

/**
 * Fields whose event stream depends only on their arguments and the caller's site (a pubsub topic), so graphql-ws
 * subscribers holding the same operation share one execution per event (live/shared.ts). checkInCounter and
 * sessionCapacity are not among them: each subscriber's first message is its own read.
 */
export const SHARED_SUBSCRIPTION_FIELDS: ReadonlySet<string> = new Set([
  'rsvpChanged',
  'guestChanged',
  'guestCheckedIn',
  'participationChanged',
  'attendanceChanged',
]);

builder.subscriptionFields((t) => ({
  rsvpChanged: t.field({
    type: RsvpChangeRef,
    description: 'RSVPs of one Wix Events event: created, updated (check-ins too) or deleted.',
    args: { eventId: t.arg.id({ required: true }) },
    subscribe: async (_root, args, ctx) => subscribeOnSite(ctx.pubsub, 'rsvp:changed', await callerInstanceId(ctx), unwrapId(args.eventId, 'Event', 'eventId')),
    resolve: (change, _args, ctx) => withFreshLoaders(ctx, change),
  }),
  guestChanged: t.field({
    type: GuestChangeRef,
    description: 'Guests of one Wix Events event: created, updated or deleted.',
    args: { eventId: t.arg.id({ required: true }) },
    subscribe: async (_root, args, ctx) => subscribeOnSite(ctx.pubsub, 'guest:changed', await callerInstanceId(ctx), unwrapId(args.eventId, 'Event', 'eventId')),
    resolve: (change, _args, ctx) => withFreshLoaders(ctx, change),
  }),
  guestCheckedIn: t.field({
    type: GuestCheckInRef,
    description: 'Check-ins of guests of one Wix Events event.',
    args: { eventId: t.arg.id({ required: true }) },
    subscribe: async (_root, args, ctx) => ctx.pubsub.subscribe('guest:checkedIn', siteTopicId(await callerInstanceId(ctx), unwrapId(args.eventId, 'Event', 'eventId'))),
    resolve: (message, _args, ctx) => withFreshLoaders(ctx, message),
  }),
  participationChanged: t.field({
    type: ParticipationChangeRef,
    description: 'Participations of one session (sessionId) or of every session of one schedule (scheduleId); give exactly one.',
    args: { sessionId: t.arg.id(), scheduleId: t.arg.id() },
    subscribe: async (_root, args, ctx) => {
      if (!!args.sessionId === !!args.scheduleId) {
        throw new GraphQLError('Give exactly one of sessionId and scheduleId.', {
          extensions: { code: 'BAD_USER_INPUT', http: { status: 400 } },
        });
      }
      const key = args.sessionId ? `session:${unwrapId(args.sessionId, 'Session', 'sessionId')}` : `schedule:${unwrapId(args.scheduleId!, null, 'scheduleId')}`;
      return subscribeOnSite(ctx.pubsub, 'participation:changed', await callerInstanceId(ctx), key);
    },
    resolve: (change, _args, ctx) => withFreshLoaders(ctx, change),
  }),
  attendanceChanged: t.field({
    type: AttendanceChangeRef,
    description: "Attendance of one session. The upstream sends only deletions; sets made through this gateway's mutations are reported too.",
    args: { sessionId: t.arg.id({ required: true }) },
    subscribe: async (_root, args, ctx) =>
      subscribeOnSite(ctx.pubsub, 'attendance:changed', await callerInstanceId(ctx), unwrapId(args.sessionId, 'Session', 'sessionId')),
    resolve: (change, _args, ctx) => withFreshLoaders(ctx, change),
  }),
  sessionCapacity: t.field({
    type: SessionCapacityRef,
    description: "A session's participants and remaining capacity: the current values first, then one message per change.",
    args: { sessionId: t.arg.id({ required: true }) },
    subscribe: async (_root, args, ctx) => sessionCapacity(ctx, unwrapId(args.sessionId, 'Session', 'sessionId')),
    resolve: (message) => message,
  }),
  checkInCounter: t.field({
    type: CheckInCountRef,
    description: "An event's checked-in guest count: the current count first, then one message per change. Exact: re-read from the upstream after webhooks (coalesced), never incremented.",
    args: { eventId: t.arg.id({ required: true }) },
    subscribe: async (_root, args, ctx) => {
      const instanceId = await callerInstanceId(ctx);
      return counterHubFor(ctx.services).subscribe(instanceId, unwrapId(args.eventId, 'Event', 'eventId'), ctx.upstream);
    },
    resolve: (message) => message,
  }),
}));

// Private helpers

/** Accepts the upstream id or the graph's global id of the expected type (what a client holds from a query). */
function unwrapId(value: string | number, typename: string | null, field: string): string {
  return globalId(typename, String(value), field);
}

/** Each event starts with empty loaders, so nested fields never show data cached by an earlier event. */
function withFreshLoaders<T>(ctx: GatewayContext, payload: T): T {
  resetLoaders(ctx);
  return payload;
}

/**
 * Current capacity first, then per change: calendar event_updated webhooks carry the session; participation
 * webhooks only say it moved, so the subscriber re-reads it with its own credentials. Repeats are skipped.
 */
function sessionCapacity(ctx: GatewayContext, sessionId: string): AsyncIterable<CapacityMessage> {
  return new Repeater<CapacityMessage>(async (push, stop) => {
    const signals = subscribeOnSite(ctx.pubsub, 'session:capacity', await callerInstanceId(ctx), sessionId);
    stop.then(() => signals.return?.());
    let last = '';
    const show = async (session: CalendarEvent) => {
      const message: CapacityMessage = {
        sessionId,
        participants: session.participants?.total ?? 0,
        remainingCapacity: session.remainingCapacity ?? null,
        totalCapacity: session.totalCapacity ?? null,
        asOf: session.updatedDate ?? new Date().toISOString(),
      };
      const key = `${message.participants}/${message.remainingCapacity}/${message.totalCapacity}`;
      if (key === last) return;
      last = key;
      await push(message);
    };
    // Ask for the first signal before the first read: a Repeater listens only once next() is called, and a change
    // during the read must not be missed.
    let next = signals.next();
    try {
      await show(await ctx.upstream.calendar.getEvent(sessionId));
      for (let r = await next; !r.done; r = await next) {
        next = signals.next();
        await show(r.value.event ?? (await ctx.upstream.calendar.getEvent(sessionId)));
      }
    } catch (err) {
      stop(err);
    }
  });
}

export type { ChangeKind };
