/** Rsvp: one registration response with its guest list (Events RSVP v2, docs/upstream.md §5), and RSVP summaries. */
import { GraphQLError } from 'graphql';
import { LIMITS } from '../../wire/paths.js';
import type { RsvpGuest } from '../../wire/types.js';
import { globalId } from '../validation.js';
import { builder } from './builder.js';
import { countedConnection } from './paging.js';
import { addRootQueries } from './roots.js';
import { defineFilter, sharedEnum, type Op } from './filters.js';
import { CheckInDetailsRef, FormInputValueRef, OnlineConferencingLoginRef } from './guest.js';
import { ContactRef, EventRef, GuestRef, RsvpGuestRef, RsvpRef, RsvpSummaryRef } from './refs.js';
import { loadNodes, loadOrNull } from './loading.js';
import { linkFieldsets } from './selection.js';

const RSVP_STATUSES = ['YES', 'NO', 'WAITLIST'] as const;
const RsvpStatusEnum = sharedEnum('RsvpStatus', RSVP_STATUSES);

// The SDK's Query spec (docs/upstream.md §5.4), which the docs' wider table does not match: Query follows the SDK.
const IDS: readonly Op[] = ['eq', 'exists', 'in', 'ne', 'nin'];
const DATES: readonly Op[] = ['eq', 'gt', 'gte', 'in', 'lt', 'lte', 'ne', 'nin'];
export const rsvpFilter = defineFilter(
  'Rsvp',
  {
    id: { path: 'id', type: 'ID', ops: IDS },
    contactId: { path: 'contactId', type: 'ID', ops: IDS },
    eventId: { path: 'eventId', type: 'ID', ops: IDS },
    memberId: { path: 'memberId', type: 'ID', ops: IDS },
    fullyCheckedIn: { path: 'fullyCheckedIn', type: 'Boolean', ops: ['eq', 'in', 'ne', 'nin'] },
    status: { path: 'status', type: { enumName: 'RsvpStatus', values: RSVP_STATUSES }, ops: ['eq', 'in', 'ne', 'nin'] },
    createdDate: { path: 'createdDate', type: 'DateTime', ops: DATES },
    updatedDate: { path: 'updatedDate', type: 'DateTime', ops: DATES },
  },
  {
    fullyCheckedIn: { path: 'fullyCheckedIn', orders: 'BOTH' },
    status: { path: 'status', orders: 'BOTH' },
    createdDate: { path: 'createdDate', orders: 'BOTH' },
    updatedDate: { path: 'updatedDate', orders: 'BOTH' },
  },
);

builder.objectType(RsvpGuestRef, {
  description: 'One person of an RSVP party (guestList.guests[]); guestId is what check-in takes.',
  fields: (t) => ({
    guestId: t.exposeInt('guestId', { description: '1-based id within the RSVP.' }),
    index: t.exposeInt('index', { description: '0-based position in the guest list.' }),
    fullName: t.exposeString('fullName', { nullable: true }),
    firstName: t.exposeString('firstName', { nullable: true, description: 'Internal upstream field.' }),
    lastName: t.exposeString('lastName', { nullable: true, description: 'Internal upstream field.' }),
    checkedIn: t.boolean({ resolve: (g) => g.checkInDetails?.checkedIn ?? false }),
    checkInDetails: t.field({ type: CheckInDetailsRef, nullable: true, resolve: (g) => g.checkInDetails }),
    rsvp: t.field({ type: RsvpRef, nullable: true, resolve: (g, _args, ctx, info) => loadOrNull(ctx.loaders.rsvp, g.rsvpId, linkFieldsets('rsvp', info.fieldNodes, info.fragments)) }),
  }),
});


