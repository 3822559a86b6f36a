/**
 * The fidelity suite (docs/fidelity.md): every method the in-scope SDK packages export, enumerated from each package's
 * own `meta` module (not from a list kept here), called through the official client against the sandbox, with the
 * status the table in docs/fidelity.md gives it; and every webhook type declared for these APIs, the packages' `on*`
 * event definitions and the seed pages' calendar participation types (no SDK package here), made by a real scenario
 * and, for the SDK ones, dispatched by @wix/sdk's webhooks.process to the handler of its type.
 */
import { existsSync, readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { decodeJwt } from 'jose';
import { ApiKeyStrategy, AppStrategy, createClient } from '@wix/sdk';
import * as attendance from '@wix/auto_sdk_bookings_attendance';
import * as attendanceMeta from '@wix/auto_sdk_bookings_attendance/meta';
import * as extendedBookings from '@wix/auto_sdk_bookings_extended-bookings';
import * as extendedBookingsMeta from '@wix/auto_sdk_bookings_extended-bookings/meta';
import * as guests from '@wix/auto_sdk_events_guests';
import * as guestsMeta from '@wix/auto_sdk_events_guests/meta';
import * as rsvps from '@wix/auto_sdk_events_rsvp-v-2';
import * as rsvpsMeta from '@wix/auto_sdk_events_rsvp-v-2/meta';
import * as wixEvents from '@wix/auto_sdk_events_wix-events-v-2';
import * as wixEventsMeta from '@wix/auto_sdk_events_wix-events-v-2/meta';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSandbox, type Sandbox } from '../src/sandbox/sandbox.js';
import { DEMO_CATEGORIES } from '../src/sandbox/seed.js';
import { createSandboxClient } from './support/sandbox-client.js';

const PACKAGES = {
  attendance: { module: attendance, meta: attendanceMeta },
  extendedBookings: { module: extendedBookings, meta: extendedBookingsMeta },
  guests: { module: guests, meta: guestsMeta },
  rsvps: { module: rsvps, meta: rsvpsMeta },
  wixEvents: { module: wixEvents, meta: wixEventsMeta },
} as const;

/** `package.method` for every method a package's meta module exports (its REST builders: one per SDK method). */
const DECLARED_METHODS = Object.entries(PACKAGES)
  .flatMap(([key, p]) => Object.keys(p.meta).filter((name) => /^[a-z]/.test(name) && typeof (p.meta as any)[name] === 'function').map((name) => `${key}.${name}`))
  .sort();

/** Every webhook the packages declare: the `on*` exports that are event definitions, with their event types. */
const DECLARED_WEBHOOKS = Object.entries(PACKAGES)
  .flatMap(([key, p]) => Object.entries(p.module).filter(([, v]) => (v as any)?.__type === 'event-definition').map(([on, v]) => ({ key, on, type: (v as any).type as string })))
  .sort((a, b) => a.type.localeCompare(b.type));

/** The webhook types seed 002 declares for Calendar Participations v3, which has no SDK package in scope. */
const SEED_ONLY_WEBHOOKS = ['wix.calendar.v3.participation_created', 'wix.calendar.v3.participation_updated', 'wix.calendar.v3.participation_deleted'];

let sandbox: Sandbox;
let receiver: Server;
const bodies: string[] = [];
const token = 'fidelity-demo';
const rest = () => createSandboxClient(sandbox.url, token);
const control = (method: string, path: string, body?: unknown) => createSandboxClient(sandbox.url, null).control(method, path, body);

beforeAll(async () => {
  sandbox = await createSandbox({ port: 0, seed: 1, demoToken: token });
  receiver = createServer((req, res) => {
    let text = '';
    req.setEncoding('utf8');
    req.on('data', (c) => (text += c));
    req.on('end', () => {
      bodies.push(text);
      res.writeHead(200).end();
    });
  });
  await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
  await control('POST', 'webhooks', { url: `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/hook` });
});
afterAll(async () => {
  await sandbox?.stop();
  await new Promise<void>((resolve) => receiver?.close(() => resolve()));
});

