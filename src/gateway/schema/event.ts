/** Event: a Wix Events v3 event with its registration settings and summaries (WIX-REST.md §6.2). */
import type { EventSummaries, Registration, RsvpSettings, WixEvent } from '../../wire/types.js';
import { checkInStatsOf, CheckInStatsRef } from './analytics.js';
import { builder } from './builder.js';
import { addRootQueries } from './roots.js';
import { defineFilter, RANGE, sharedEnum } from './filters.js';
import { arrayConnection } from './paging.js';
import { EventRef, GuestRef, RsvpRef, RsvpSummaryRef } from './refs.js';
import { loadNodes } from './loading.js';

const EVENT_STATUSES = ['UPCOMING', 'STARTED', 'ENDED', 'CANCELED', 'DRAFT'] as const;
const REGISTRATION_TYPES = ['RSVP', 'TICKETING', 'EXTERNAL', 'NONE'] as const;
const EventStatusEnum = sharedEnum('EventStatus', EVENT_STATUSES);
const RegistrationTypeEnum = sharedEnum('RegistrationType', REGISTRATION_TYPES);
const EQ_IN_EXISTS = ['eq', 'ne', 'in', 'nin', 'exists'] as const;

export const eventFilter = defineFilter(
  'Event',
  {
    id: { path: 'id', type: 'ID', ops: EQ_IN_EXISTS },
    status: { path: 'status', type: { enumName: 'EventStatus', values: EVENT_STATUSES }, ops: EQ_IN_EXISTS },
    title: { path: 'title', type: 'String', ops: [...EQ_IN_EXISTS, 'startsWith'] },
    registrationType: { path: 'registration.type', type: { enumName: 'RegistrationType', values: REGISTRATION_TYPES }, ops: EQ_IN_EXISTS },
    registrationStatus: { path: 'registration.status', type: 'String', ops: EQ_IN_EXISTS },
    startDate: { path: 'dateAndTimeSettings.startDate', type: 'DateTime', ops: RANGE },
    createdDate: { path: 'createdDate', type: 'DateTime', ops: RANGE },
    updatedDate: { path: 'updatedDate', type: 'DateTime', ops: RANGE },
  },
  {
    title: { path: 'title', orders: 'BOTH' },
    startDate: { path: 'dateAndTimeSettings.startDate', orders: 'BOTH' },
    createdDate: { path: 'createdDate', orders: 'BOTH' },
    updatedDate: { path: 'updatedDate', orders: 'BOTH' },
  },
);

const RsvpSettingsRef = builder.objectRef<RsvpSettings>('RsvpSettings').implement({
  fields: (t) => ({
    responseType: t.exposeString('responseType', { nullable: true, description: 'YES_ONLY or YES_AND_NO.' }),
    limit: t.exposeInt('limit', { nullable: true, description: 'Guest limit; null = unlimited.' }),
    waitlistEnabled: t.exposeBoolean('waitlistEnabled', { nullable: true }),
    startDate: t.field({ type: 'DateTime', nullable: true, resolve: (r) => r.startDate }),
    endDate: t.field({ type: 'DateTime', nullable: true, resolve: (r) => r.endDate }),
  }),
});

const RegistrationRef = builder.objectRef<Registration>('Registration').implement({
  fields: (t) => ({
    type: t.field({ type: RegistrationTypeEnum, nullable: true, resolve: (r) => r.type }),
    initialType: t.exposeString('initialType', { nullable: true }),
    status: t.exposeString('status', { nullable: true }),
    rsvp: t.field({ type: RsvpSettingsRef, nullable: true, resolve: (r) => r.rsvp }),
    registrationPaused: t.exposeBoolean('registrationPaused', { nullable: true }),
    registrationDisabled: t.exposeBoolean('registrationDisabled', { nullable: true }),
    allowedGuestTypes: t.exposeString('allowedGuestTypes', { nullable: true }),
  }),
});

const RsvpCountsRef = builder.objectRef<NonNullable<EventSummaries['rsvps']>>('EventRsvpCounts').implement({
  fields: (t) => ({
    totalCount: t.exposeInt('totalCount'),
    yesCount: t.exposeInt('yesCount'),
    noCount: t.exposeInt('noCount'),
    waitlistCount: t.exposeInt('waitlistCount'),
  }),
});

