/** Guest: one entry of an event's unified guest list (Events Guests, docs/upstream.md §4). */
import type { EventGuest, GuestCheckInDetails, GuestDetails, InputValue, TicketDetails } from '../../wire/types.js';
import { builder } from './builder.js';
import { countedConnection } from './paging.js';
import { addRootQueries } from './roots.js';
import { defineFilter, sharedEnum, type Op } from './filters.js';
import { ContactRef, EventRef, GuestRef, RsvpRef } from './refs.js';
import { loadNodes, loadOrNull } from './loading.js';
import { linkFieldsets } from './selection.js';

const ATTENDANCE = ['NOT_ATTENDING', 'ATTENDING', 'IN_WAITLIST'] as const;
const GUEST_TYPES = ['RSVP', 'BUYER', 'TICKET_HOLDER'] as const;
const GuestAttendanceStatusEnum = sharedEnum('GuestAttendanceStatus', ATTENDANCE);
const GuestTypeEnum = sharedEnum('GuestType', GUEST_TYPES);
// Order statuses as docs/upstream.md §4.2 spells them (UNKNOW_ORDER_STATUS sic).
const ORDER_STATUSES = [
  'UNKNOW_ORDER_STATUS',
  'FREE',
  'PENDING',
  'PAID',
  'OFFLINE_PENDING',
  'INITIATED',
  'CANCELED',
  'DECLINED',
  'AUTHORIZED',
  'VOIDED',
  'PARTIALLY_PAID',
] as const;
const OrderStatusEnum = sharedEnum('OrderStatus', ORDER_STATUSES);

// The SDK's query spec (docs/upstream.md §4.3, SDK column): no $nin anywhere; attendanceStatus/guestType only $eq $in $ne.
const DATE_OPS: readonly Op[] = ['eq', 'ne', 'lt', 'lte', 'gt', 'gte', 'in', 'exists'];
const ID_OPS = DATE_OPS;
// $startsWith is evidenced for ticketNumber only (an SDK doc comment, §4.3), so only ticketNumber offers it.
const TICKET_OPS: readonly Op[] = [...DATE_OPS, 'startsWith'];
export const guestFilter = defineFilter(
  'Guest',
  {
    id: { path: 'id', type: 'ID', ops: ID_OPS },
    eventId: { path: 'eventId', type: 'ID', ops: ID_OPS },
    rsvpId: { path: 'rsvpId', type: 'ID', ops: ID_OPS },
    memberId: { path: 'memberId', type: 'ID', ops: ID_OPS },
    contactId: { path: 'contactId', type: 'ID', ops: ID_OPS },
    ticketNumber: { path: 'ticketNumber', type: 'String', ops: TICKET_OPS },
    orderNumber: { path: 'orderNumber', type: 'String', ops: ID_OPS },
    secondaryLanguageCode: { path: 'secondaryLanguageCode', type: 'String', ops: ID_OPS },
    attendanceStatus: { path: 'attendanceStatus', type: { enumName: 'GuestAttendanceStatus', values: ATTENDANCE }, ops: ['eq', 'in', 'ne'] },
    guestType: { path: 'guestType', type: { enumName: 'GuestType', values: GUEST_TYPES }, ops: ['eq', 'in', 'ne'] },
    checkedIn: { path: 'guestDetails.checkedIn', type: 'Boolean', ops: ['eq', 'ne', 'exists'] },
    tickets: { path: 'tickets', type: 'Boolean', ops: ['exists'] },
    createdDate: { path: 'createdDate', type: 'DateTime', ops: DATE_OPS },
    updatedDate: { path: 'updatedDate', type: 'DateTime', ops: DATE_OPS },
    attendanceStatusUpdatedDate: { path: 'attendanceStatusUpdatedDate', type: 'DateTime', ops: DATE_OPS },
  },
  {
    createdDate: { path: 'createdDate', orders: 'BOTH' },
    updatedDate: { path: 'updatedDate', orders: 'BOTH' },
    attendanceStatusUpdatedDate: { path: 'attendanceStatusUpdatedDate', orders: 'BOTH' },
  },
);

