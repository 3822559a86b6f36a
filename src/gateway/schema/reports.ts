/**
 * Grouped reports for analysts: attendance and no-show rate by day/week/month, service, session title or staff;
 * check-in ratio and RSVP status counts by event or by day/week/month. Each reads the fewest upstream rows that hold
 * its figures and says when it stopped early:
 * - attendanceReport reads bookings only (the Bookings Reader joins each booking's attendance with
 *   withBookingAttendanceInfo, docs/upstream.md §6.1), filtered and date-ranged upstream: ceil(bookings / 100) calls.
 * - checkInReport reads the matching events (one call up to 1000) and their RSVPs with one `$in` query per 100
 *   events, paged by 100: RSVP rows carry both status and checkedInGuestCount, so no other read is needed.
 * Rows past REPORT_MAX_ROWS (config) are not read: `complete: false` and `cutOffReason` say so.
 */
import { GraphQLError } from 'graphql';
import type { Booking, Filter, Rsvp, WixEvent } from '../../wire/types.js';
import type { GatewayContext } from '../context.js';
import { chunk, readSome } from '../upstream/query.js';
import { attendanceSummaryOf, checkInStatsOf } from './analytics.js';
import { bookingFilter } from './booking.js';
import { builder } from './builder.js';
import { eventFilter } from './event.js';

/** The most events one check-in report covers (one upstream page of events). */
export const REPORT_MAX_EVENTS = 1000;

// Inputs ----------------------------------------------------------------------------------------------------------

const DateRangeInput = builder.inputType('DateRangeInput', {
  description: 'From (inclusive) to (exclusive); either end may be left open.',
  fields: (t) => ({ from: t.field({ type: 'DateTime' }), to: t.field({ type: 'DateTime' }) }),
});

const AttendanceGroupByEnum = builder.enumType('AttendanceGroupBy', {
  values: {
    DAY: { description: "The booked session's start day in timeZone (key YYYY-MM-DD)." },
    WEEK: { description: 'ISO week, Monday first, in timeZone (key: its Monday, YYYY-MM-DD).' },
    MONTH: { description: 'Key YYYY-MM in timeZone.' },
    SERVICE: { description: "The booking's service (bookedEntity.slot.serviceId); label: the booked title." },
    SESSION_TITLE: { description: 'The booked title (bookedEntity.title).' },
    STAFF: { description: 'The staff resource the booking carries (bookedEntity.slot.resource); key "none" for bookings without one.' },
  } as const,
});

const CheckInGroupByEnum = builder.enumType('CheckInGroupBy', {
  values: {
    EVENT: { description: 'One group per event (key: the event id; label: its title).' },
    DAY: { description: "The event's start day in timeZone (key YYYY-MM-DD)." },
    WEEK: { description: 'ISO week of the event start, Monday first (key: its Monday).' },
    MONTH: { description: 'Key YYYY-MM of the event start.' },
  } as const,
});

type AttendanceGroupBy = 'DAY' | 'WEEK' | 'MONTH' | 'SERVICE' | 'SESSION_TITLE' | 'STAFF';
type CheckInGroupBy = 'EVENT' | 'DAY' | 'WEEK' | 'MONTH';
interface DateRange {
  from?: Date | string | null;
  to?: Date | string | null;
}

// Results ---------------------------------------------------------------------------------------------------------

export interface AttendanceGroup {
  key: string;
  label: string;
  sessions: number;
  bookings: number;
  summary: ReturnType<typeof attendanceSummaryOf>;
}

interface Cut {
  complete: boolean;
  cutOffReason: string | null;
}

export interface AttendanceReport extends Cut {
  bookingsRead: number;
  total: AttendanceGroup;
  groups: AttendanceGroup[];
}

export interface CheckInGroup {
  key: string;
  label: string;
  events: number;
  rsvps: number;
  rsvpYes: number;
  rsvpNo: number;
  rsvpWaitlist: number;
  checkedIn: number;
  attending: number;
  ratio: number | null;
}

export interface CheckInReport extends Cut {
  eventsRead: number;
  rsvpsRead: number;
  total: CheckInGroup;
  groups: CheckInGroup[];
}

