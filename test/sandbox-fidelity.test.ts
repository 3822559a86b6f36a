/**
 * Fidelity (docs/fidelity.md): the routes the SDK packages call that the sandbox lacked, through the official
 * clients, and every webhook the SDK packages and seed pages declare for these APIs, made by a real scenario and
 * dispatched by @wix/sdk's webhooks.process to the handler of its type.
 */
import { createServer, type Server } from 'node:http';
import { decodeJwt } from 'jose';
import type { AddressInfo } from 'node:net';
import { ApiKeyStrategy, AppStrategy, createClient } from '@wix/sdk';
import * as attendance from '@wix/auto_sdk_bookings_attendance';
import * as extendedBookings from '@wix/auto_sdk_bookings_extended-bookings';
import * as guests from '@wix/auto_sdk_events_guests';
import * as rsvps from '@wix/auto_sdk_events_rsvp-v-2';
import * as wixEvents from '@wix/auto_sdk_events_wix-events-v-2';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSandbox, type Sandbox } from '../src/sandbox/sandbox.js';
import { DEMO_CATEGORIES } from '../src/sandbox/seed.js';
import { createSandboxClient } from './support/sandbox-client.js';

let sandbox: Sandbox;
let receiver: Server;
const bodies: string[] = [];
const token = 'fidelity-demo';

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

const control = (method: string, path: string, body?: unknown) => createSandboxClient(sandbox.url, null).control(method, path, body);

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

describe('routes the SDK calls', () => {
  it('getEventBySlug, listEventsByCategory, countEventsByStatus, cancelEvent and the deprecated queryExtendedBooking', async () => {
    const client = sdk();
    const page = await client.wixEvents.queryEvents().limit(100).find();
    const one = page.items[2]!;
    expect((await client.wixEvents.getEventBySlug(one.slug!)).event?._id).toBe(one._id);
    await expect(client.wixEvents.getEventBySlug('no-such-slug')).rejects.toMatchObject({ details: { applicationError: { code: 'EVENT_NOT_FOUND' } } });

    const listed = await client.wixEvents.listEventsByCategory(DEMO_CATEGORIES[0]!.id, { paging: { limit: 100 } });
    expect(listed.events!.length).toBeGreaterThan(0);
    const all = await client.wixEvents.queryEvents().limit(1000).find();
    const counts = await client.wixEvents.countEventsByStatus({ facet: ['status'] });
    const upcoming = all.items.filter((e) => e.status === 'UPCOMING').length;
    expect(counts.facets?.status?.counts?.UPCOMING).toBe(upcoming);

    const canceled = await client.wixEvents.cancelEvent(one._id!);
    expect(canceled.event?.status).toBe('CANCELED');

    // `query` is the deprecated Query Extended Booking, at the singular path /v2/extended-booking/query.
    const singular = await client.extendedBookings.query({ cursorPaging: { limit: 5 } } as any);
    expect(singular.extendedBookings?.length).toBe(5);
  });
});