export const CheckInDetailsRef = builder.objectRef<GuestCheckInDetails>('CheckInDetails').implement({
  fields: (t) => ({
    checkedIn: t.exposeBoolean('checkedIn', { nullable: true }),
    checkInDate: t.field({ type: 'DateTime', nullable: true, resolve: (c) => c.checkInDate ?? null }),
    checkInCanceledDate: t.field({ type: 'DateTime', nullable: true, resolve: (c) => c.checkInCanceledDate ?? null }),
    checkedInBy: t.field({ type: 'JSON', nullable: true, resolve: (c) => c.checkedInBy }),
    checkInCanceledBy: t.field({ type: 'JSON', nullable: true, resolve: (c) => c.checkInCanceledBy }),
    checkedInByStaffMember: t.exposeBoolean('checkedInByStaffMember', { nullable: true }),
    checkInCanceledByStaffMember: t.exposeBoolean('checkInCanceledByStaffMember', { nullable: true }),
    fullName: t.exposeString('fullName', { nullable: true, description: 'RSVP guests only.' }),
  }),
});

export const OnlineConferencingLoginRef = builder.objectRef<{ link?: string; password?: string }>('OnlineConferencingLogin').implement({
  fields: (t) => ({
    link: t.exposeString('link', { nullable: true }),
    password: t.exposeString('password', { nullable: true }),
  }),
});

/** One form answer (InputValue of docs/upstream.md §4.2 and §5.3, with the RSVP's internal extras). */
export const FormInputValueRef = builder.objectRef<InputValue>('FormInputValue').implement({
  fields: (t) => ({
    inputName: t.exposeString('inputName'),
    value: t.exposeString('value', { nullable: true }),
    values: t.exposeStringList('values', { nullable: true }),
    number: t.exposeFloat('number', { nullable: true }),
    dateTime: t.field({ type: 'DateTime', nullable: true, resolve: (v) => v.dateTime ?? null }),
    address: t.field({ type: FormAddressRef, nullable: true, resolve: (v) => v.address ?? null }),
  }),
});

const FormAddressRef = builder.objectRef<NonNullable<InputValue['address']>>('FormAddress').implement({
  fields: (t) => ({
    formatted: t.exposeString('formatted', { nullable: true }),
    address: t.field({ type: 'JSON', nullable: true, resolve: (a) => a.address }),
  }),
});

const GuestDetailsRef = builder.objectRef<GuestDetails>('GuestDetails').implement({
  fields: (t) => ({
    email: t.exposeString('email', { nullable: true }),
    firstName: t.exposeString('firstName', { nullable: true }),
    lastName: t.exposeString('lastName', { nullable: true }),
    formResponse: t.field({ type: [FormInputValueRef], nullable: true, description: 'formResponse.inputValues.', resolve: (d) => d.formResponse?.inputValues }),
    checkedIn: t.exposeBoolean('checkedIn', { nullable: true }),
    onlineConferencingLogin: t.field({ type: OnlineConferencingLoginRef, nullable: true, resolve: (d) => d.onlineConferencingLogin }),
    phone: t.exposeString('phone', { nullable: true }),
    address: t.exposeString('address', { nullable: true }),
    checkInDetails: t.field({ type: [CheckInDetailsRef], nullable: true, resolve: (d) => d.checkInDetails }),
  }),
});

const TicketGuestRef = builder.objectRef<NonNullable<TicketDetails['guestDetails']>>('TicketGuestDetails').implement({
  fields: (t) => ({
    firstName: t.exposeString('firstName', { nullable: true }),
    lastName: t.exposeString('lastName', { nullable: true }),
    onlineConferencingLogin: t.field({ type: OnlineConferencingLoginRef, nullable: true, resolve: (d) => d.onlineConferencingLogin }),
  }),
});

const TicketDetailsRef = builder.objectRef<TicketDetails>('TicketDetails').implement({
  fields: (t) => ({
    number: t.exposeString('number', { nullable: true }),
    definitionId: t.exposeString('definitionId', { nullable: true }),
    name: t.exposeString('name', { nullable: true }),
    guestDetails: t.field({ type: TicketGuestRef, nullable: true, description: 'Internal upstream field.', resolve: (d) => d.guestDetails }),
  }),
});

