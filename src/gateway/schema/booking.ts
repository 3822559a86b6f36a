/** Booking, read through the Bookings Reader with its attendance joined (docs/upstream.md §6.1). */
import type { BookedEntity, BookedResource, BookedSchedule, BookedSlot, ContactDetails } from '../../wire/types.js';
import { bookedParticipants } from './analytics.js';
import { builder } from './builder.js';
import { addRootQueries } from './roots.js';
import { defineFilter, ID_EQ_IN, RANGE, sharedEnum } from './filters.js';
import { arrayConnection, linkConnection, LINK_COUNTED, countedConnection } from './paging.js';
import { selectsTotalCount } from './selection.js';
import { AttendanceRef, BookingRef, ContactRef, SessionRef } from './refs.js';
import { loadNodes, loadOrNull } from './loading.js';

const BOOKING_STATUSES = ['CREATED', 'CONFIRMED', 'CANCELED', 'PENDING', 'DECLINED', 'WAITING_LIST'] as const;
const BookingStatusEnum = sharedEnum('BookingStatus', BOOKING_STATUSES);
const BookingTagEnum = sharedEnum('BookingTag', ['INDIVIDUAL', 'GROUP', 'COURSE']);
const PaymentStatusEnum = sharedEnum('PaymentStatus', ['UNDEFINED', 'NOT_PAID', 'PAID', 'PARTIALLY_PAID', 'REFUNDED', 'EXEMPT', 'FAILED']);

// The filter fields this project assumes for the Bookings Reader (docs/upstream.md §6.1).
export const bookingFilter = defineFilter(
  'Booking',
  {
    id: { path: 'id', type: 'ID', ops: ID_EQ_IN },
    status: { path: 'status', type: { enumName: 'BookingStatus', values: BOOKING_STATUSES }, ops: ID_EQ_IN },
    contactId: { path: 'contactDetails.contactId', type: 'ID', ops: ID_EQ_IN },
    sessionId: { path: 'bookedEntity.slot.eventId', type: 'ID', ops: ID_EQ_IN },
    scheduleId: { path: 'bookedEntity.slot.scheduleId', type: 'ID', ops: ID_EQ_IN },
    startDate: { path: 'startDate', type: 'DateTime', ops: RANGE },
  },
  { startDate: { path: 'startDate', orders: 'BOTH' }, createdDate: { path: 'createdDate', orders: 'BOTH' } },
);

const ContactDetailsRef = builder.objectRef<ContactDetails>('ContactDetails').implement({
  fields: (t) => ({
    contactId: t.exposeString('contactId', { nullable: true }),
    firstName: t.exposeString('firstName', { nullable: true }),
    lastName: t.exposeString('lastName', { nullable: true }),
    email: t.exposeString('email', { nullable: true }),
    phone: t.exposeString('phone', { nullable: true }),
    countryCode: t.exposeString('countryCode', { nullable: true }),
    fullAddress: t.field({ type: 'JSON', nullable: true, description: 'Structured address (shape not published).', resolve: (c) => c.fullAddress }),
    timeZone: t.exposeString('timeZone', { nullable: true, deprecationReason: 'Deprecated upstream.' }),
  }),
});

const BookedResourceRef = builder.objectRef<BookedResource>('BookedResource').implement({
  fields: (t) => ({
    id: t.exposeString('id', { nullable: true }),
    name: t.exposeString('name', { nullable: true }),
    email: t.exposeString('email', { nullable: true }),
    scheduleId: t.exposeString('scheduleId', { nullable: true }),
    type: t.exposeString('type', { nullable: true }),
  }),
});

const BookedSlotRef = builder.objectRef<BookedSlot>('BookedSlot').implement({
  fields: (t) => ({
    sessionId: t.exposeString('eventId', { nullable: true, description: 'The calendar event id (slot.eventId).' }),
    legacySessionId: t.exposeString('sessionId', { nullable: true, deprecationReason: 'Deprecated upstream; use sessionId.' }),
    serviceId: t.exposeString('serviceId', { nullable: true }),
    scheduleId: t.exposeString('scheduleId', { nullable: true }),
    startDate: t.field({ type: 'DateTime', nullable: true, resolve: (s) => s.startDate }),
    endDate: t.field({ type: 'DateTime', nullable: true, resolve: (s) => s.endDate }),
    timezone: t.exposeString('timezone', { nullable: true }),
    resource: t.field({ type: BookedResourceRef, nullable: true, resolve: (s) => s.resource }),
    location: t.field({ type: 'JSON', nullable: true, resolve: (s) => s.location }),
    resourceSelections: t.field({ type: 'JSON', nullable: true, resolve: (s) => s.resourceSelections }),
    allDay: t.exposeBoolean('allDay', { nullable: true }),
  }),
});

const BookedScheduleRef = builder.objectRef<BookedSchedule>('BookedSchedule').implement({
  fields: (t) => ({
    scheduleId: t.exposeString('scheduleId', { nullable: true }),
    serviceId: t.exposeString('serviceId', { nullable: true }),
    timezone: t.exposeString('timezone', { nullable: true }),
    firstSessionStart: t.field({ type: 'DateTime', nullable: true, resolve: (s) => s.firstSessionStart }),
    lastSessionEnd: t.field({ type: 'DateTime', nullable: true, resolve: (s) => s.lastSessionEnd }),
    location: t.field({ type: 'JSON', nullable: true, resolve: (s) => s.location }),
  }),
});