const AttendanceGroupRef = builder.objectRef<AttendanceGroup>('AttendanceGroup').implement({
  description: 'Attendance of the bookings in one group (figures as in AttendanceSummary).',
  fields: (t) => ({
    key: t.exposeString('key'),
    label: t.exposeString('label'),
    sessions: t.exposeInt('sessions', { description: 'Distinct booked sessions.' }),
    bookings: t.exposeInt('bookings', { description: 'Bookings read, whatever their status.' }),
    bookedParticipants: t.int({ description: 'Participants of the bookings not CANCELED or DECLINED.', resolve: (g) => g.summary.bookedParticipants }),
    attendees: t.int({ description: 'Sum of numberOfAttendees over ATTENDED records.', resolve: (g) => g.summary.totalAttendees }),
    attended: t.int({ resolve: (g) => g.summary.attended }),
    notAttended: t.int({ resolve: (g) => g.summary.notAttended }),
    notSet: t.int({ resolve: (g) => g.summary.notSet }),
    noShowRate: t.float({ nullable: true, description: 'As AttendanceSummary.noShowRate; null when no attendance is recorded.', resolve: (g) => g.summary.noShowRate }),
  }),
});

const AttendanceReportRef = builder.objectRef<AttendanceReport>('AttendanceReport').implement({
  description: 'Attendance and no-show rate of the bookings a filter and date range match, grouped.',
  fields: (t) => ({
    complete: t.exposeBoolean('complete', { description: `false when more than REPORT_MAX_ROWS (default 10,000) bookings matched: the report covers the earliest by start.` }),
    cutOffReason: t.exposeString('cutOffReason', { nullable: true, description: 'Why the report is incomplete; null when complete.' }),
    bookingsRead: t.exposeInt('bookingsRead'),
    total: t.field({ type: AttendanceGroupRef, description: 'Every booking read, as one group.', resolve: (r) => r.total }),
    groups: t.field({ type: [AttendanceGroupRef], description: 'Ordered by key.', resolve: (r) => r.groups }),
  }),
});

const CheckInGroupRef = builder.objectRef<CheckInGroup>('CheckInGroup').implement({
  description: 'Check-in progress and RSVP status counts of the events in one group.',
  fields: (t) => ({
    key: t.exposeString('key'),
    label: t.exposeString('label'),
    events: t.exposeInt('events'),
    rsvps: t.exposeInt('rsvps', { description: 'RSVPs of any status.' }),
    rsvpYes: t.exposeInt('rsvpYes', { description: 'RSVPs with status YES.' }),
    rsvpNo: t.exposeInt('rsvpNo', { description: 'RSVPs with status NO.' }),
    rsvpWaitlist: t.exposeInt('rsvpWaitlist', { description: 'RSVPs with status WAITLIST.' }),
    checkedIn: t.exposeInt('checkedIn', { description: 'Sum of checkedInGuestCount.' }),
    attending: t.exposeInt('attending', { description: 'Sum of totalGuests over YES RSVPs.' }),
    ratio: t.exposeFloat('ratio', { nullable: true, description: 'checkedIn / attending; null when nobody is attending.' }),
  }),
});

const CheckInReportRef = builder.objectRef<CheckInReport>('CheckInReport').implement({
  description: 'Check-in ratio and RSVP status counts of the events a filter and date range match, grouped.',
  fields: (t) => ({
    complete: t.exposeBoolean('complete', {
      description: `false when more than ${REPORT_MAX_EVENTS} events or REPORT_MAX_ROWS (default 10,000) RSVPs matched; cutOffReason says which.`,
    }),
    cutOffReason: t.exposeString('cutOffReason', { nullable: true }),
    eventsRead: t.exposeInt('eventsRead'),
    rsvpsRead: t.exposeInt('rsvpsRead'),
    total: t.field({ type: CheckInGroupRef, resolve: (r) => r.total }),
    groups: t.field({ type: [CheckInGroupRef], description: 'Ordered by key (EVENT: by event start).', resolve: (r) => r.groups }),
  }),
});

// Root fields -----------------------------------------------------------------------------------------------------