function sdk() {
  return createClient({
    modules: { rsvps, guests, wixEvents, attendance, extendedBookings },
    auth: ApiKeyStrategy({ apiKey: token, siteId: 'sandbox-site' }),
    fetch: (input: RequestInfo | URL, init?: RequestInit) => {
      const url = new URL(input instanceof Request ? input.url : String(input));
      return fetch(`${sandbox.url}${url.pathname}${url.search}`, init ?? (input as Request));
    },
  });
}
type Client = ReturnType<typeof sdk>;

const DAY = 86_400_000;
let seq = 0;
async function newEvent(c: Client, opts: { title?: string; ticketed?: boolean; draft?: boolean } = {}) {
  const start = Date.UTC(2027, 0, 10, 18);
  return (await c.wixEvents.createEvent(
    {
      title: opts.title ?? `Fidelity night ${++seq}`,
      dateAndTimeSettings: { startDate: new Date(start), endDate: new Date(start + 3 * 3_600_000), timeZoneId: 'Etc/UTC' },
      location: { type: 'VENUE', name: 'Hall' },
      registration: { initialType: opts.ticketed ? 'TICKETING' : 'RSVP' },
    } as any,
    { draft: opts.draft ?? false },
  ))!;
}
async function newRsvp(c: Client, eventId: string, firstName = 'Ada', guestCount = 0) {
  return c.rsvps.createRsvp({ eventId, firstName, lastName: 'Byron', email: `${firstName.toLowerCase()}@example.com`, status: 'YES', additionalGuestDetails: { guestCount } } as any);
}
/** A demo booking with no attendance yet, and its session. */
async function freeBooking(c: Client): Promise<{ id: string; eventId: string }> {
  const page = await c.extendedBookings.queryExtendedBookings({ cursorPaging: { limit: 100 } } as any, { withBookingAttendanceInfo: true });
  const used = new Set(taken);
  const free = page.extendedBookings!.find((x) => !x.attendance && !used.has(x.booking!._id!) && (x.booking as any).bookedEntity?.slot?.eventId)!;
  taken.push(free.booking!._id!);
  return { id: free.booking!._id!, eventId: (free.booking as any).bookedEntity.slot.eventId };
}
const taken: string[] = [];
const code = (err: any) => err?.details?.applicationError?.code as string | undefined;
async function refusal(p: Promise<unknown>): Promise<string> {
  try {
    await p;
  } catch (err) {
    return `refused: ${code(err)}`;
  }
  throw new Error('expected the sandbox to refuse');
}

/**
 * One scenario per SDK method: it calls the method through the official client, checks what it did, and answers
 * the method's status ("works", or "refused: CODE" where the SDK documents the refusal for this caller).
 */
