/** Event: a Wix Events v3 event with its registration settings and summaries (docs/upstream.md §6.2). */
import type { EventSummaries, Registration, RsvpSettings, WixEvent } from '../../wire/types.js';
import { checkInStatsOf, CheckInStatsRef } from './analytics.js';
import { builder } from './builder.js';
import { addRootQueries } from './roots.js';
import { defineFilter, sharedEnum } from './filters.js';
import { linkConnection, LINK_COUNTED, countedConnection } from './paging.js';
import { EventRef, GuestRef, RsvpRef, RsvpSummaryRef } from './refs.js';
import { loadNodes } from './loading.js';
import { fieldsetMask, selectedFieldsets, selectsTotalCount } from './selection.js';

const EVENT_STATUSES = ['UPCOMING', 'STARTED', 'ENDED', 'CANCELED', 'DRAFT'] as const;
const REGISTRATION_TYPES = ['RSVP', 'TICKETING', 'EXTERNAL', 'NONE'] as const;
// Registration statuses as docs/upstream.md §6.2 lists them.
const REGISTRATION_STATUSES = [
  'UNKNOWN_REGISTRATION_STATUS',
  'CLOSED_AUTOMATICALLY',
  'CLOSED_MANUALLY',
  'OPEN_RSVP',
  'OPEN_RSVP_WAITLIST_ONLY',
  'OPEN_TICKETS',
  'OPEN_EXTERNAL',
  'SCHEDULED_RSVP',
] as const;
const EventStatusEnum = sharedEnum('EventStatus', EVENT_STATUSES);
const RegistrationTypeEnum = sharedEnum('RegistrationType', REGISTRATION_TYPES);
const RegistrationStatusEnum = sharedEnum('RegistrationStatus', REGISTRATION_STATUSES);
const InitialRegistrationTypeEnum = sharedEnum('InitialRegistrationType', ['RSVP', 'TICKETING']);
const AllowedGuestTypesEnum = sharedEnum('AllowedGuestTypes', ['VISITOR_OR_MEMBER', 'MEMBER']);
const RsvpResponseTypeEnum = sharedEnum('RsvpResponseType', ['YES_ONLY', 'YES_AND_NO']);
const LocationTypeEnum = sharedEnum('LocationType', ['VENUE', 'ONLINE']);
const RecurrenceStatusEnum = sharedEnum('RecurrenceStatus', [
  'ONE_TIME',
  'RECURRING',
  'RECURRING_UPCOMING',
  'RECURRING_RECENTLY_ENDED',
  'RECURRING_RECENTLY_CANCELED',
]);

/**
 * Exactly the SDK's EventQuerySpec (@wix/auto_sdk_events_wix-events-v-2, docs/fidelity.md): initialType takes $eq
 * only; ids, dates, slug and title take comparisons and $in (no $nin, no $exists); status and userId take $eq,
 * $ne and $in and are not sortable. Registration type/status are not filterable upstream: select and filter them
 * in the client.
 */
const SPEC_RANGE = ['eq', 'ne', 'lt', 'lte', 'gt', 'gte', 'in'] as const;
const SPEC_EQ_IN = ['eq', 'ne', 'in'] as const;
export const eventFilter = defineFilter(
  'Event',
  {
    id: { path: 'id', type: 'ID', ops: SPEC_RANGE },
    status: { path: 'status', type: { enumName: 'EventStatus', values: EVENT_STATUSES }, ops: SPEC_EQ_IN },
    userId: { path: 'userId', type: 'ID', ops: SPEC_EQ_IN, description: 'The Wix user who created the event.' },
    title: { path: 'title', type: 'String', ops: SPEC_RANGE },
    slug: { path: 'slug', type: 'String', ops: SPEC_RANGE },
    initialType: { path: 'registration.initialType', type: { enumName: 'InitialRegistrationType', values: ['RSVP', 'TICKETING'] }, ops: ['eq'] },
    startDate: { path: 'dateAndTimeSettings.startDate', type: 'DateTime', ops: SPEC_RANGE },
    endDate: { path: 'dateAndTimeSettings.endDate', type: 'DateTime', ops: SPEC_RANGE },
    createdDate: { path: 'createdDate', type: 'DateTime', ops: SPEC_RANGE },
    updatedDate: { path: 'updatedDate', type: 'DateTime', ops: SPEC_RANGE },
  },
  {
    id: { path: 'id', orders: 'BOTH' },
    title: { path: 'title', orders: 'BOTH' },
    slug: { path: 'slug', orders: 'BOTH' },
    startDate: { path: 'dateAndTimeSettings.startDate', orders: 'BOTH' },
    endDate: { path: 'dateAndTimeSettings.endDate', orders: 'BOTH' },
    createdDate: { path: 'createdDate', orders: 'BOTH' },
    updatedDate: { path: 'updatedDate', orders: 'BOTH' },
  },
);

