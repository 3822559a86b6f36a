/**
 * Contact: a cross-domain view keyed by contactId, the one key every upstream shares (RSVPs and guests by contactId,
 * bookings by contactDetails.contactId, participations by participant.contactId). The gateway has no contact
 * store of its own; a Contact is only its id and the links.
 */
import { globalId } from '../validation.js';
import { builder } from './builder.js';
import { arrayConnection, linkConnection, LINK_COUNTED } from './paging.js';
import { AttendanceRef, BookingRef, ContactRef, GuestRef, ParticipationRef, RsvpRef } from './refs.js';
import { selectedFieldsets, selectsTotalCount } from './selection.js';

builder.node(ContactRef, {
  id: { resolve: (c) => c.contactId },
  loadOne: (contactId) => ({ contactId }),
  fields: (t) => ({
    contactId: t.exposeString('contactId'),
    rsvps: t.connection({
      type: RsvpRef,
      resolve: async (c, args, ctx, info) =>
        linkConnection(args, ctx.loaders.rsvpsByContact, c.contactId, selectedFieldsets('rsvp', info, true), selectsTotalCount(info)),
    }, LINK_COUNTED),
    guests: t.connection({
      type: GuestRef,
      resolve: async (c, args, ctx, info) =>
        linkConnection(args, ctx.loaders.guestsByContact, c.contactId, selectedFieldsets('guest', info, true), selectsTotalCount(info)),
    }, LINK_COUNTED),
    participations: t.connection({
      type: ParticipationRef,
      resolve: async (c, args, ctx) => arrayConnection(args, await ctx.loaders.participationsByContact.load(c.contactId)),
    }, LINK_COUNTED),
    bookings: t.connection({
      type: BookingRef,
      resolve: async (c, args, ctx, info) => linkConnection(args, ctx.loaders.bookingsByContact, c.contactId, undefined, selectsTotalCount(info)),
    }, LINK_COUNTED),
    attendances: t.connection({
      type: AttendanceRef,
      description: "Attendance of this contact's bookings.",
      resolve: async (c, args, ctx) => {
        const bookings = await ctx.loaders.bookingsByContact.load(c.contactId);
        const lists = await Promise.all(bookings.filter((b) => b.id).map((b) => ctx.loaders.attendancesByBooking.load(b.id!)));
        return arrayConnection(args, lists.flat());
      },
    }, LINK_COUNTED),
  }),
});

builder.queryField('contact', (t) =>
  t.field({
    type: ContactRef,
    args: { contactId: t.arg.id({ required: true }) },
    resolve: (_root, args) => ({ contactId: globalId('Contact', String(args.contactId), 'contactId') }),
  }),
);