const SCENARIOS: Record<string, (c: Client) => Promise<string>> = {
  // --- @wix/auto_sdk_bookings_attendance
  'attendance.setAttendance': async (c) => {
    const b = await freeBooking(c);
    const set = await c.attendance.setAttendance({ bookingId: b.id, eventId: b.eventId, status: 'ATTENDED', numberOfAttendees: 2 } as any);
    expect(set.attendance).toMatchObject({ bookingId: b.id, eventId: b.eventId, status: 'ATTENDED', numberOfAttendees: 2 });
    return 'works';
  },
  'attendance.getAttendance': async (c) => {
    const b = await freeBooking(c);
    const set = await c.attendance.setAttendance({ bookingId: b.id, eventId: b.eventId, status: 'NOT_ATTENDED', numberOfAttendees: 0 } as any);
    expect(await c.attendance.getAttendance(set.attendance!._id!)).toMatchObject({ _id: set.attendance!._id, status: 'NOT_ATTENDED' });
    return 'works';
  },
  'attendance.queryAttendance': async (c) => {
    const page = await c.attendance.queryAttendance().eq('status', 'ATTENDED').limit(5).find();
    expect(page.items.length).toBe(5);
    expect(page.items.every((a) => a.status === 'ATTENDED')).toBe(true);
    return 'works';
  },
  // The SDK doc: counts the calling member's attendances only; an app identity gets PERMISSION_DENIED.
  'attendance.countAttendances': (c) => refusal(c.attendance.countAttendances({ filter: { status: 'ATTENDED' } } as any)),
  'attendance.deleteAttendance': async (c) => {
    const b = await freeBooking(c);
    const set = await c.attendance.setAttendance({ bookingId: b.id, eventId: b.eventId, status: 'ATTENDED' } as any);
    await c.attendance.deleteAttendance(set.attendance!._id!);
    expect(await refusal(c.attendance.getAttendance(set.attendance!._id!))).toBe('refused: ATTENDANCE_NOT_FOUND');
    return 'works';
  },
  'attendance.bulkSetAttendance': async (c) => {
    const [a, b] = [await freeBooking(c), await freeBooking(c)];
    const res = await c.attendance.bulkSetAttendance({
      returnFullEntity: true,
      attendanceDetails: [{ attendance: { bookingId: a.id, eventId: a.eventId, status: 'ATTENDED' } }, { attendance: { bookingId: b.id, eventId: 'no-such-session-000000000000000000000', status: 'ATTENDED' } }],
    } as any);
    expect(res.bulkActionMetadata).toMatchObject({ totalSuccesses: 1, totalFailures: 1 });
    return 'works';
  },
  'attendance.bulkDeleteAttendances': async (c) => {
    const [a, b] = [await freeBooking(c), await freeBooking(c)];
    const res = await c.attendance.bulkSetAttendance({ returnFullEntity: true, attendanceDetails: [a, b].map((x) => ({ attendance: { bookingId: x.id, eventId: x.eventId, status: 'ATTENDED' } })) } as any);
    const ids = res.results!.map((r) => r.item!._id!);
    expect((await c.attendance.bulkDeleteAttendances(ids)).bulkActionMetadata).toMatchObject({ totalSuccesses: 2 });
    expect((await c.attendance.queryAttendance().in('_id', ids).find()).items).toEqual([]);
    return 'works';
  },

  // --- @wix/auto_sdk_bookings_extended-bookings
  'extendedBookings.queryExtendedBookings': async (c) => {
    const page = await c.extendedBookings.queryExtendedBookings({ filter: { status: 'CONFIRMED' }, cursorPaging: { limit: 5 } } as any);
    expect(page.extendedBookings!.map((x) => x.booking!.status)).toEqual(Array(5).fill('CONFIRMED'));
    return 'works';
  },
  'extendedBookings.countExtendedBookings': async (c) => {
    const all = await rest().call('POST', '/bookings/bookings-reader/v2/extended-bookings/query', { query: { filter: { status: 'CONFIRMED' }, paging: { limit: 100 } } });
    expect((await c.extendedBookings.countExtendedBookings({ filter: { status: 'CONFIRMED' } })).count).toBe(all.body.extendedBookings.length);
    return 'works';
  },
  // The deprecated Query Extended Booking: the SDK's only read with `sessionId`, which finds course bookings.
  'extendedBookings.query': async (c) => {
    const course = await control('POST', 'courses', { token, sessions: 2, bookings: [{ totalParticipants: 2 }, { totalParticipants: 1 }] });
    const res = await c.extendedBookings.query({ cursorPaging: { limit: 100 } } as any, { sessionId: course.sessions[1].id });
    expect(res.extendedBookings!.map((x) => x.booking!._id).sort()).toEqual(course.bookings.map((b: any) => b.id).sort());
    return 'works';
  },

  // --- @wix/auto_sdk_events_guests
  'guests.queryGuests': async (c) => {
    const ev = await newEvent(c);
    await newRsvp(c, ev._id!, 'Grace', 2);
    const page = await c.guests.queryGuests({ fields: ['GUEST_DETAILS'] }).eq('eventId', ev._id!).find();
    expect(page.items.map((g) => [g.guestType, g.attendanceStatus])).toEqual([['RSVP', 'ATTENDING']]);
    return 'works';
  },

  // --- @wix/auto_sdk_events_rsvp-v-2
  'rsvps.createRsvp': async (c) => {
    const ev = await newEvent(c);
    const r = await newRsvp(c, ev._id!, 'Ada', 1);
    expect(r).toMatchObject({ eventId: ev._id, status: 'YES' });
    expect((await c.rsvps.getRsvp(r._id!, { fields: ['DETAILS'] } as any)).guestList?.guests).toHaveLength(2);
    return 'works';
  },
  'rsvps.getRsvp': async (c) => {
    const r = await newRsvp(c, (await newEvent(c))._id!);
    expect(await c.rsvps.getRsvp(r._id!, { fields: ['DETAILS'] } as any)).toMatchObject({ _id: r._id, firstName: 'Ada' });
    return 'works';
  },
  'rsvps.updateRsvp': async (c) => {
    const r = await newRsvp(c, (await newEvent(c))._id!);
    const updated = await c.rsvps.updateRsvp(r._id!, { revision: r.revision, status: 'NO' } as any);
    expect(updated).toMatchObject({ status: 'NO', revision: String(Number(r.revision) + 1) });
    return 'works';
  },
  'rsvps.deleteRsvp': async (c) => {
    const r = await newRsvp(c, (await newEvent(c))._id!);
    await c.rsvps.deleteRsvp(r._id!);
    expect(await refusal(c.rsvps.getRsvp(r._id!))).toBe('refused: RSVP_NOT_FOUND');
    return 'works';
  },
  'rsvps.queryRsvps': async (c) => {
    const ev = await newEvent(c);
    await newRsvp(c, ev._id!, 'Ada');
    await newRsvp(c, ev._id!, 'Alan');
    expect((await c.rsvps.queryRsvps().eq('eventId', ev._id!).find()).items).toHaveLength(2);
    return 'works';
  },
  'rsvps.searchRsvps': async (c) => {
    const ev = await newEvent(c);
    await newRsvp(c, ev._id!, 'Hedwig');
    const res = await c.rsvps.searchRsvps({ search: { expression: 'Hedwig' }, filter: { eventId: ev._id }, cursorPaging: { limit: 10 } } as any, { fields: ['DETAILS'] } as any);
    expect(res.rsvps!.map((r) => r.firstName)).toEqual(['Hedwig']);
    return 'works';
  },
  'rsvps.countRsvps': async (c) => {
    const ev = await newEvent(c);
    await newRsvp(c, ev._id!, 'Ada');
    await newRsvp(c, ev._id!, 'Alan');
    expect((await c.rsvps.countRsvps({ filter: { eventId: ev._id } } as any)).count).toBe(2);
    return 'works';
  },
  'rsvps.listRsvpSummary': async (c) => {
    const ev = await newEvent(c);
    await newRsvp(c, ev._id!, 'Ada', 2);
    expect((await c.rsvps.listRsvpSummary([ev._id!])).summaries).toEqual([expect.objectContaining({ eventId: ev._id, yesGuestCount: 3, totalRsvpCount: 1 })]);
    return 'works';
  },
  // The SDK declares MEMBER_IDENTITY_NOT_FOUND for it: "my RSVPs" of a caller that is no site member.
  'rsvps.listCurrentRsvps': async (c) => refusal(c.rsvps.listCurrentRsvps([(await newEvent(c))._id!])),
  'rsvps.checkInRsvpGuests': async (c) => {
    const r = await newRsvp(c, (await newEvent(c))._id!, 'Ada', 1);
    const res = await c.rsvps.checkInRsvpGuests(r._id!, { guestIds: [1, 2], fields: ['DETAILS'] });
    expect(res.rsvp!.checkedInGuestCount).toBe(2);
    return 'works';
  },
  'rsvps.cancelRsvpGuestsCheckIn': async (c) => {
    const r = await newRsvp(c, (await newEvent(c))._id!, 'Ada', 1);
    await c.rsvps.checkInRsvpGuests(r._id!, { guestIds: [1, 2] });
    const res = await c.rsvps.cancelRsvpGuestsCheckIn(r._id!, { guestIds: [2], fields: ['DETAILS'] });
    expect(res.rsvp!.guestList!.guests!.map((g) => !!g.checkInDetails?.checkedIn)).toEqual([true, false]);
    return 'works';
  },
  'rsvps.bulkUpdateRsvps': async (c) => {
    const ev = await newEvent(c);
    const [a, b] = [await newRsvp(c, ev._id!, 'Ada'), await newRsvp(c, ev._id!, 'Alan')];
    const res = await c.rsvps.bulkUpdateRsvps([{ rsvp: { _id: a._id!, revision: a.revision!, status: 'NO' } }, { rsvp: { _id: b._id!, revision: '99', status: 'NO' } }] as any, { returnEntity: true } as any);
    expect(res.bulkActionMetadata).toMatchObject({ totalSuccesses: 1, totalFailures: 1 });
    return 'works';
  },
  'rsvps.bulkDeleteRsvpsByFilter': async (c) => {
    const ev = await newEvent(c);
    await newRsvp(c, ev._id!, 'Ada');
    await newRsvp(c, ev._id!, 'Alan');
    expect((await c.rsvps.bulkDeleteRsvpsByFilter({ eventId: ev._id })).jobId).toBeTruthy();
    expect((await c.rsvps.countRsvps({ filter: { eventId: ev._id } } as any)).count).toBe(0);
    return 'works';
  },

  // --- @wix/auto_sdk_events_wix-events-v-2 (Events v3)
  'wixEvents.createEvent': async (c) => {
    const ev = await newEvent(c, { title: 'Created by the SDK' });
    expect(ev).toMatchObject({ title: 'Created by the SDK', status: 'UPCOMING' });
    return 'works';
  },
  'wixEvents.getEvent': async (c) => {
    const ev = await newEvent(c);
    expect(await c.wixEvents.getEvent(ev._id!, { fields: ['REGISTRATION'] } as any)).toMatchObject({ _id: ev._id, registration: { initialType: 'RSVP' } });
    return 'works';
  },
  'wixEvents.updateEvent': async (c) => {
    const ev = await newEvent(c);
    const updated = await c.wixEvents.updateEvent(ev._id!, { event: { title: 'Renamed' } } as any);
    expect(updated).toMatchObject({ _id: ev._id, title: 'Renamed' });
    return 'works';
  },
  'wixEvents.queryEvents': async (c) => {
    const ev = await newEvent(c);
    expect((await c.wixEvents.queryEvents().eq('_id', ev._id!).find()).items.map((e) => e._id)).toEqual([ev._id]);
    return 'works';
  },
  'wixEvents.getEventBySlug': async (c) => {
    const ev = await newEvent(c);
    expect((await c.wixEvents.getEventBySlug(ev.slug!)).event?._id).toBe(ev._id);
    expect(await refusal(c.wixEvents.getEventBySlug('no-such-slug'))).toBe('refused: EVENT_NOT_FOUND');
    return 'works';
  },
  'wixEvents.listEventsByCategory': async (c) => {
    const listed = await c.wixEvents.listEventsByCategory(DEMO_CATEGORIES[0]!.id, { paging: { limit: 100 } });
    expect(listed.events!.length).toBeGreaterThan(0);
    return 'works';
  },
  'wixEvents.countEventsByStatus': async (c) => {
    const all = await c.wixEvents.queryEvents().limit(1000).find();
    const counts = await c.wixEvents.countEventsByStatus({ facet: ['status'] });
    expect(counts.facets?.status?.counts?.UPCOMING).toBe(all.items.filter((e) => e.status === 'UPCOMING').length);
    return 'works';
  },
  'wixEvents.cancelEvent': async (c) => {
    const ev = await newEvent(c);
    expect((await c.wixEvents.cancelEvent(ev._id!)).event?.status).toBe('CANCELED');
    expect(await refusal(c.wixEvents.cancelEvent(ev._id!))).toBe('refused: INVALID_EVENT_STATUS_TRANSITION');
    return 'works';
  },
  'wixEvents.publishDraftEvent': async (c) => {
    const draft = await newEvent(c, { draft: true });
    expect(draft.status).toBe('DRAFT');
    expect((await c.wixEvents.publishDraftEvent(draft._id!)).event?.status).toBe('UPCOMING');
    expect(await refusal(c.wixEvents.publishDraftEvent(draft._id!))).toBe('refused: EVENT_ALREADY_PUBLISHED');
    return 'works';
  },
  'wixEvents.cloneEvent': async (c) => {
    const ev = await newEvent(c, { title: 'Leather Crafting 101' });
    const clone = (await c.wixEvents.cloneEvent(ev._id!)).event!;
    expect(clone._id).not.toBe(ev._id);
    // "If an event with the same title already exists, the new event's title gets a sequence number"; dates +14 days.
    expect(clone.title).toBe('Leather Crafting 101 (1)');
    expect(new Date(clone.dateAndTimeSettings!.startDate!).getTime() - new Date(ev.dateAndTimeSettings!.startDate!).getTime()).toBe(14 * DAY);
    return 'works';
  },
  'wixEvents.deleteEvent': async (c) => {
    const ev = await newEvent(c);
    expect((await c.wixEvents.deleteEvent(ev._id!)).eventId).toBe(ev._id);
    expect(await refusal(c.wixEvents.getEvent(ev._id!))).toBe('refused: EVENT_NOT_FOUND');
    return 'works';
  },
  'wixEvents.bulkCancelEventsByFilter': async (c) => {
    const [a, b] = [await newEvent(c), await newEvent(c)];
    await c.wixEvents.bulkCancelEventsByFilter({ filter: { filter: { _id: { $in: [a._id, b._id] } } } } as any);
    expect((await c.wixEvents.queryEvents().in('_id', [a._id!, b._id!]).find()).items.map((e) => e.status)).toEqual(['CANCELED', 'CANCELED']);
    return 'works';
  },
  'wixEvents.bulkDeleteEventsByFilter': async (c) => {
    const [a, b] = [await newEvent(c), await newEvent(c)];
    await c.wixEvents.bulkDeleteEventsByFilter({ filter: { filter: { _id: { $in: [a._id, b._id] } } } } as any);
    expect((await c.wixEvents.queryEvents().in('_id', [a._id!, b._id!]).find()).items).toEqual([]);
    return 'works';
  },
};

