/**
 * Aggregates the upstream does not compute, derived by the gateway from rows the loaders already hold.
 * No-show rate: the share of booked participants who did not attend, over bookings that are still on
 * (not CANCELED or DECLINED), per docs/upstream.md §2.6 ("compare attendees against the booking's participants").
 */
import type { Attendance, Booking, Rsvp } from '../../wire/types.js';
import { builder } from './builder.js';

export interface AttendanceSummary {
  attended: number;
  notAttended: number;
  notSet: number;
  totalAttendees: number;
  bookedParticipants: number;
  noShowRate: number | null;
}

export const AttendanceSummaryRef = builder.objectRef<AttendanceSummary>('AttendanceSummary').implement({
  description: 'Attendance of one session, or of a set of sessions, computed by the gateway.',
  fields: (t) => ({
    attended: t.exposeInt('attended', { description: 'Attendance records with status ATTENDED.' }),
    notAttended: t.exposeInt('notAttended', { description: 'Attendance records with status NOT_ATTENDED.' }),
    notSet: t.exposeInt('notSet', { description: 'Attendance records with status NOT_SET, plus live bookings with no record.' }),
    totalAttendees: t.exposeInt('totalAttendees', { description: 'Sum of numberOfAttendees over ATTENDED records.' }),
    bookedParticipants: t.exposeInt('bookedParticipants', { description: 'Participants of the bookings that are not CANCELED or DECLINED.' }),
    noShowRate: t.exposeFloat('noShowRate', {
      nullable: true,
      description: 'max(0, bookedParticipants − totalAttendees) / bookedParticipants over bookings whose attendance is recorded; null with none.',
    }),
  }),
});

/**
 * The one rule for a booking's participants (docs/upstream.md §6.1): totalParticipants, or the sum over
 * participantsChoices.serviceChoices for variant bookings; null when the booking states neither. Callers decide
 * what unknown means to them: the attendance capacity check does not refuse on it, sums count it as 0.
 */
export function bookedParticipants(booking: Booking): number | null {
  if (typeof booking.totalParticipants === 'number') return booking.totalParticipants;
  const choices = booking.participantsChoices?.serviceChoices;
  if (choices?.length) return choices.reduce((sum, c) => sum + (c.numberOfParticipants ?? 0), 0);
  return null;
}

/** Participants a sum counts for a booking: unknown counts as none. */
function participantsOf(booking: Booking): number {
  return bookedParticipants(booking) ?? 0;
}

const LIVE = (b: Booking) => b.status !== 'CANCELED' && b.status !== 'DECLINED';

export function attendanceSummaryOf(attendances: readonly Attendance[], bookings: readonly Booking[]): AttendanceSummary {
  return summaryOf(tally(attendances, bookings));
}

/**
 * The summary of several sessions, each tallied with its own attendances and bookings, then summed: a course booking
 * is in every session of its course and has one attendance per session, so pairing a booking with its attendance
 * must happen within one session.
 */
export function attendanceSummaryOfSessions(sessions: readonly { attendances: readonly Attendance[]; bookings: readonly Booking[] }[]): AttendanceSummary {
  const total: Tally = { attended: 0, notAttended: 0, notSet: 0, totalAttendees: 0, bookedParticipants: 0, expected: 0, came: 0 };
  for (const session of sessions) {
    const t = tally(session.attendances, session.bookings);
    for (const key of Object.keys(total) as (keyof Tally)[]) total[key] += t[key];
  }
  return summaryOf(total);
}

// The summary's counts before the rate, so sessions can be summed before dividing.
interface Tally {
  attended: number;
  notAttended: number;
  notSet: number;
  totalAttendees: number;
  bookedParticipants: number;
  expected: number;
  came: number;
}

function tally(attendances: readonly Attendance[], bookings: readonly Booking[]): Tally {
  const live = bookings.filter(LIVE);
  const recorded = new Map(attendances.map((a) => [a.bookingId, a]));
  let attended = 0;
  let notAttended = 0;
  let notSet = 0;
  let totalAttendees = 0;
  for (const a of attendances) {
    if (a.status === 'ATTENDED') {
      attended++;
      totalAttendees += a.numberOfAttendees ?? 1;
    } else if (a.status === 'NOT_ATTENDED') notAttended++;
    else notSet++;
  }
  notSet += live.filter((b) => !recorded.has(b.id)).length;
  const bookedParticipants = live.reduce((n, b) => n + participantsOf(b), 0);
  // Only bookings whose attendance was recorded (ATTENDED or NOT_ATTENDED) say anything about no-shows.
  let expected = 0;
  let came = 0;
  for (const b of live) {
    const a = recorded.get(b.id);
    if (!a || a.status === 'NOT_SET' || !a.status) continue;
    expected += participantsOf(b);
    came += a.status === 'ATTENDED' ? Math.min(a.numberOfAttendees ?? 1, participantsOf(b)) : 0;
  }
  return { attended, notAttended, notSet, totalAttendees, bookedParticipants, expected, came };
}

function summaryOf(t: Tally): AttendanceSummary {
  const { expected, came, ...counts } = t;
  return { ...counts, noShowRate: expected > 0 ? round((expected - came) / expected) : null };
}

export interface CheckInStats {
  checkedIn: number;
  attending: number;
  ratio: number | null;
}

export const CheckInStatsRef = builder.objectRef<CheckInStats>('CheckInStats').implement({
  description: "An event's check-in progress, computed by the gateway from its RSVPs.",
  fields: (t) => ({
    checkedIn: t.exposeInt('checkedIn', { description: "Sum of checkedInGuestCount over the event's RSVPs." }),
    attending: t.exposeInt('attending', { description: 'Sum of totalGuests over RSVPs with status YES.' }),
    ratio: t.exposeFloat('ratio', { nullable: true, description: 'checkedIn / attending; null when nobody is attending.' }),
  }),
});

export function checkInStatsOf(rsvps: readonly Rsvp[]): CheckInStats {
  const checkedIn = rsvps.reduce((n, r) => n + (r.checkedInGuestCount ?? 0), 0);
  const attending = rsvps.filter((r) => r.status === 'YES').reduce((n, r) => n + (r.totalGuests ?? 1), 0);
  return { checkedIn, attending, ratio: attending > 0 ? round(checkedIn / attending) : null };
}

function round(n: number): number {
  return Math.round(n * 10_000) / 10_000;
}