const TicketCountsRef = builder.objectRef<NonNullable<EventSummaries['tickets']>>('EventTicketCounts').implement({
  fields: (t) => ({
    ticketsSold: t.exposeInt('ticketsSold', { nullable: true }),
    totalOrders: t.exposeInt('totalOrders', { nullable: true }),
    revenue: t.field({ type: 'JSON', nullable: true, resolve: (x) => x.revenue }),
    totalSales: t.field({ type: 'JSON', nullable: true, resolve: (x) => x.totalSales }),
    currencyLocked: t.exposeBoolean('currencyLocked', { nullable: true }),
  }),
});

const SummariesRef = builder.objectRef<EventSummaries>('EventSummaries').implement({
  fields: (t) => ({
    rsvps: t.field({ type: RsvpCountsRef, nullable: true, resolve: (s) => s.rsvps }),
    tickets: t.field({ type: TicketCountsRef, nullable: true, resolve: (s) => s.tickets }),
  }),
});

const DateAndTimeRef = builder.objectRef<NonNullable<WixEvent['dateAndTimeSettings']>>('EventDateAndTime').implement({
  fields: (t) => ({
    startDate: t.field({ type: 'DateTime', nullable: true, resolve: (d) => d.startDate }),
    endDate: t.field({ type: 'DateTime', nullable: true, resolve: (d) => d.endDate }),
    timeZoneId: t.exposeString('timeZoneId', { nullable: true }),
  }),
});

const LocationRef = builder.objectRef<NonNullable<WixEvent['location']>>('EventLocation').implement({
  fields: (t) => ({
    name: t.exposeString('name', { nullable: true }),
    type: t.exposeString('type', { nullable: true, description: 'VENUE or ONLINE.' }),
  }),
});

builder.node(EventRef, {
  id: { resolve: (e) => e.id! },
  loadMany: (ids, ctx) => loadNodes(ctx.loaders.event, ids),
  fields: (t) => ({
    eventId: t.exposeString('id', { nullable: true }),
    title: t.exposeString('title', { nullable: true }),
    slug: t.exposeString('slug', { nullable: true }),
    status: t.field({ type: EventStatusEnum, nullable: true, resolve: (e) => e.status }),
    shortDescription: t.exposeString('shortDescription', { nullable: true }),
    dateAndTimeSettings: t.field({ type: DateAndTimeRef, nullable: true, resolve: (e) => e.dateAndTimeSettings }),
    location: t.field({ type: LocationRef, nullable: true, resolve: (e) => e.location }),
    registration: t.field({ type: RegistrationRef, nullable: true, resolve: (e) => e.registration }),
    summaries: t.field({ type: SummariesRef, nullable: true, resolve: (e) => e.summaries }),
    guestListDisplayedPublicly: t.boolean({ nullable: true, resolve: (e) => e.guestListSettings?.displayedPublicly }),
    createdDate: t.field({ type: 'DateTime', nullable: true, resolve: (e) => e.createdDate }),
    updatedDate: t.field({ type: 'DateTime', nullable: true, resolve: (e) => e.updatedDate }),
    guests: t.connection({
      type: GuestRef,
      resolve: async (e, args, ctx) => arrayConnection(args, await ctx.loaders.guestsByEvent.load(e.id!)),
    }),
    rsvps: t.connection({
      type: RsvpRef,
      resolve: async (e, args, ctx) => arrayConnection(args, await ctx.loaders.rsvpsByEvent.load(e.id!)),
    }),
    rsvpSummary: t.field({ type: RsvpSummaryRef, resolve: (e, _args, ctx) => ctx.loaders.rsvpSummary.load(e.id!) }),
    checkInStats: t.field({
      type: CheckInStatsRef,
      resolve: async (e, _args, ctx) => checkInStatsOf(await ctx.loaders.rsvpsByEvent.load(e.id!)),
    }),
  }),
});

addRootQueries({ typename: 'Event', resource: 'event', ref: EventRef, filter: eventFilter, plural: 'events' });
