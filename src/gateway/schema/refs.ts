/**
 * Object refs for every graph type with the wire object that backs it. Declared apart from their
 * implementations (one file per type) so mutations and subscriptions can name a type before it is implemented.
 */
import type {
  Attendance,
  Booking,
  CalendarEvent,
  EventGuest,
  Participation,
  Rsvp,
  RsvpGuest,
  RsvpSummary,
  WixEvent,
} from '../../wire/types.js';
import { builder } from './builder.js';

export const SessionRef = builder.objectRef<CalendarEvent>('Session');
export const BookingRef = builder.objectRef<Booking & { attendance?: Attendance }>('Booking');
export const AttendanceRef = builder.objectRef<Attendance>('Attendance');
export const ParticipationRef = builder.objectRef<Participation>('Participation');
export const EventRef = builder.objectRef<WixEvent>('Event');
export const GuestRef = builder.objectRef<EventGuest>('Guest');
export const RsvpRef = builder.objectRef<Rsvp>('Rsvp');
export const RsvpGuestRef = builder.objectRef<RsvpGuest & { rsvpId: string }>('RsvpGuest');
export const RsvpSummaryRef = builder.objectRef<RsvpSummary>('RsvpSummary');
export const ContactRef = builder.objectRef<{ contactId: string }>('Contact');