const RsvpSettingsRef = builder.objectRef<RsvpSettings>('RsvpSettings').implement({
  fields: (t) => ({
    responseType: t.field({ type: RsvpResponseTypeEnum, nullable: true, resolve: (r) => r.responseType }),
    limit: t.exposeInt('limit', { nullable: true, description: 'Guest limit; null = unlimited.' }),
    waitlistEnabled: t.exposeBoolean('waitlistEnabled', { nullable: true }),
    startDate: t.field({ type: 'DateTime', nullable: true, resolve: (r) => r.startDate }),
    endDate: t.field({ type: 'DateTime', nullable: true, resolve: (r) => r.endDate }),
  }),
});

const RegistrationRef = builder.objectRef<Registration>('Registration').implement({
  fields: (t) => ({
    type: t.field({ type: RegistrationTypeEnum, nullable: true, resolve: (r) => r.type }),
    initialType: t.field({ type: InitialRegistrationTypeEnum, nullable: true, description: 'Immutable.', resolve: (r) => r.initialType }),
    status: t.field({ type: RegistrationStatusEnum, nullable: true, resolve: (r) => r.status as (typeof REGISTRATION_STATUSES)[number] | undefined }),
    rsvp: t.field({ type: RsvpSettingsRef, nullable: true, resolve: (r) => r.rsvp }),
    registrationPaused: t.exposeBoolean('registrationPaused', { nullable: true }),
    registrationDisabled: t.exposeBoolean('registrationDisabled', { nullable: true }),
    allowedGuestTypes: t.field({ type: AllowedGuestTypesEnum, nullable: true, resolve: (r) => r.allowedGuestTypes }),
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

interface Money {
  value?: string;
  currency?: string;
  amount?: string;
}

/** Money on the wire (docs/upstream.md §1.3): a decimal string and an ISO-4217 currency. */
const MoneyRef = builder.objectRef<Money>('Money').implement({
  fields: (t) => ({
    value: t.exposeString('value', { nullable: true, description: 'Decimal string, e.g. "12.50".' }),
    currency: t.exposeString('currency', { nullable: true, description: 'ISO-4217 code.' }),
    amount: t.exposeString('amount', { nullable: true, deprecationReason: 'Deprecated upstream; use value.' }),
  }),
});

const TicketCountsRef = builder.objectRef<NonNullable<EventSummaries['tickets']>>('EventTicketCounts').implement({
  fields: (t) => ({
    ticketsSold: t.exposeInt('ticketsSold', { nullable: true }),
    totalOrders: t.exposeInt('totalOrders', { nullable: true }),
    revenue: t.field({ type: MoneyRef, nullable: true, resolve: (x) => x.revenue as Money | undefined }),
    totalSales: t.field({ type: MoneyRef, nullable: true, resolve: (x) => x.totalSales as Money | undefined }),
    currencyLocked: t.exposeBoolean('currencyLocked', { nullable: true }),
  }),
});

const SummariesRef = builder.objectRef<EventSummaries>('EventSummaries').implement({
  fields: (t) => ({
    rsvps: t.field({ type: RsvpCountsRef, nullable: true, resolve: (s) => s.rsvps }),
    tickets: t.field({ type: TicketCountsRef, nullable: true, resolve: (s) => s.tickets }),
  }),
});

type DateAndTime = NonNullable<WixEvent['dateAndTimeSettings']>;

const EventDateRangeRef = builder.objectRef<{ startDate?: string; endDate?: string }>('EventDateRange').implement({
  fields: (t) => ({
    startDate: t.field({ type: 'DateTime', nullable: true, resolve: (d) => d.startDate }),
    endDate: t.field({ type: 'DateTime', nullable: true, resolve: (d) => d.endDate }),
  }),
});

const RecurringEventsRef = builder.objectRef<NonNullable<DateAndTime['recurringEvents']>>('RecurringEvents').implement({
  fields: (t) => ({
    individualEventDates: t.field({ type: [EventDateRangeRef], nullable: true, resolve: (r) => r.individualEventDates }),
    categoryId: t.exposeString('categoryId', { nullable: true }),
  }),
});

const FormattedDateRef = builder.objectRef<NonNullable<DateAndTime['formatted']>>('FormattedEventDate').implement({
  description: 'Human-readable date texts, as the upstream formats them.',
  fields: (t) => ({
    dateAndTime: t.exposeString('dateAndTime', { nullable: true }),
    startDate: t.exposeString('startDate', { nullable: true }),
    startTime: t.exposeString('startTime', { nullable: true }),
    endDate: t.exposeString('endDate', { nullable: true }),
    endTime: t.exposeString('endTime', { nullable: true }),
  }),
});

const DateAndTimeRef = builder.objectRef<NonNullable<WixEvent['dateAndTimeSettings']>>('EventDateAndTime').implement({
  fields: (t) => ({
    startDate: t.field({ type: 'DateTime', nullable: true, resolve: (d) => d.startDate }),
    endDate: t.field({ type: 'DateTime', nullable: true, resolve: (d) => d.endDate }),
    timeZoneId: t.exposeString('timeZoneId', { nullable: true }),
    dateAndTimeTbd: t.exposeBoolean('dateAndTimeTbd', { nullable: true }),
    dateAndTimeTbdMessage: t.exposeString('dateAndTimeTbdMessage', { nullable: true }),
    hideEndDate: t.exposeBoolean('hideEndDate', { nullable: true }),
    showTimeZone: t.exposeBoolean('showTimeZone', { nullable: true }),
    recurrenceStatus: t.field({ type: RecurrenceStatusEnum, nullable: true, resolve: (d) => d.recurrenceStatus }),
    recurringEvents: t.field({ type: RecurringEventsRef, nullable: true, resolve: (d) => d.recurringEvents }),
    formatted: t.field({ type: FormattedDateRef, nullable: true, resolve: (d) => d.formatted }),
  }),
});

const LocationRef = builder.objectRef<NonNullable<WixEvent['location']>>('EventLocation').implement({
  fields: (t) => ({
    name: t.exposeString('name', { nullable: true }),
    type: t.field({ type: LocationTypeEnum, nullable: true, resolve: (l) => l.type }),
    address: t.field({ type: 'JSON', nullable: true, description: 'Structured address (shape not published).', resolve: (l) => l.address }),
    locationTbd: t.exposeBoolean('locationTbd', { nullable: true }),
  }),
});

const CalendarUrlsRef = builder.objectRef<NonNullable<WixEvent['calendarUrls']>>('CalendarUrls').implement({
  fields: (t) => ({
    google: t.exposeString('google', { nullable: true }),
    ics: t.exposeString('ics', { nullable: true }),
  }),
});

const PageUrlRef = builder.objectRef<NonNullable<WixEvent['eventPageUrl']>>('PageUrl').implement({
  fields: (t) => ({
    base: t.exposeString('base', { nullable: true }),
    path: t.exposeString('path', { nullable: true }),
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
    mainImage: t.field({ type: 'JSON', nullable: true, description: 'DETAILS fieldset; image shape not published.', resolve: (e) => e.mainImage }),
    calendarUrls: t.field({ type: CalendarUrlsRef, nullable: true, resolve: (e) => e.calendarUrls }),
    description: t.field({ type: 'JSON', nullable: true, description: 'TEXTS fieldset: the rich-text description.', resolve: (e) => e.description }),
    eventPageUrl: t.field({ type: PageUrlRef, nullable: true, resolve: (e) => e.eventPageUrl }),
    form: t.field({ type: 'JSON', nullable: true, description: 'FORM fieldset: the registration form definition.', resolve: (e) => e.form }),
    createdDate: t.field({ type: 'DateTime', nullable: true, resolve: (e) => e.createdDate }),
    updatedDate: t.field({ type: 'DateTime', nullable: true, resolve: (e) => e.updatedDate }),
    // Not async: linkConnection's own promise is the field's (one promise and two microtasks less per event).
    guests: t.connection({
      type: GuestRef,
      resolve: (e, args, ctx, info) =>
        linkConnection(args, ctx.loaders.guestsByEvent, e.id!, selectedFieldsets('guest', info, true), selectsTotalCount(info)),
    }, LINK_COUNTED),
    rsvps: t.connection({
      type: RsvpRef,
      resolve: (e, args, ctx, info) =>
        linkConnection(args, ctx.loaders.rsvpsByEvent, e.id!, selectedFieldsets('rsvp', info, true), selectsTotalCount(info)),
    }, LINK_COUNTED),
    rsvpSummary: t.field({ type: RsvpSummaryRef, resolve: (e, _args, ctx) => ctx.loaders.rsvpSummary.load(e.id!) }),
    checkInStats: t.field({
      type: CheckInStatsRef,
      // status, totalGuests and checkedInGuestCount: the DETAILS fieldset
      resolve: async (e, _args, ctx) => checkInStatsOf(await ctx.loaders.rsvpsByEvent.load(e.id!, fieldsetMask('rsvp', ['DETAILS']))),
    }),
  }),
});

addRootQueries({
  typename: 'Event',
  resource: 'event',
  ref: EventRef,
  filter: eventFilter,
  plural: 'events',
  connection: countedConnection(
    "The total the events query's offset-paged answer carries, from the page already read: no extra upstream call " +
      '(first: 0 reads one row for it). Null when the upstream answers tooManyToCount: Events v3 has no count endpoint.',
  ),
});