/** docs/fidelity.md's method table: `| \`package.method\` | status | … |`. */
function documentedStatuses(): Map<string, string> {
  const doc = readFileSync('docs/fidelity.md', 'utf8');
  const rows = new Map<string, string>();
  for (const m of doc.matchAll(/^\| `([a-zA-Z]+\.[a-zA-Z]+)` \| ([^|]+?) \|/gm)) rows.set(m[1]!, m[2]!.trim());
  return rows;
}

describe('every SDK method of the in-scope packages, through the official client', () => {
  it('has a scenario and a documented status for exactly the methods the packages export', () => {
    expect(Object.keys(SCENARIOS).sort()).toEqual(DECLARED_METHODS);
    const documented = documentedStatuses();
    expect(DECLARED_METHODS.filter((m) => !documented.has(m)), 'methods missing from docs/fidelity.md').toEqual([]);
    expect(DECLARED_METHODS.length).toBe(37);
  });

  it.each(DECLARED_METHODS)('%s answers as docs/fidelity.md says', async (method) => {
    const status = await SCENARIOS[method]!(sdk());
    expect(documentedStatuses().get(method)).toBe(status);
  });
});

describe('every declared webhook type', () => {
  it('is sent by a real scenario and dispatched by @wix/sdk webhooks.process to the handler of its type', async () => {
    const c = sdk();
    // RSVP, guests, event created/updated/started/ended/reminder and the guest action webhooks.
    const ev = await newEvent(c);
    const rsvp = await newRsvp(c, ev._id!);
    const withRevision = await c.rsvps.getRsvp(rsvp._id!);
    await c.rsvps.updateRsvp(rsvp._id!, { revision: withRevision.revision, lastName: 'Lovelace' } as any);
    await c.rsvps.checkInRsvpGuests(rsvp._id!, { guestIds: [1] });
    await control('POST', 'event-reminder', { token, eventId: ev._id, startsIn: { days: 1 } });
    await control('POST', 'start-event', { token, eventId: ev._id, timing: 'NOW' });
    await control('POST', 'end-event', { token, eventId: ev._id });
    await c.rsvps.deleteRsvp(rsvp._id!);
    // Ticket orders: the BUYER and TICKET_HOLDER rows of seed 003's mapping, and guest_order_canceled.
    const ticketed = await newEvent(c, { ticketed: true });
    const order = await control('POST', 'ticket-orders', { token, eventId: ticketed._id, tickets: 2, status: 'PENDING' });
    expect(order.guests.map((g: any) => [g.guestType, g.attendanceStatus])).toEqual([['BUYER', 'NOT_ATTENDING'], ['TICKET_HOLDER', 'NOT_ATTENDING'], ['TICKET_HOLDER', 'NOT_ATTENDING']]);
    for (const [status, expected] of [['PAID', 'ATTENDING'], ['OFFLINE_PENDING', 'ATTENDING'], ['FREE', 'ATTENDING'], ['PENDING', 'NOT_ATTENDING'], ['CANCELED', 'NOT_ATTENDING']] as const) {
      const moved = await control('POST', 'ticket-orders/status', { token, orderNumber: order.orderNumber, status });
      expect(moved.guests.map((g: any) => g.attendanceStatus), status).toEqual([expected, expected, expected]);
    }
    // Cancel (with guest_event_canceled), publish, clone, delete.
    await c.wixEvents.cancelEvent(ticketed._id!);
    const draft = await newEvent(c, { draft: true });
    await c.wixEvents.publishDraftEvent(draft._id!);
    const clone = (await c.wixEvents.cloneEvent(draft._id!)).event!;
    await c.wixEvents.deleteEvent(clone._id!);
    // Calendar participations (seed 002) and an attendance deletion.
    const sessions = await rest().call('POST', '/calendar/v3/events/query', { query: { cursorPaging: { limit: 100 } } });
    const session = sessions.body.events.find((s: any) => s.totalCapacity != null && s.remainingCapacity >= 1);
    const p = await rest().call('POST', '/calendar/v3/participations', { participation: { eventId: session.id, partySize: 1 } });
    await rest().call('PATCH', `/calendar/v3/participations/${p.body.participation.id}`, { participation: { revision: '1', partySize: 1, status: 'CONFIRMED' } });
    await rest().call('DELETE', `/calendar/v3/participations/${p.body.participation.id}`);
    const b = await freeBooking(c);
    const set = await c.attendance.setAttendance({ bookingId: b.id, eventId: b.eventId, status: 'ATTENDED' } as any);
    await c.attendance.deleteAttendance(set.attendance!._id!);
    await control('POST', 'idle');

    const app = createClient({ auth: AppStrategy({ appId: 'x', publicKey: sandbox.publicKeyPem }), modules: { rsvps, guests, wixEvents, attendance } });
    const handled = new Map<string, number>();
    for (const { key, on, type } of DECLARED_WEBHOOKS) {
      (app as any)[key][on](() => void handled.set(type, (handled.get(type) ?? 0) + 1));
    }
    const sent = new Set<string>();
    const declared = new Set(DECLARED_WEBHOOKS.map((w) => w.type));
    for (const body of bodies) {
      const type = JSON.parse(String(decodeJwt(body).data)).eventType as string;
      sent.add(type);
      // process() refuses a type no installed module declares (the calendar ones have no SDK package here).
      if (declared.has(type)) await app.webhooks.process(body);
    }
    expect(DECLARED_WEBHOOKS).toHaveLength(20);
    expect(DECLARED_WEBHOOKS.filter((w) => !handled.get(w.type)).map((w) => `${w.key}.${w.on} (${w.type})`), 'declared webhooks never handled').toEqual([]);
    expect(SEED_ONLY_WEBHOOKS.filter((t) => !sent.has(t)), 'seed-declared webhooks never sent').toEqual([]);
    // docs/fidelity.md lists every one of them.
    const doc = readFileSync('docs/fidelity.md', 'utf8');
    expect([...declared, ...SEED_ONLY_WEBHOOKS].filter((t) => !doc.includes(t.replace(/^.*\./, ''))), 'webhooks missing from docs/fidelity.md').toEqual([]);
  });
});

describe('the seed behaviours table', () => {
  it('has no gap: every behaviour names where it lives and a test file that exists', () => {
    const doc = readFileSync('docs/fidelity.md', 'utf8');
    const rows = [...doc.matchAll(/^\| (\d+) \| ([0-9/-]+) \| ([^|]+) \| ([^|]+) \| ([^|]+) \| ([^|]+) \|$/gm)];
    expect(rows.length).toBe(51);
    for (const [, n, , behaviour, where, tests] of rows) {
      expect(where!.trim(), `row ${n}: ${behaviour}`).not.toBe('');
      const files = [...tests!.matchAll(/(?:^|; )([a-z-]+)(?=:|;|$)/g)].map((m) => m[1]!);
      expect(files.length, `row ${n}: ${behaviour}`).toBeGreaterThan(0);
      for (const f of files) expect(existsSync(`test/${f}.test.ts`), `row ${n} names test/${f}.test.ts`).toBe(true);
    }
  });
});
