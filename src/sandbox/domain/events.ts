/**
 * Wix Events v3 events (docs/upstream.md §6.2; seed 003) and their ticket orders: create, update, cancel, start,
 * the derived `summaries` and automatic registration status, and the event webhooks. RSVPs (rsvps.ts) and ticket
 * orders move the summaries through `afterSummariesMayChange`, so every write path announces them alike.
 *
 * Every change here is synchronous, so a request's change and its webhooks are atomic with respect to other
 * requests on the same tenant (the server runs one handler at a time between awaits).
 *
 * Decisions on the open questions of docs/upstream.md §9:
 * - Event `summaries.rsvps.yesCount` / `noCount` / `waitlistCount` count GUESTS (the sum of `totalGuests`), and
 *   `totalCount` counts RSVPs. The docs' waitlist flow (§7.2, seed 004 "Automatically remove guests from a
 *   waitlist") computes free spots = `registration.rsvp.limit − yesCount` and compares them with an RSVP's
 *   `totalGuests`, which only makes sense if yesCount is in guests. `RsvpSummary` mirrors it:
 *   `yes/no/waitlistGuestCount` are guests, `totalRsvpCount` is RSVPs (the names say so).
 * - Ticket orders are made through the control API (POST /__sandbox/ticket-orders): the sandbox serves no
 *   ticketing API, only the guests and webhooks an order produces.
 */
import { randomUUID } from 'node:crypto';
import type { EventGuest, RsvpSummary, TicketDetails, WixEvent } from '../../wire/types.js';
import { ENTITY_FQDN } from '../../wire/types.js';
import { now } from '../clock.js';
import { failedPrecondition, notFound } from '../errors.js';
import type { Tenant } from '../tenant.js';
import { emitGuestCreated, emitGuestUpdated, guestsOf, orderAttendance, type OrderStatus } from './guests.js';

export function getEvent(tenant: Tenant, eventId: string): WixEvent {
  const event = tenant.db.events.get(eventId);
  if (!event) throw notFound('EVENT_NOT_FOUND', `Event ${eventId} not found`, { eventId });
  return event;
}

export function getEventBySlug(tenant: Tenant, slug: string): WixEvent {
  const event = [...tenant.db.events.values()].find((e) => e.slug === slug);
  if (!event) throw notFound('EVENT_NOT_FOUND', `No event with slug ${slug}`, { slug });
  return event;
}

/**
 * An event with defaults for what `partial` leaves out. `emit` announces event_created (the SDK's onEventCreated:
 * the entity); the default is silent, as the seeder and unit tests want it.
 */
export function createEvent(tenant: Tenant, partial: Partial<WixEvent> = {}, opts: { emit?: boolean } = {}): WixEvent {
  const created = now();
  const start = new Date(Date.parse(created) + 7 * 24 * 3600_000);
  const type = partial.registration?.type ?? 'RSVP';
  const id = partial.id ?? randomUUID();
  const title = partial.title ?? 'Sandbox event';
  const event: WixEvent = {
    id,
    title,
    slug: partial.slug ?? slugify(title, id),
    status: partial.status ?? 'UPCOMING',
    shortDescription: partial.shortDescription ?? '',
    dateAndTimeSettings: partial.dateAndTimeSettings ?? {
      startDate: start.toISOString(),
      endDate: new Date(start.getTime() + 2 * 3600_000).toISOString(),
      timeZoneId: 'Etc/UTC',
    },
    location: partial.location ?? { name: 'Sandbox hall', type: 'VENUE' },
    registration: {
      type,
      initialType: type === 'TICKETING' ? 'TICKETING' : 'RSVP',
      status: type === 'TICKETING' ? 'OPEN_TICKETS' : type === 'RSVP' ? 'OPEN_RSVP' : 'UNKNOWN_REGISTRATION_STATUS',
      registrationPaused: false,
      registrationDisabled: false,
      allowedGuestTypes: 'VISITOR_OR_MEMBER',
      ...partial.registration,
      ...(type === 'RSVP'
        ? {
            rsvp: {
              responseType: 'YES_AND_NO',
              limit: null,
              waitlistEnabled: false,
              startDate: null,
              endDate: null,
              ...partial.registration?.rsvp,
            },
          }
        : {}),
    },
    guestListSettings: partial.guestListSettings ?? { displayedPublicly: true },
    ...(partial.categories ? { categories: structuredClone(partial.categories) } : {}),
    createdDate: partial.createdDate ?? created,
    updatedDate: partial.updatedDate ?? partial.createdDate ?? created,
  };
  tenant.db.events.set(id, event);
  recomputeEventSummaries(tenant, id);
  if (opts.emit) tenant.emit({ entityFqdn: ENTITY_FQDN.event, slug: 'created', entityId: id, createdEvent: { entity: structuredClone(event) } });
  return event;
}