const BookedEntityRef = builder.objectRef<BookedEntity>('BookedEntity').implement({
  fields: (t) => ({
    slot: t.field({ type: BookedSlotRef, nullable: true, resolve: (e) => e.slot }),
    schedule: t.field({ type: BookedScheduleRef, nullable: true, resolve: (e) => e.schedule }),
    title: t.exposeString('title', { nullable: true }),
    tags: t.field({ type: [BookingTagEnum], nullable: true, resolve: (e) => e.tags as ('INDIVIDUAL' | 'GROUP' | 'COURSE')[] | undefined }),
  }),
});

const ServiceChoiceRef = builder.objectRef<{ numberOfParticipants: number; choices?: unknown[] }>('ServiceChoice').implement({
  fields: (t) => ({
    numberOfParticipants: t.exposeInt('numberOfParticipants'),
    choices: t.field({ type: 'JSON', nullable: true, resolve: (c) => c.choices }),
  }),
});

builder.node(BookingRef, {
  id: { resolve: (b) => b.id! },
  loadMany: (ids, ctx) => loadNodes(ctx.loaders.booking, ids),
  fields: (t) => ({
    bookingId: t.exposeString('id', { nullable: true }),
    revision: t.exposeString('revision', { nullable: true }),
    status: t.field({ type: BookingStatusEnum, nullable: true, resolve: (b) => b.status }),
    paymentStatus: t.field({ type: PaymentStatusEnum, nullable: true, resolve: (b) => b.paymentStatus }),
    totalParticipants: t.exposeInt('totalParticipants', { nullable: true }),
    participantsChoices: t.field({
      type: [ServiceChoiceRef],
      nullable: true,
      resolve: (b) => b.participantsChoices?.serviceChoices,
    }),
    numberOfParticipants: t.int({
      description: 'totalParticipants, or the sum of participantsChoices (what the attendance docs call numberOfParticipants).',
      // Unknown (neither field set) answers 0, as it always has; analytics.ts bookedParticipants says null.
      resolve: (b) => bookedParticipants(b) ?? 0,
    }),
    contactDetails: t.field({ type: ContactDetailsRef, nullable: true, resolve: (b) => b.contactDetails }),
    bookedEntity: t.field({ type: BookedEntityRef, nullable: true, resolve: (b) => b.bookedEntity }),
    startDate: t.field({ type: 'DateTime', nullable: true, resolve: (b) => b.startDate }),
    endDate: t.field({ type: 'DateTime', nullable: true, resolve: (b) => b.endDate }),
    createdDate: t.field({ type: 'DateTime', nullable: true, resolve: (b) => b.createdDate }),
    updatedDate: t.field({ type: 'DateTime', nullable: true, resolve: (b) => b.updatedDate }),
    // The rest of docs/upstream.md §6.1's Booking; objects whose shape it does not publish pass through as JSON.
    createdBy: t.field({ type: 'JSON', nullable: true, resolve: (b) => b.createdBy }),
    externalUserId: t.exposeString('externalUserId', { nullable: true }),
    extendedFields: t.field({ type: 'JSON', nullable: true, resolve: (b) => b.extendedFields }),
    doubleBooked: t.exposeBoolean('doubleBooked', { nullable: true }),
    formSubmissionId: t.exposeString('formSubmissionId', { nullable: true }),
    formId: t.exposeString('formId', { nullable: true }),
    bookedAddOns: t.field({ type: 'JSON', nullable: true, resolve: (b) => b.bookedAddOns }),
    appId: t.exposeString('appId', { nullable: true }),
    createdByAppId: t.exposeString('createdByAppId', { nullable: true }),
    depositSelected: t.exposeBoolean('depositSelected', { nullable: true }),
    selectedPaymentOption: t.exposeString('selectedPaymentOption', { nullable: true }),
    multiServiceBookingInfo: t.field({ type: 'JSON', nullable: true, resolve: (b) => b.multiServiceBookingInfo }),
    session: t.field({
      type: SessionRef,
      nullable: true,
      resolve: (b, _args, ctx) => {
        const id = b.bookedEntity?.slot?.eventId;
        return id ? loadOrNull(ctx.loaders.session, id) : null;
      },
    }),
    attendance: t.field({
      type: AttendanceRef,
      nullable: true,
      description: "This booking's attendance (the Bookings Reader joins it: withBookingAttendanceInfo).",
      resolve: (b) => b.attendance ?? null,
    }),
    attendances: t.connection({
      type: AttendanceRef,
      description: 'Every attendance of this booking (one per session for classes and courses).',
      resolve: async (b, args, ctx, info) =>
        b.id ? linkConnection(args, ctx.loaders.attendancesByBooking, b.id, undefined, selectsTotalCount(info)) : arrayConnection(args, []),
    }, LINK_COUNTED),
    contact: t.field({
      type: ContactRef,
      nullable: true,
      resolve: (b) => (b.contactDetails?.contactId ? { contactId: b.contactDetails.contactId } : null),
    }),
  }),
});

addRootQueries({
  typename: 'Booking',
  resource: 'booking',
  ref: BookingRef,
  filter: bookingFilter,
  plural: 'bookings',
  connection: countedConnection(
    "The total the Bookings Reader's offset-paged answer carries, from the page already read: no extra upstream call " +
      '(first: 0 reads one row for it); the count endpoint when the answer says tooManyToCount.',
  ),
});