builder.node(RsvpRef, {
  id: { resolve: (r) => r.id! },
  loadMany: (ids, ctx) => loadNodes(ctx.loaders.rsvp, ids),
  fields: (t) => ({
    rsvpId: t.exposeString('id', { nullable: true }),
    revision: t.exposeString('revision', { nullable: true }),
    eventId: t.exposeString('eventId', { nullable: true }),
    createdDate: t.field({ type: 'DateTime', nullable: true, resolve: (r) => r.createdDate }),
    updatedDate: t.field({ type: 'DateTime', nullable: true, resolve: (r) => r.updatedDate }),
    memberId: t.exposeString('memberId', { nullable: true }),
    contactId: t.exposeString('contactId', { nullable: true }),
    firstName: t.exposeString('firstName', { nullable: true }),
    lastName: t.exposeString('lastName', { nullable: true }),
    email: t.exposeString('email', { nullable: true }),
    form: t.field({ type: [FormInputValueRef], nullable: true, description: 'form.inputValues (FORM fieldset).', resolve: (r) => r.form?.inputValues }),
    emailDomain: t.exposeString('emailDomain', { nullable: true, description: 'Internal upstream field; searchable.' }),
    status: t.field({ type: RsvpStatusEnum, nullable: true, resolve: (r) => r.status }),
    totalGuests: t.exposeInt('totalGuests', { nullable: true }),
    guests: t.field({
      type: [RsvpGuestRef],
      description: 'The guest list (guestList.guests): the main guest and up to 10 more.',
      resolve: (r) => (r.guestList?.guests ?? []).map((g: RsvpGuest) => ({ ...g, rsvpId: r.id! })),
    }),
    language: t.exposeString('language', { nullable: true }),
    locale: t.exposeString('locale', { nullable: true }),
    fullyCheckedIn: t.exposeBoolean('fullyCheckedIn', { nullable: true }),
    checkedInGuestCount: t.exposeInt('checkedInGuestCount', { nullable: true }),
    additionalGuestCount: t.int({ nullable: true, resolve: (r) => r.additionalGuestDetails?.guestCount }),
    additionalGuestNames: t.stringList({ nullable: true, resolve: (r) => r.additionalGuestDetails?.guestNames }),
    disableNotifications: t.exposeBoolean('disableNotifications', { nullable: true }),
    onlineConferencingLogin: t.field({ type: OnlineConferencingLoginRef, nullable: true, resolve: (r) => r.onlineConferencingLogin }),
    anonymized: t.exposeBoolean('anonymized', { nullable: true }),
    marketingConsent: t.exposeBoolean('marketingConsent', { nullable: true }),
    extendedFields: t.field({ type: 'JSON', nullable: true, resolve: (r) => r.extendedFields }),
    event: t.field({
      type: EventRef,
      nullable: true,
      resolve: (r, _args, ctx, info) => (r.eventId ? loadOrNull(ctx.loaders.event, r.eventId, linkFieldsets('event', info.fieldNodes, info.fragments)) : null),
    }),
    eventGuest: t.field({
      type: GuestRef,
      nullable: true,
      description: 'The entry this RSVP made in the event guest list.',
      resolve: (r, _args, ctx, info) => ctx.loaders.guestByRsvp.load(r.id!, linkFieldsets('guest', info.fieldNodes, info.fragments)),
    }),
    contact: t.field({ type: ContactRef, nullable: true, resolve: (r) => (r.contactId ? { contactId: r.contactId } : null) }),
  }),
});

builder.objectType(RsvpSummaryRef, {
  description: 'Guest counts of one event (RSVP v2 summaries).',
  fields: (t) => ({
    eventId: t.exposeString('eventId'),
    yesGuestCount: t.exposeInt('yesGuestCount'),
    noGuestCount: t.exposeInt('noGuestCount'),
    waitlistGuestCount: t.exposeInt('waitlistGuestCount'),
    totalRsvpCount: t.exposeInt('totalRsvpCount'),
    event: t.field({ type: EventRef, nullable: true, resolve: (s, _args, ctx, info) => loadOrNull(ctx.loaders.event, s.eventId, linkFieldsets('event', info.fieldNodes, info.fragments)) }),
  }),
});

builder.queryFields((t) => ({
  rsvpCount: t.int({
    args: { filter: t.arg({ type: rsvpFilter.filterRef }) },
    resolve: (_root, args, ctx) => ctx.upstream.rsvps.count(rsvpFilter.toFilter(args.filter)),
  }),
  rsvpSummaries: t.field({
    type: [RsvpSummaryRef],
    description: 'Summaries of up to 1000 events (batched upstream by 100).',
    args: { eventIds: t.arg.idList({ required: true }) },
    resolve: (_root, args, ctx) => {
      if (args.eventIds.length > 10 * LIMITS.rsvpSummariesMax) {
        throw new GraphQLError(`eventIds: at most ${10 * LIMITS.rsvpSummariesMax} ids, got ${args.eventIds.length}`, {
          extensions: { code: 'BAD_USER_INPUT', field: 'eventIds' },
        });
      }
      return Promise.all(args.eventIds.map((id, i) => ctx.loaders.rsvpSummary.load(globalId('Event', String(id), `eventIds[${i}]`))));
    },
  }),
}));

addRootQueries({
  typename: 'Rsvp',
  resource: 'rsvp',
  ref: RsvpRef,
  filter: rsvpFilter,
  plural: 'rsvps',
  connection: countedConnection(
    'The RSVP count endpoint with the same filter (RSVP pages are cursor-paged and carry no total): one upstream call, ' +
      "made beside the first page's read and only when totalCount is selected.",
  ),
});