describe('every declared webhook through @wix/sdk webhooks.process', () => {
  it('dispatches each type the sandbox sends to its handler', async () => {
    const client = sdk();
    const ev = (await client.wixEvents.createEvent({ title: 'Fidelity night', dateAndTimeSettings: { startDate: new Date(Date.now() + 86_400_000), endDate: new Date(Date.now() + 90_000_000), timeZoneId: 'Etc/UTC' }, location: { type: 'VENUE', name: 'Hall' }, registration: { initialType: 'RSVP' } } as any))!;
    const rsvp = await client.rsvps.createRsvp({ eventId: ev._id!, firstName: 'Ada', lastName: 'Byron', email: 'ada@example.com', status: 'YES', additionalGuestDetails: { guestCount: 0 } } as any);
    const withRevision = await client.rsvps.getRsvp(rsvp._id!);
    await client.rsvps.updateRsvp(rsvp._id!, { revision: withRevision.revision, lastName: 'Lovelace' });
    await client.rsvps.checkInRsvpGuests(rsvp._id!, { guestIds: [1] });
    await control('POST', 'start-event', { token, eventId: ev._id, timing: 'NOW' });
    await client.rsvps.deleteRsvp(rsvp._id!);

    const ticketed = (await client.wixEvents.createEvent({ title: 'Fidelity gig', dateAndTimeSettings: { startDate: new Date(Date.now() + 86_400_000), endDate: new Date(Date.now() + 90_000_000), timeZoneId: 'Etc/UTC' }, location: { type: 'VENUE', name: 'Hall' }, registration: { initialType: 'TICKETING' } } as any))!;
    const order = await control('POST', 'ticket-orders', { token, eventId: ticketed._id, tickets: 2, status: 'PENDING' });
    expect(order.guests.map((g: any) => [g.guestType, g.attendanceStatus])).toEqual([['BUYER', 'NOT_ATTENDING'], ['TICKET_HOLDER', 'NOT_ATTENDING'], ['TICKET_HOLDER', 'NOT_ATTENDING']]);
    for (const [status, expected] of [['PAID', 'ATTENDING'], ['OFFLINE_PENDING', 'ATTENDING'], ['FREE', 'ATTENDING'], ['PENDING', 'NOT_ATTENDING'], ['CANCELED', 'NOT_ATTENDING']] as const) {
      const moved = await control('POST', 'ticket-orders/status', { token, orderNumber: order.orderNumber, status });
      expect(moved.guests.map((g: any) => g.attendanceStatus), status).toEqual([expected, expected, expected]);
    }
    await client.wixEvents.cancelEvent(ticketed._id!);

    const sessions = await createSandboxClient(sandbox.url, token).call('POST', '/calendar/v3/events/query', { query: { cursorPaging: { limit: 100 } } });
    const session = sessions.body.events.find((s: any) => s.totalCapacity != null && s.remainingCapacity >= 1);
    const p = await createSandboxClient(sandbox.url, token).call('POST', '/calendar/v3/participations', { participation: { eventId: session.id, partySize: 1 } });
    await createSandboxClient(sandbox.url, token).call('PATCH', `/calendar/v3/participations/${p.body.participation.id}`, { participation: { revision: '1', partySize: 1, status: 'CONFIRMED' } });
    await createSandboxClient(sandbox.url, token).call('DELETE', `/calendar/v3/participations/${p.body.participation.id}`);
    const booking = (await client.extendedBookings.queryExtendedBookings({ cursorPaging: { limit: 1 } } as any)).extendedBookings![0]!.booking!;
    const set = await client.attendance.setAttendance({ bookingId: booking._id!, eventId: (booking as any).bookedEntity?.slot?.eventId, status: 'ATTENDED' } as any);
    await client.attendance.deleteAttendance(set.attendance!._id!);
    await control('POST', 'idle');

    const handled = new Map<string, number>();
    const app = createClient({ auth: AppStrategy({ appId: 'x', publicKey: sandbox.publicKeyPem }), modules: { rsvps, guests, wixEvents, attendance } });
    const on = (name: string) => () => void handled.set(name, (handled.get(name) ?? 0) + 1);
    app.rsvps.onRsvpCreated(on('rsvp_created'));
    app.rsvps.onRsvpUpdated(on('rsvp_updated'));
    app.rsvps.onRsvpDeleted(on('rsvp_deleted'));
    app.guests.onGuestCreated(on('guest_created'));
    app.guests.onGuestUpdated(on('guest_updated'));
    app.guests.onGuestDeleted(on('guest_deleted'));
    app.guests.onGuestCheckedIn(on('guest_checked_in'));
    app.guests.onGuestEventCanceled(on('guest_event_canceled'));
    app.guests.onGuestEventStarts(on('guest_event_starts'));
    app.guests.onGuestOrderCanceled(on('guest_order_canceled'));
    app.wixEvents.onEventCreated(on('event_created'));
    app.wixEvents.onEventUpdated(on('event_updated'));
    app.wixEvents.onEventCanceled(on('event_canceled'));
    app.wixEvents.onEventStarted(on('event_started'));
    app.attendance.onAttendanceDeleted(on('attendance_deleted'));
    const types = new Set<string>();
    for (const body of bodies) {
      const type = JSON.parse(String(decodeJwt(body).data)).eventType as string;
      types.add(type);
      // process() refuses a type no installed module declares; the calendar ones have no SDK package here.
      if (!type.startsWith('wix.calendar.') && type !== 'wix.bookings.v2.booking_updated') await app.webhooks.process(body);
    }
    for (const name of [
      'rsvp_created', 'rsvp_updated', 'rsvp_deleted',
      'guest_created', 'guest_updated', 'guest_deleted', 'guest_checked_in', 'guest_event_canceled', 'guest_event_starts', 'guest_order_canceled',
      'event_created', 'event_updated', 'event_canceled', 'event_started', 'attendance_deleted',
    ]) {
      expect(handled.get(name) ?? 0, name).toBeGreaterThan(0);
    }
    // The calendar participation webhooks have no SDK package here (seed 002): their types are sent all the same.
    for (const t of ['wix.calendar.v3.participation_created', 'wix.calendar.v3.participation_updated', 'wix.calendar.v3.participation_deleted']) expect(types).toContain(t);
  });
});