/** Events v3 update of the RSVP settings (limit, waitlist), title, dates and status; announces event_updated. */
export function updateEvent(tenant: Tenant, eventId: string, patch: Partial<WixEvent>): WixEvent {
  const event = getEvent(tenant, eventId);
  if (patch.title !== undefined) event.title = patch.title;
  if (patch.shortDescription !== undefined) event.shortDescription = patch.shortDescription;
  if (patch.status !== undefined) event.status = patch.status;
  if (patch.dateAndTimeSettings) event.dateAndTimeSettings = { ...event.dateAndTimeSettings, ...patch.dateAndTimeSettings };
  const reg = patch.registration;
  if (reg && event.registration) {
    // initialType is immutable (docs/upstream.md §6.2); the rest of the registration settings may change.
    const { initialType: _ignored, rsvp, ...rest } = reg;
    Object.assign(event.registration, rest);
    if (rsvp && event.registration.rsvp) Object.assign(event.registration.rsvp, rsvp);
  }
  event.updatedDate = now();
  recomputeEventSummaries(tenant, eventId);
  emitEventUpdated(tenant, event);
  return event;
}

/** CANCELED, with event_canceled, event_updated and one guest_event_canceled per guest (seed 003). */
export function cancelEvent(tenant: Tenant, eventId: string): WixEvent {
  const event = getEvent(tenant, eventId);
  // The SDK declares INVALID_EVENT_STATUS_TRANSITION as Cancel Event's one application error.
  if (event.status === 'CANCELED' || event.status === 'ENDED') throw failedPrecondition('INVALID_EVENT_STATUS_TRANSITION', `Event ${eventId} is ${event.status}`, { eventId, status: event.status });
  event.status = 'CANCELED';
  event.updatedDate = now();
  tenant.emit({
    entityFqdn: ENTITY_FQDN.event,
    slug: 'canceled',
    entityId: eventId,
    actionEvent: { body: { timestamp: event.updatedDate, eventId, title: event.title } },
  });
  emitEventUpdated(tenant, event);
  for (const g of guestsOf(tenant, eventId)) {
    tenant.emit({ entityFqdn: ENTITY_FQDN.guest, slug: 'guest_event_canceled', entityId: g.id!, actionEvent: { bodyAsJson: { guest: structuredClone(g), event: guestEvent(event) } } });
  }
  return event;
}

/** STARTED, with event_started and one guest_event_starts per guest carrying `timing` (seed 003). */
export function startEvent(tenant: Tenant, eventId: string, timing = 'NOW'): WixEvent {
  const event = getEvent(tenant, eventId);
  if (event.status !== 'UPCOMING') throw failedPrecondition('EVENT_NOT_UPCOMING', `Event ${eventId} is ${event.status}`, { eventId, status: event.status });
  event.status = 'STARTED';
  event.updatedDate = now();
  const guests = guestsOf(tenant, eventId);
  tenant.emit({
    entityFqdn: ENTITY_FQDN.event,
    slug: 'started',
    entityId: eventId,
    actionEvent: { body: { timestamp: event.updatedDate, eventId, hasGuests: guests.length > 0 } },
  });
  emitEventUpdated(tenant, event);
  for (const g of guests) {
    tenant.emit({ entityFqdn: ENTITY_FQDN.guest, slug: 'guest_event_starts', entityId: g.id!, actionEvent: { bodyAsJson: { guest: structuredClone(g), event: guestEvent(event), timing } } });
  }
  return event;
}

/** Emits wix.events.v3.event_updated with the full entity (registration and summaries included). */
export function emitEventUpdated(tenant: Tenant, event: WixEvent): void {
  tenant.emit({ entityFqdn: ENTITY_FQDN.event, slug: 'updated', entityId: event.id!, updatedEvent: { currentEntity: structuredClone(event) } });
}