builder.queryFields((t) => ({
  attendanceReport: t.field({
    type: AttendanceReportRef,
    description: `Attendance and no-show rate grouped by day, week, month, service, session title or staff, over the bookings whose session starts in range and that the filter matches (the bookings list's filter). Reads at most REPORT_MAX_ROWS bookings (default 10,000).`,
    args: {
      groupBy: t.arg({ type: AttendanceGroupByEnum, required: true }),
      range: t.arg({ type: DateRangeInput, description: "On the booked session's start." }),
      filter: t.arg({ type: bookingFilter.filterRef }),
      timeZone: t.arg.string({ defaultValue: 'UTC', description: 'IANA time zone for DAY/WEEK/MONTH, e.g. "Europe/Berlin".' }),
    },
    resolve: async (_root, args, ctx) => {
      const zone = timeZoneOf(args.timeZone ?? 'UTC');
      const filter = withRange(bookingFilter.toFilter(args.filter), 'startDate', args.range);
      const src = ctx.loaders.sources.booking;
      const max = ctx.services.config.reportMaxRows;
      const read = await readSome(src, { filter, sort: [{ fieldName: 'startDate', order: 'ASC' }], want: max });
      return attendanceReportOf(read.items, args.groupBy as AttendanceGroupBy, zone, read.more ? max : null);
    },
  }),
  checkInReport: t.field({
    type: CheckInReportRef,
    description: `Check-in ratio and RSVP status counts by event or by day, week or month of the event start, over the events starting in range that the filter matches (the events list's filter). At most ${REPORT_MAX_EVENTS} events and REPORT_MAX_ROWS RSVPs (default 10,000).`,
    args: {
      groupBy: t.arg({ type: CheckInGroupByEnum, required: true }),
      range: t.arg({ type: DateRangeInput, description: "On the event's start." }),
      filter: t.arg({ type: eventFilter.filterRef }),
      timeZone: t.arg.string({ defaultValue: 'UTC', description: 'IANA time zone for DAY/WEEK/MONTH.' }),
    },
    resolve: (_root, args, ctx) =>
      checkInReport(ctx, args.groupBy as CheckInGroupBy, withRange(eventFilter.toFilter(args.filter), 'dateAndTimeSettings.startDate', args.range), timeZoneOf(args.timeZone ?? 'UTC')),
  }),
}));

// Pure parts (exported for unit tests) ----------------------------------------------------------------------------

/** Groups bookings (with their joined attendance) and computes each group's figures. */
export function attendanceReportOf(
  bookings: readonly (Booking & { attendance?: import('../../wire/types.js').Attendance })[],
  groupBy: AttendanceGroupBy,
  timeZone: string,
  /** The row limit when it cut the read short, else null. */
  cutAt: number | null,
): AttendanceReport {
  const groups = new Map<string, { label: string; rows: (typeof bookings)[number][] }>();
  for (const b of bookings) {
    const [key, label] = attendanceKey(b, groupBy, timeZone);
    const g = groups.get(key) ?? { label, rows: [] };
    g.rows.push(b);
    groups.set(key, g);
  }
  const figure = (key: string, label: string, rows: typeof bookings): AttendanceGroup => ({
    key,
    label,
    sessions: new Set(rows.map((b) => b.bookedEntity?.slot?.eventId).filter(Boolean)).size,
    bookings: rows.length,
    summary: attendanceSummaryOf(
      rows.flatMap((b) => (b.attendance ? [b.attendance] : [])),
      rows,
    ),
  });
  return {
    ...cut(cutAt !== null, `more than ${cutAt} bookings matched: the report covers the ${cutAt} earliest by start; narrow the range or filter`),
    bookingsRead: bookings.length,
    total: figure('all', 'All', bookings),
    groups: [...groups].sort(([a], [b]) => a.localeCompare(b)).map(([key, g]) => figure(key, g.label, g.rows)),
  };
}

/** Groups events with their RSVPs. */
export function checkInReportOf(
  events: readonly WixEvent[],
  rsvpsByEvent: ReadonlyMap<string, readonly Rsvp[]>,
  groupBy: CheckInGroupBy,
  timeZone: string,
  cutOffReason: string | null,
): CheckInReport {
  const groups = new Map<string, { label: string; events: WixEvent[] }>();
  for (const e of events) {
    const start = e.dateAndTimeSettings?.startDate;
    const [key, label] =
      groupBy === 'EVENT' ? [e.id!, e.title ?? e.id!] : start ? periodKey(start, groupBy, timeZone) : ['none', 'No start date'];
    const g = groups.get(key) ?? { label, events: [] };
    g.events.push(e);
    groups.set(key, g);
  }
  const figure = (key: string, label: string, list: readonly WixEvent[]): CheckInGroup => {
    const rsvps = list.flatMap((e) => rsvpsByEvent.get(e.id!) ?? []);
    const stats = checkInStatsOf(rsvps);
    const count = (status: string) => rsvps.filter((r) => r.status === status).length;
    return { key, label, events: list.length, rsvps: rsvps.length, rsvpYes: count('YES'), rsvpNo: count('NO'), rsvpWaitlist: count('WAITLIST'), ...stats };
  };
  const ordered = groupBy === 'EVENT' ? [...groups] : [...groups].sort(([a], [b]) => a.localeCompare(b));
  return {
    ...cut(cutOffReason !== null, cutOffReason ?? ''),
    eventsRead: events.length,
    rsvpsRead: [...rsvpsByEvent.values()].reduce((n, r) => n + r.length, 0),
    total: figure('all', 'All', events),
    groups: ordered.map(([key, g]) => figure(key, g.label, g.events)),
  };
}