const AdditionalDetailsRef = builder.objectRef<NonNullable<EventGuest['additionalDetails']>>('GuestAdditionalDetails').implement({
  fields: (t) => ({
    createdDate: t.field({ type: 'DateTime', nullable: true, resolve: (d) => d.createdDate }),
    updatedDate: t.field({ type: 'DateTime', nullable: true, resolve: (d) => d.updatedDate }),
    rsvpStatus: t.field({ type: sharedEnum('RsvpStatus', ['YES', 'NO', 'WAITLIST']), nullable: true, resolve: (d) => d.rsvpStatus }),
    orderStatus: t.field({ type: OrderStatusEnum, nullable: true, resolve: (d) => d.orderStatus as (typeof ORDER_STATUSES)[number] | undefined }),
  }),
});

builder.node(GuestRef, {
  id: { resolve: (g) => g.id! },
  loadMany: (ids, ctx) => loadNodes(ctx.loaders.guest, ids),
  fields: (t) => ({
    guestId: t.exposeString('id', { nullable: true }),
    eventId: t.exposeString('eventId', { nullable: true }),
    rsvpId: t.exposeString('rsvpId', { nullable: true }),
    orderNumber: t.exposeString('orderNumber', { nullable: true }),
    ticketNumber: t.exposeString('ticketNumber', { nullable: true }),
    tickets: t.field({ type: [TicketDetailsRef], nullable: true, resolve: (g) => g.tickets }),
    contactId: t.exposeString('contactId', { nullable: true }),
    guestDetails: t.field({ type: GuestDetailsRef, nullable: true, resolve: (g) => g.guestDetails }),
    attendanceStatus: t.field({ type: GuestAttendanceStatusEnum, nullable: true, resolve: (g) => g.attendanceStatus }),
    secondaryLanguageCode: t.exposeString('secondaryLanguageCode', { nullable: true }),
    createdDate: t.field({ type: 'DateTime', nullable: true, resolve: (g) => g.createdDate }),
    updatedDate: t.field({ type: 'DateTime', nullable: true, resolve: (g) => g.updatedDate }),
    attendanceStatusUpdatedDate: t.field({ type: 'DateTime', nullable: true, resolve: (g) => g.attendanceStatusUpdatedDate }),
    memberId: t.exposeString('memberId', { nullable: true }),
    guestType: t.field({ type: GuestTypeEnum, nullable: true, resolve: (g) => g.guestType }),
    locale: t.exposeString('locale', { nullable: true }),
    totalGuests: t.exposeInt('totalGuests', { nullable: true }),
    revision: t.exposeString('revision', { nullable: true }),
    additionalDetails: t.field({ type: AdditionalDetailsRef, nullable: true, resolve: (g) => g.additionalDetails }),
    rsvp: t.field({
      type: RsvpRef,
      nullable: true,
      resolve: (g, _args, ctx, info) => (g.rsvpId ? loadOrNull(ctx.loaders.rsvp, g.rsvpId, linkFieldsets('rsvp', info.fieldNodes, info.fragments)) : null),
    }),
    event: t.field({
      type: EventRef,
      nullable: true,
      resolve: (g, _args, ctx, info) => (g.eventId ? loadOrNull(ctx.loaders.event, g.eventId, linkFieldsets('event', info.fieldNodes, info.fragments)) : null),
    }),
    contact: t.field({ type: ContactRef, nullable: true, resolve: (g) => (g.contactId ? { contactId: g.contactId } : null) }),
  }),
});

addRootQueries({
  typename: 'Guest',
  resource: 'guest',
  ref: GuestRef,
  filter: guestFilter,
  plural: 'guests',
  connection: countedConnection(
    "The total the guests query's offset-paged answer carries, from the page already read: no extra upstream call " +
      '(first: 0 reads one row for it). Null when the upstream answers tooManyToCount: Events Guests has no count endpoint.',
  ),
});