/** Recomputes `summaries` (and an automatic registration status); returns whether anything changed. */
export function recomputeEventSummaries(tenant: Tenant, eventId: string): boolean {
  const event = tenant.db.events.get(eventId);
  if (!event) return false;
  const before = JSON.stringify([event.summaries, event.registration?.status]);
  const s = rsvpSummary(tenant, eventId);
  event.summaries = {
    rsvps: { totalCount: s.totalRsvpCount, yesCount: s.yesGuestCount, noCount: s.noGuestCount, waitlistCount: s.waitlistGuestCount },
  };
  if (event.registration?.type === 'TICKETING') {
    let ticketsSold = 0;
    let totalOrders = 0;
    for (const g of tenant.db.guests.values()) {
      if (g.eventId !== eventId || g.attendanceStatus !== 'ATTENDING') continue;
      if (g.guestType === 'TICKET_HOLDER') ticketsSold++;
      if (g.guestType === 'BUYER') totalOrders++;
    }
    event.summaries.tickets = { ticketsSold, totalOrders, currencyLocked: false };
  }
  // A full RSVP event closes automatically or switches to waitlist-only (seed 004 overview: "Once the guest list
  // is full, registration will close unless the waitlist feature is enabled"); manual states stay as set.
  const reg = event.registration;
  if (reg?.type === 'RSVP' && ['OPEN_RSVP', 'OPEN_RSVP_WAITLIST_ONLY', 'CLOSED_AUTOMATICALLY'].includes(reg.status ?? '')) {
    const limit = reg.rsvp?.limit;
    const full = limit != null && s.yesGuestCount >= limit;
    reg.status = !full ? 'OPEN_RSVP' : reg.rsvp?.waitlistEnabled ? 'OPEN_RSVP_WAITLIST_ONLY' : 'CLOSED_AUTOMATICALLY';
  }
  return JSON.stringify([event.summaries, event.registration?.status]) !== before;
}

/**
 * Recomputes the summaries after a write that may move them; the waitlist flow (§7.2) listens to event_updated
 * for summary changes, so a changed count is announced (when `emit`).
 */
export function afterSummariesMayChange(tenant: Tenant, eventId: string, emit: boolean): void {
  const changed = recomputeEventSummaries(tenant, eventId);
  const event = tenant.db.events.get(eventId);
  if (emit && changed && event) emitEventUpdated(tenant, event);
}

/** RSVP v2 summary of an event: guests per status, RSVPs in total (see the decisions above). */
export function rsvpSummary(tenant: Tenant, eventId: string): RsvpSummary {
  const summary: RsvpSummary = { eventId, yesGuestCount: 0, noGuestCount: 0, waitlistGuestCount: 0, totalRsvpCount: 0 };
  for (const r of tenant.db.rsvps.values()) {
    if (r.eventId !== eventId) continue;
    summary.totalRsvpCount++;
    const n = r.totalGuests ?? 1;
    if (r.status === 'YES') summary.yesGuestCount += n;
    else if (r.status === 'NO') summary.noGuestCount += n;
    else if (r.status === 'WAITLIST') summary.waitlistGuestCount += n;
  }
  return summary;
}

/** A ticket order: one BUYER and `count` TICKET_HOLDER guests (webhooks only with `emit`; the seeder passes none). */
export function createTicketGuests(tenant: Tenant, eventId: string, contactId: string, count: number, orderStatus: OrderStatus = 'PAID', emit = false): EventGuest[] {
  const event = getEvent(tenant, eventId);
  const orderNumber = randomCode(4) + '-' + randomCode(4) + '-' + randomCode(3);
  const created = now();
  const attendanceStatus = orderAttendance(orderStatus);
  const tickets: TicketDetails[] = Array.from({ length: count }, (_, i) => ({
    number: `${orderNumber}${i + 1}P`,
    definitionId: ticketDefinitionId(event),
    name: 'General admission',
  }));
  const common = {
    eventId,
    orderNumber,
    contactId,
    attendanceStatus,
    createdDate: created,
    updatedDate: created,
    attendanceStatusUpdatedDate: created,
    locale: 'en-US',
    revision: '1',
    additionalDetails: { createdDate: created, updatedDate: created, orderStatus },
  } satisfies Partial<EventGuest>;
  const buyer: EventGuest = {
    id: randomUUID(),
    ...common,
    tickets,
    guestType: 'BUYER',
    totalGuests: count,
    guestDetails: { firstName: 'Ticket', lastName: 'Buyer', email: `buyer-${orderNumber.toLowerCase()}@example.com`, checkedIn: false, checkInDetails: [] },
  };
  const holders: EventGuest[] = tickets.map((t, i) => ({
    id: randomUUID(),
    ...common,
    ticketNumber: t.number,
    tickets: [t],
    guestType: 'TICKET_HOLDER',
    totalGuests: 1,
    guestDetails: { firstName: 'Ticket', lastName: `Holder ${i + 1}`, checkedIn: false, checkInDetails: [] },
  }));
  for (const g of [buyer, ...holders]) tenant.db.guests.set(g.id!, g);
  recomputeEventSummaries(tenant, eventId);
  if (emit) for (const g of [buyer, ...holders]) emitGuestCreated(tenant, g);
  return [buyer, ...holders];
}