/** [key, label] of a timestamp's day, ISO week (its Monday) or month in a time zone. */
export function periodKey(iso: string, by: 'DAY' | 'WEEK' | 'MONTH', timeZone: string): [string, string] {
  const parts = new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit' }).formatToParts(new Date(iso));
  const get = (type: string) => Number(parts.find((p) => p.type === type)!.value);
  const [y, m, d] = [get('year'), get('month'), get('day')];
  if (by === 'MONTH') {
    const key = `${y}-${pad(m)}`;
    return [key, key];
  }
  if (by === 'DAY') {
    const key = `${y}-${pad(m)}-${pad(d)}`;
    return [key, key];
  }
  const day = new Date(Date.UTC(y, m - 1, d));
  day.setUTCDate(day.getUTCDate() - ((day.getUTCDay() + 6) % 7));
  const key = day.toISOString().slice(0, 10);
  return [key, `Week of ${key}`];
}

// Private helpers -------------------------------------------------------------------------------------------------

async function checkInReport(ctx: GatewayContext, groupBy: CheckInGroupBy, filter: Filter | undefined, timeZone: string): Promise<CheckInReport> {
  const events = ctx.loaders.sources.event;
  const read = await readSome(events, { filter, sort: [{ fieldName: 'dateAndTimeSettings.startDate', order: 'ASC' }], want: REPORT_MAX_EVENTS });
  let cutOffReason: string | null =
    read.more ? `more than ${REPORT_MAX_EVENTS} events matched: the report covers the ${REPORT_MAX_EVENTS} earliest; narrow the range or filter` : null;
  // RSVPs of 100 events per `$in` query, one query at a time so the row budget is kept exactly.
  const rsvps = ctx.loaders.sources.rsvp;
  const byEvent = new Map<string, Rsvp[]>();
  const max = ctx.services.config.reportMaxRows;
  let budget = max;
  for (const part of chunk(read.items.map((e) => e.id!), rsvps.inMax)) {
    if (budget === 0) break;
    const page = await readSome(rsvps, { filter: { eventId: { $in: part } }, want: budget });
    budget -= page.items.length;
    for (const r of page.items) byEvent.set(r.eventId!, [...(byEvent.get(r.eventId!) ?? []), r]);
    if (page.more) {
      cutOffReason = `more than ${max} RSVPs matched: later events' RSVPs were not read; narrow the range or filter`;
      break;
    }
  }
  return checkInReportOf(read.items, byEvent, groupBy, timeZone, cutOffReason);
}

function attendanceKey(b: Booking, groupBy: AttendanceGroupBy, timeZone: string): [string, string] {
  const slot = b.bookedEntity?.slot;
  switch (groupBy) {
    case 'SERVICE':
      return slot?.serviceId ? [slot.serviceId, b.bookedEntity?.title ?? slot.serviceId] : ['none', 'No service'];
    case 'SESSION_TITLE': {
      const title = b.bookedEntity?.title ?? '';
      return title ? [title, title] : ['none', 'No title'];
    }
    case 'STAFF':
      return slot?.resource?.id ? [slot.resource.id, slot.resource.name ?? slot.resource.id] : ['none', 'No staff resource'];
    default: {
      const start = b.startDate ?? slot?.startDate;
      return start ? periodKey(start, groupBy, timeZone) : ['none', 'No start date'];
    }
  }
}

function withRange(filter: Filter | undefined, path: string, range: DateRange | null | undefined): Filter | undefined {
  const from = range?.from ? new Date(range.from).toISOString() : undefined;
  const to = range?.to ? new Date(range.to).toISOString() : undefined;
  if (from && to && from >= to) throw badArg('range', `from (${from}) must be before to (${to})`);
  const bounds: Filter[] = [];
  if (from) bounds.push({ [path]: { $gte: from } });
  if (to) bounds.push({ [path]: { $lt: to } });
  const parts = [filter, ...bounds].filter((f): f is Filter => !!f && Object.keys(f).length > 0);
  if (parts.length === 0) return undefined;
  return parts.length === 1 ? parts[0] : { $and: parts };
}

function timeZoneOf(zone: string): string {
  try {
    return new Intl.DateTimeFormat('en-CA', { timeZone: zone }).resolvedOptions().timeZone;
  } catch {
    throw badArg('timeZone', `"${zone}" is not an IANA time zone (e.g. "UTC", "Europe/Berlin")`);
  }
}

function cut(truncated: boolean, reason: string): Cut {
  return { complete: !truncated, cutOffReason: truncated ? reason : null };
}

function pad(n: number): string {
  return String(n).padStart(2, '0');
}

function badArg(field: string, reason: string): GraphQLError {
  return new GraphQLError(`${field}: ${reason}`, { extensions: { code: 'BAD_USER_INPUT', field, http: { status: 400 } } });
}