/** A ticket order's status moves its BUYER and TICKET_HOLDER guests (seed 003 mapping); CANCELED also emits guest_order_canceled. */
export function setOrderStatus(tenant: Tenant, orderNumber: string, status: OrderStatus): EventGuest[] {
  const guests = [...tenant.db.guests.values()].filter((g) => g.orderNumber === orderNumber);
  if (guests.length === 0) throw notFound('ORDER_NOT_FOUND', `Order ${orderNumber} not found`, { orderNumber });
  const changedAt = now();
  const attendanceStatus = orderAttendance(status);
  const event = tenant.db.events.get(guests[0]!.eventId!);
  const changed = guests.map((g) => {
    const next: EventGuest = {
      ...structuredClone(g),
      attendanceStatus,
      updatedDate: changedAt,
      attendanceStatusUpdatedDate: g.attendanceStatus === attendanceStatus ? g.attendanceStatusUpdatedDate : changedAt,
      revision: String(Number(g.revision ?? '1') + 1),
      additionalDetails: { ...g.additionalDetails, updatedDate: changedAt, orderStatus: status },
    };
    tenant.db.guests.set(next.id!, next);
    emitGuestUpdated(tenant, next, 1);
    if (status === 'CANCELED') {
      tenant.emit({
        entityFqdn: ENTITY_FQDN.guest,
        slug: 'guest_order_canceled',
        entityId: next.id!,
        actionEvent: { bodyAsJson: { guest: structuredClone(next), event: event ? guestEvent(event) : {}, order: { orderStatus: 'CANCELED', invoice: {} } } },
      });
    }
    return next;
  });
  afterSummariesMayChange(tenant, guests[0]!.eventId!, true);
  return changed;
}

/**
 * Events v3 fieldsets (docs/upstream.md §6.2): DETAILS adds shortDescription, REGISTRATION adds registration,
 * DASHBOARD adds summaries; the other fieldsets name properties the sandbox does not model.
 */
export function projectEvent(event: WixEvent, fields: readonly string[] = []): WixEvent {
  const { registration, summaries, shortDescription, categories, ...base } = event;
  const out: WixEvent = base;
  if (fields.includes('CATEGORIES') && categories) out.categories = categories;
  if (fields.includes('DETAILS') && shortDescription !== undefined) out.shortDescription = shortDescription;
  if (fields.includes('REGISTRATION') && registration) out.registration = registration;
  if (fields.includes('DASHBOARD') && summaries) out.summaries = summaries;
  return out;
}

/** EventDetails of guest action webhooks (docs/upstream.md §4.4). */
export function eventDetails(event: WixEvent): Record<string, unknown> {
  return {
    title: event.title,
    shortDescription: event.shortDescription ?? '',
    location: event.location,
    dateAndTimeSettings: event.dateAndTimeSettings,
    status: event.status,
  };
}

// --- private helpers -------------------------------------------------------------------------------------------

/** The `event` of guest_event_canceled / _starts / guest_order_canceled, as seed 003's examples print it. */
function guestEvent(event: WixEvent): Record<string, unknown> {
  return { ...eventDetails(event), eventPageUrl: { base: 'https://sandbox.invalid', path: `/event-details/${event.slug ?? event.id}` } };
}

function ticketDefinitionId(event: WixEvent): string {
  // One ticket definition per event is enough for the sandbox; derive it so repeated orders share it.
  const hex = (event.id ?? randomUUID()).replace(/-/g, '').split('').reverse().join('');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20, 32)}`;
}

function randomCode(n: number): string {
  const alphabet = 'ABCDEFGHJKLMNPQRSTUVWXYZ23456789';
  let s = '';
  for (let i = 0; i < n; i++) s += alphabet[Math.floor(Math.random() * alphabet.length)];
  return s;
}

function slugify(title: string, id: string): string {
  return `${title.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-|-$/g, '')}-${id.slice(0, 8)}`;
}
