/**
 * The Wix Events domain of the sandbox: Events v3 events, RSVP v2 RSVPs and the Events Guests list derived from
 * both. Routes (routes/events.ts, guests.ts, rsvps.ts) and the seeder share these rules so that an RSVP written by
 * any path produces the same guest, the same event summaries and the same webhooks.
 *
 * Every mutation here is synchronous, so a request's change and its webhooks are atomic with respect to other
 * requests on the same tenant (the server runs one handler at a time between awaits).
 *
 * Decisions on the open questions of docs/upstream.md §9, in one place:
 * - Event `summaries.rsvps.yesCount` / `noCount` / `waitlistCount` count GUESTS (the sum of `totalGuests`), and
 *   `totalCount` counts RSVPs. The docs' waitlist flow (§7.2, seed 004 "Automatically remove guests from a
 *   waitlist") computes free spots = `registration.rsvp.limit − yesCount` and compares them with an RSVP's
 *   `totalGuests`, which only makes sense if yesCount is in guests. `RsvpSummary` mirrors it:
 *   `yes/no/waitlistGuestCount` are guests, `totalRsvpCount` is RSVPs (the names say so).
 * - The RSVP limit (`registration.rsvp.limit`) counts YES guests, for the same reason.
 * - Check-in and cancel check-in DO increment the RSVP `revision`: they change the entity, and §1.5 says revision
 *   +1 per update; a client holding the old revision would otherwise overwrite a check-in unknowingly. (The docs
 *   check-in example keeps "1", which §8 lists among the examples' stale revisions.)
 * - An RSVP guest's `guestDetails.checkedIn` is true when at least one person of the party is checked in; the
 *   per-person state is in `guestDetails.checkInDetails[]` (one entry per RSVP guest, with `fullName`).
 * - Order statuses missing from the §7.1 table (INITIATED, CANCELED, DECLINED, AUTHORIZED, VOIDED,
 *   PARTIALLY_PAID) map to NOT_ATTENDING: none of them is a settled or free order.
 */
import { randomUUID } from 'node:crypto';
import type {
  EventGuest,
  GuestAttendanceStatus,
  GuestCheckInDetails,
  GuestFieldset,
  Rsvp,
  RsvpFieldset,
  RsvpGuest,
  RsvpStatus,
  RsvpSummary,
  TicketDetails,
  WixEvent,
} from '../wire/types.js';
import { ENTITY_FQDN } from '../wire/types.js';
import { applicationError, failedPrecondition, invalidArgument, notFound } from './errors.js';
import type { Tenant } from './tenant.js';

export type OrderStatus =
  | 'FREE'
  | 'PENDING'
  | 'PAID'
  | 'OFFLINE_PENDING'
  | 'INITIATED'
  | 'CANCELED'
  | 'DECLINED'
  | 'AUTHORIZED'
  | 'VOIDED'
  | 'PARTIALLY_PAID';

export interface MutationOptions {
  /** Emit webhooks (default true; the seeder passes false). */
  emit?: boolean;
  /** ModificationOptions.ignoreLimits (docs/upstream.md §5.1): skip the event's guest limit. */
  ignoreLimits?: boolean;
}

export interface EventsDomain {
  createEvent(partial?: Partial<WixEvent>): WixEvent;
  createRsvp(partial: Partial<Rsvp>, opts?: MutationOptions): Rsvp;
  /** A ticket order: one BUYER and `count` TICKET_HOLDER guests (webhooks only with `emit`; the seeder passes none). */
  createTicketGuests(eventId: string, contactId: string, count: number, orderStatus?: OrderStatus, emit?: boolean): EventGuest[];
  /** Recomputes `summaries` (and an automatic registration status); returns whether anything changed. */
  recomputeEventSummaries(eventId: string): boolean;
  getEvent(eventId: string): WixEvent;
  getRsvp(rsvpId: string): Rsvp;
  /**
   * Applies a change to an RSVP: `status` (re-checks the limit), names, email, form, guest names, flags.
   * The caller has already checked the revision. Emits rsvp_updated, guest_updated and event_updated.
   */
  updateRsvp(rsvpId: string, patch: Partial<Rsvp>, opts?: MutationOptions): Rsvp;
  deleteRsvp(rsvpId: string, opts?: MutationOptions): void;
  /** Checks in the given guestIds (all guests when absent). */
  checkIn(rsvpId: string, guestIds: number[] | undefined, date?: string): Rsvp;
  cancelCheckIn(rsvpId: string, guestIds: number[] | undefined, date?: string): Rsvp;
  /** Events v3 update of the RSVP settings (limit, waitlist), title and status. */
  updateEvent(eventId: string, patch: Partial<WixEvent>): WixEvent;
  rsvpSummary(eventId: string): RsvpSummary;
  /** Emits wix.events.v3.event_updated with the full entity (registration and summaries included). */
  emitEventUpdated(event: WixEvent): void;
  /** CANCELED, with event_canceled, event_updated and one guest_event_canceled per guest (seed 003). */
  cancelEvent(eventId: string): WixEvent;
  /** STARTED, with event_started and one guest_event_starts per guest carrying `timing` (seed 003). */
  startEvent(eventId: string, timing?: string): WixEvent;
  /** A ticket order's status moves its BUYER and TICKET_HOLDER guests (seed 003 mapping); CANCELED also emits guest_order_canceled. */
  setOrderStatus(orderNumber: string, status: OrderStatus): EventGuest[];
}

export function createEventsDomainHelpers(tenant: Tenant): EventsDomain {
  const db = tenant.db;

  function getEvent(eventId: string): WixEvent {
    const event = db.events.get(eventId);
    if (!event) throw notFound('EVENT_NOT_FOUND', `Event ${eventId} not found`, { eventId });
    return event;
  }

  function getRsvp(rsvpId: string): Rsvp {
    const rsvp = db.rsvps.get(rsvpId);
    if (!rsvp) throw notFound('RSVP_NOT_FOUND', `RSVP ${rsvpId} not found`, { rsvpId });
    return rsvp;
  }

  function createEvent(partial: Partial<WixEvent> = {}): WixEvent {
    const created = stamp();
    const start = new Date(Date.now() + 7 * 24 * 3600_000);
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
      ...(partial.categories ? { categories: clone(partial.categories) } : {}),
      createdDate: partial.createdDate ?? created,
      updatedDate: partial.updatedDate ?? partial.createdDate ?? created,
    };
    db.events.set(id, event);
    recomputeEventSummaries(id);
    return event;
  }

  function createRsvp(partial: Partial<Rsvp>, opts: MutationOptions = {}): Rsvp {
    const emit = opts.emit !== false;
    const event = getEvent(partial.eventId ?? '');
    if (event.registration?.initialType !== 'RSVP' || event.registration?.type !== 'RSVP') {
      throw applicationError(400, 'INVALID_EVENT_TYPE', `Event ${event.id} does not take RSVPs`, { eventId: event.id });
    }
    checkRegistrationOpen(event);
    const requested: RsvpStatus = partial.status ?? 'YES';
    checkResponseType(event, requested);
    const guestCount = partial.additionalGuestDetails?.guestCount ?? Math.max(0, (partial.guestList?.guests.length ?? 1) - 1);
    const totalGuests = 1 + guestCount;
    const status = opts.ignoreLimits ? requested : admit(event, requested, totalGuests, undefined);

    const created = partial.createdDate ?? stamp();
    const rsvp: Rsvp = {
      id: partial.id ?? randomUUID(),
      revision: '1',
      eventId: event.id,
      createdDate: created,
      updatedDate: partial.updatedDate ?? created,
      ...(partial.memberId ? { memberId: partial.memberId } : {}),
      contactId: partial.contactId ?? randomUUID(),
      firstName: partial.firstName ?? 'Guest',
      lastName: partial.lastName ?? 'Sandbox',
      email: partial.email ?? `guest-${randomUUID().slice(0, 8)}@example.com`,
      form: partial.form ?? { inputValues: [] },
      status,
      totalGuests,
      guestList: { guests: [] },
      language: partial.language ?? 'en',
      locale: partial.locale ?? 'en-US',
      fullyCheckedIn: false,
      checkedInGuestCount: 0,
      additionalGuestDetails: {
        guestCount,
        guestNames: partial.additionalGuestDetails?.guestNames ?? [],
      },
      disableNotifications: partial.disableNotifications ?? false,
      anonymized: false,
      marketingConsent: partial.marketingConsent ?? false,
      ...(partial.extendedFields ? { extendedFields: partial.extendedFields } : {}),
    };
    rsvp.form = partial.form ?? defaultForm(rsvp);
    rsvp.guestList = { guests: buildGuestList(rsvp, partial.guestList?.guests) };
    refreshCheckInCounters(rsvp);
    db.rsvps.set(rsvp.id!, rsvp);

    if (emit) tenant.emit({ entityFqdn: ENTITY_FQDN.rsvp, slug: 'created', entityId: rsvp.id!, createdEvent: { entity: clone(rsvp) } });
    syncGuest(rsvp, emit);
    afterSummariesMayChange(event.id!, emit);
    return rsvp;
  }

  function updateRsvp(rsvpId: string, patch: Partial<Rsvp>, opts: MutationOptions = {}): Rsvp {
    const emit = opts.emit !== false;
    const current = getRsvp(rsvpId);
    const event = getEvent(current.eventId!);
    // Validate everything before touching the stored RSVP, so a refused update changes nothing.
    const next: Rsvp = clone(current);
    if (patch.status && patch.status !== current.status) {
      checkResponseType(event, patch.status);
      if (patch.status === 'YES' || patch.status === 'WAITLIST') checkRegistrationOpen(event, current);
      next.status = opts.ignoreLimits ? patch.status : admitOnUpdate(event, patch.status, next.totalGuests ?? 1, current.id!);
    }
    for (const key of ['firstName', 'lastName', 'email', 'form', 'contactId', 'disableNotifications', 'marketingConsent', 'extendedFields'] as const) {
      if (patch[key] !== undefined) (next as any)[key] = clone(patch[key]);
    }
    if (patch.additionalGuestDetails?.guestNames) {
      next.additionalGuestDetails = { ...next.additionalGuestDetails, guestNames: [...patch.additionalGuestDetails.guestNames] };
    }
    if (patch.firstName || patch.lastName || patch.additionalGuestDetails?.guestNames) {
      next.guestList = { guests: buildGuestList(next, next.guestList?.guests) };
    }
    next.revision = String(Number(current.revision ?? '1') + 1);
    next.updatedDate = stamp();
    db.rsvps.set(rsvpId, next);

    if (emit) tenant.emit({ entityFqdn: ENTITY_FQDN.rsvp, slug: 'updated', entityId: rsvpId, updatedEvent: { currentEntity: clone(next) } });
    syncGuest(next, emit);
    afterSummariesMayChange(next.eventId!, emit);
    return next;
  }

  function deleteRsvp(rsvpId: string, opts: MutationOptions = {}): void {
    const emit = opts.emit !== false;
    const rsvp = getRsvp(rsvpId);
    db.rsvps.delete(rsvpId);
    // Only the id: seed 004's RSVP Deleted example is `deletedEvent: {movedToTrash: true}` (docs/fidelity.md).
    if (emit) tenant.emit({ entityFqdn: ENTITY_FQDN.rsvp, slug: 'deleted', entityId: rsvpId, deletedEvent: { movedToTrash: true } });
    const guestId = guestIndex(tenant).get(rsvpId);
    const guest = guestId ? db.guests.get(guestId) : undefined;
    if (guest) {
      db.guests.delete(guest.id!);
      guestIndex(tenant).delete(rsvpId);
      if (emit) emitGuestDeleted(guest);
    }
    afterSummariesMayChange(rsvp.eventId!, emit);
  }

  function checkIn(rsvpId: string, guestIds: number[] | undefined, date?: string): Rsvp {
    const current = getRsvp(rsvpId);
    const targets = resolveGuests(current, guestIds);
    const already = targets.filter((g) => g.checkInDetails?.checkedIn);
    if (already.length > 0) {
      throw failedPrecondition('GUEST_ALREADY_CHECKED_IN', `Guests ${already.map((g) => g.guestId).join(', ')} are already checked in`, {
        guestIds: already.map((g) => g.guestId),
      });
    }
    const when = date ?? new Date().toISOString();
    return changeCheckIns(current, new Set(targets.map((g) => g.guestId)), (g) => {
      g.checkInDetails = { ...g.checkInDetails, checkedIn: true, checkInDate: when, checkInCanceledDate: null, checkedInByStaffMember: false };
    }, true);
  }

  function cancelCheckIn(rsvpId: string, guestIds: number[] | undefined, date?: string): Rsvp {
    const current = getRsvp(rsvpId);
    const targets = resolveGuests(current, guestIds);
    // An explicit list must name checked-in guests (GUEST_NOT_CHECKED_IN, seed 004 cancel check-in); an empty
    // body means "cancel all check-ins", which needs at least one to cancel.
    const notIn = guestIds?.length ? targets.filter((g) => !g.checkInDetails?.checkedIn) : targets.some((g) => g.checkInDetails?.checkedIn) ? [] : targets;
    if (notIn.length > 0) {
      throw failedPrecondition('GUEST_NOT_CHECKED_IN', `Guests ${notIn.map((g) => g.guestId).join(', ')} are not checked in`, {
        guestIds: notIn.map((g) => g.guestId),
      });
    }
    const when = date ?? new Date().toISOString();
    const ids = new Set(targets.filter((g) => g.checkInDetails?.checkedIn).map((g) => g.guestId));
    return changeCheckIns(current, ids, (g) => {
      // Cancel clears checkInDate (docs/upstream.md §5.1); the docs example still printing checkedIn: true is a docs error (§8).
      g.checkInDetails = { ...g.checkInDetails, checkedIn: false, checkInDate: null, checkInCanceledDate: when, checkInCanceledByStaffMember: false };
    }, false);
  }

  function changeCheckIns(current: Rsvp, ids: Set<number>, apply: (g: RsvpGuest) => void, checkedIn: boolean): Rsvp {
    const next = clone(current);
    for (const g of next.guestList!.guests) if (ids.has(g.guestId)) apply(g);
    refreshCheckInCounters(next);
    next.revision = String(Number(current.revision ?? '1') + 1);
    next.updatedDate = stamp();
    db.rsvps.set(next.id!, next);
    tenant.emit({ entityFqdn: ENTITY_FQDN.rsvp, slug: 'updated', entityId: next.id!, updatedEvent: { currentEntity: clone(next) } });
    const guest = syncGuest(next, true);
    if (checkedIn && guest) {
      const event = db.events.get(next.eventId!);
      tenant.emit({
        entityFqdn: ENTITY_FQDN.guest,
        slug: 'guest_checked_in',
        entityId: guest.id!,
        // bodyAsJson as an object, as seed 003's example prints it (docs/fidelity.md: the SDK reads `body`).
        actionEvent: { bodyAsJson: { guest: clone(guest), eventDetails: event ? eventDetails(event) : {} } },
      });
    }
    return next;
  }

  function createTicketGuests(eventId: string, contactId: string, count: number, orderStatus: OrderStatus = 'PAID', emit = false): EventGuest[] {
    const event = getEvent(eventId);
    const orderNumber = randomCode(4) + '-' + randomCode(4) + '-' + randomCode(3);
    const created = stamp();
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
    for (const g of [buyer, ...holders]) db.guests.set(g.id!, g);
    recomputeEventSummaries(eventId);
    if (emit) for (const g of [buyer, ...holders]) emitGuestCreated(g);
    return [buyer, ...holders];
  }

  function setOrderStatus(orderNumber: string, status: OrderStatus): EventGuest[] {
    const guests = [...db.guests.values()].filter((g) => g.orderNumber === orderNumber);
    if (guests.length === 0) throw notFound('ORDER_NOT_FOUND', `Order ${orderNumber} not found`, { orderNumber });
    const now = stamp();
    const attendanceStatus = orderAttendance(status);
    const event = db.events.get(guests[0]!.eventId!);
    const changed = guests.map((g) => {
      const next: EventGuest = {
        ...clone(g),
        attendanceStatus,
        updatedDate: now,
        attendanceStatusUpdatedDate: g.attendanceStatus === attendanceStatus ? g.attendanceStatusUpdatedDate : now,
        revision: String(Number(g.revision ?? '1') + 1),
        additionalDetails: { ...g.additionalDetails, updatedDate: now, orderStatus: status },
      };
      db.guests.set(next.id!, next);
      emitGuestUpdated(next, 1);
      if (status === 'CANCELED') {
        tenant.emit({
          entityFqdn: ENTITY_FQDN.guest,
          slug: 'guest_order_canceled',
          entityId: next.id!,
          actionEvent: { bodyAsJson: { guest: clone(next), event: event ? guestEvent(event) : {}, order: { orderStatus: 'CANCELED', invoice: {} } } },
        });
      }
      return next;
    });
    afterSummariesMayChange(guests[0]!.eventId!, true);
    return changed;
  }

  function cancelEvent(eventId: string): WixEvent {
    const event = getEvent(eventId);
    if (event.status === 'CANCELED') throw failedPrecondition('EVENT_ALREADY_CANCELED', `Event ${eventId} is already canceled`, { eventId });
    event.status = 'CANCELED';
    event.updatedDate = stamp();
    tenant.emit({
      entityFqdn: ENTITY_FQDN.event,
      slug: 'canceled',
      entityId: eventId,
      actionEvent: { body: { timestamp: event.updatedDate, eventId, title: event.title } },
    });
    emitEventUpdated(event);
    for (const g of guestsOf(eventId)) {
      tenant.emit({ entityFqdn: ENTITY_FQDN.guest, slug: 'guest_event_canceled', entityId: g.id!, actionEvent: { bodyAsJson: { guest: clone(g), event: guestEvent(event) } } });
    }
    return event;
  }

  function startEvent(eventId: string, timing = 'NOW'): WixEvent {
    const event = getEvent(eventId);
    if (event.status !== 'UPCOMING') throw failedPrecondition('EVENT_NOT_UPCOMING', `Event ${eventId} is ${event.status}`, { eventId, status: event.status });
    event.status = 'STARTED';
    event.updatedDate = stamp();
    const guests = guestsOf(eventId);
    tenant.emit({
      entityFqdn: ENTITY_FQDN.event,
      slug: 'started',
      entityId: eventId,
      actionEvent: { body: { timestamp: event.updatedDate, eventId, hasGuests: guests.length > 0 } },
    });
    emitEventUpdated(event);
    for (const g of guests) {
      tenant.emit({ entityFqdn: ENTITY_FQDN.guest, slug: 'guest_event_starts', entityId: g.id!, actionEvent: { bodyAsJson: { guest: clone(g), event: guestEvent(event), timing } } });
    }
    return event;
  }

  function guestsOf(eventId: string): EventGuest[] {
    return [...db.guests.values()].filter((g) => g.eventId === eventId);
  }

  function recomputeEventSummaries(eventId: string): boolean {
    const event = db.events.get(eventId);
    if (!event) return false;
    const before = JSON.stringify([event.summaries, event.registration?.status]);
    const s = rsvpSummary(eventId);
    event.summaries = {
      rsvps: { totalCount: s.totalRsvpCount, yesCount: s.yesGuestCount, noCount: s.noGuestCount, waitlistCount: s.waitlistGuestCount },
    };
    if (event.registration?.type === 'TICKETING') {
      let ticketsSold = 0;
      let totalOrders = 0;
      for (const g of db.guests.values()) {
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

  function rsvpSummary(eventId: string): RsvpSummary {
    const summary: RsvpSummary = { eventId, yesGuestCount: 0, noGuestCount: 0, waitlistGuestCount: 0, totalRsvpCount: 0 };
    for (const r of db.rsvps.values()) {
      if (r.eventId !== eventId) continue;
      summary.totalRsvpCount++;
      const n = r.totalGuests ?? 1;
      if (r.status === 'YES') summary.yesGuestCount += n;
      else if (r.status === 'NO') summary.noGuestCount += n;
      else if (r.status === 'WAITLIST') summary.waitlistGuestCount += n;
    }
    return summary;
  }

  function updateEvent(eventId: string, patch: Partial<WixEvent>): WixEvent {
    const event = getEvent(eventId);
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
    event.updatedDate = stamp();
    recomputeEventSummaries(eventId);
    emitEventUpdated(event);
    return event;
  }

  function emitEventUpdated(event: WixEvent): void {
    tenant.emit({ entityFqdn: ENTITY_FQDN.event, slug: 'updated', entityId: event.id!, updatedEvent: { currentEntity: clone(event) } });
  }

  // --- private helpers -----------------------------------------------------------------------------------------

  function afterSummariesMayChange(eventId: string, emit: boolean): void {
    const changed = recomputeEventSummaries(eventId);
    const event = db.events.get(eventId);
    // The waitlist flow (§7.2) listens to event_updated for summary changes, so a changed count must be announced.
    if (emit && changed && event) emitEventUpdated(event);
  }

  /** The guest limit on create: over the limit goes to the waitlist when it is enabled, else is refused. */
  function admit(event: WixEvent, requested: RsvpStatus, totalGuests: number, excludeRsvpId: string | undefined): RsvpStatus {
    if (requested !== 'YES') {
      if (requested === 'WAITLIST' && !event.registration?.rsvp?.waitlistEnabled) {
        throw failedPrecondition('WAITING_LIST_UNAVAILABLE', `Event ${event.id} has no waitlist`, { eventId: event.id });
      }
      return requested;
    }
    const free = freeSpots(event, excludeRsvpId);
    if (free === null || totalGuests <= free) return 'YES';
    if (event.registration?.rsvp?.waitlistEnabled) return 'WAITLIST';
    throw limitExceeded(event, free);
  }

  /**
   * On update a YES that no longer fits is refused even with a waitlist: the caller asked for YES explicitly
   * (the §7.2 promotion flow PATCHes to YES only when the spots match), so silently parking it on the waitlist
   * would hide the conflict.
   */
  function admitOnUpdate(event: WixEvent, requested: RsvpStatus, totalGuests: number, rsvpId: string): RsvpStatus {
    if (requested !== 'YES') return admit(event, requested, totalGuests, rsvpId);
    const free = freeSpots(event, rsvpId);
    if (free === null || totalGuests <= free) return 'YES';
    throw limitExceeded(event, free);
  }

  function freeSpots(event: WixEvent, excludeRsvpId: string | undefined): number | null {
    const limit = event.registration?.rsvp?.limit;
    if (limit == null) return null;
    let yes = 0;
    for (const r of db.rsvps.values()) {
      if (r.eventId === event.id && r.status === 'YES' && r.id !== excludeRsvpId) yes += r.totalGuests ?? 1;
    }
    return Math.max(0, limit - yes);
  }

  function syncGuest(rsvp: Rsvp, emit: boolean): EventGuest {
    const index = guestIndex(tenant);
    const existingId = index.get(rsvp.id!);
    const existing = existingId ? db.guests.get(existingId) : undefined;
    const now = rsvp.updatedDate ?? stamp();
    const attendanceStatus = rsvpAttendance(rsvp.status ?? 'YES');
    const guest: EventGuest = {
      id: existing?.id ?? randomUUID(),
      eventId: rsvp.eventId,
      rsvpId: rsvp.id,
      tickets: [],
      contactId: rsvp.contactId,
      guestDetails: {
        email: rsvp.email,
        firstName: rsvp.firstName,
        lastName: rsvp.lastName,
        formResponse: { inputValues: (rsvp.form?.inputValues ?? []).map((v) => ({ inputName: v.inputName, value: v.value ?? '', values: v.values ?? [] })) },
        checkedIn: (rsvp.checkedInGuestCount ?? 0) > 0,
        checkInDetails: (rsvp.guestList?.guests ?? []).map((g) => guestCheckIn(g)),
      },
      attendanceStatus,
      createdDate: existing?.createdDate ?? rsvp.createdDate,
      updatedDate: existing ? now : rsvp.createdDate,
      attendanceStatusUpdatedDate:
        existing && existing.attendanceStatus === attendanceStatus ? existing.attendanceStatusUpdatedDate : existing ? now : rsvp.createdDate,
      ...(rsvp.memberId ? { memberId: rsvp.memberId } : {}),
      guestType: 'RSVP',
      locale: rsvp.locale,
      totalGuests: rsvp.totalGuests,
      revision: existing ? String(Number(existing.revision ?? '1') + 1) : '1',
      additionalDetails: { createdDate: rsvp.createdDate, updatedDate: rsvp.updatedDate, rsvpStatus: rsvp.status },
    };
    db.guests.set(guest.id!, guest);
    index.set(rsvp.id!, guest.id!);
    if (emit) {
      if (existing) emitGuestUpdated(guest, renamed(existing, guest) ? 2 : 1);
      else emitGuestCreated(guest);
    }
    return guest;
  }

  /**
   * Seed 003: guest_updated "always fires together with" guest_created and guest_deleted, and a name change fires
   * it twice (the name, then the order). The second copy is a separate DomainEvent (own id and sequence), so a
   * receiver's de-duplication by id cannot hide it; `guestNameChangeUpdates` (control) turns it off.
   */
  function emitGuestCreated(guest: EventGuest): void {
    tenant.emit({ entityFqdn: ENTITY_FQDN.guest, slug: 'created', entityId: guest.id!, createdEvent: { entity: clone(guest) } });
    emitGuestUpdated(guest, 1);
  }

  function emitGuestUpdated(guest: EventGuest, times: number): void {
    const copies = Math.min(times, tenant.behaviour?.guestNameChangeUpdates ?? 2);
    for (let i = 0; i < Math.max(1, copies); i++) {
      tenant.emit({ entityFqdn: ENTITY_FQDN.guest, slug: 'updated', entityId: guest.id!, updatedEvent: { currentEntity: clone(guest) } });
    }
  }

  /** No example in seed 003; sent like RSVP's (seed 004): only the id (docs/fidelity.md). */
  function emitGuestDeleted(guest: EventGuest): void {
    emitGuestUpdated(guest, 1);
    tenant.emit({ entityFqdn: ENTITY_FQDN.guest, slug: 'deleted', entityId: guest.id!, deletedEvent: { movedToTrash: true } });
  }

  return {
    createEvent,
    createRsvp,
    createTicketGuests,
    recomputeEventSummaries,
    getEvent,
    getRsvp,
    updateRsvp,
    deleteRsvp,
    checkIn,
    cancelCheckIn,
    updateEvent,
    rsvpSummary,
    emitEventUpdated,
    cancelEvent,
    startEvent,
    setOrderStatus,
  };
}

// --- projections (fieldsets) ---------------------------------------------------------------------------------
// Projections copy only the top level: rows are replaced, never changed in place (updates clone first), and a
// projection goes straight into a response body, so a deep copy per row would only cost time.

/** RSVP fieldsets (docs/upstream.md §5.2): the base projection plus what DETAILS / FORM / CONTACT_DETAILS add. */
export function projectRsvp(rsvp: Rsvp, fields: readonly string[] = []): Rsvp {
  const out: Rsvp = {};
  const copy = (k: keyof Rsvp) => {
    if (rsvp[k] !== undefined) (out as any)[k] = rsvp[k];
  };
  for (const k of ['id', 'revision', 'eventId', 'memberId', 'contactId', 'status', 'anonymized'] as const) copy(k);
  if (fields.includes('DETAILS')) {
    // The docs' query example with DETAILS also shows the check-in counters, additionalGuestDetails and flags.
    for (const k of [
      'createdDate', 'updatedDate', 'firstName', 'lastName', 'totalGuests', 'guestList', 'fullyCheckedIn',
      'checkedInGuestCount', 'additionalGuestDetails', 'disableNotifications', 'language', 'locale', 'marketingConsent',
    ] as const) copy(k);
  }
  if (fields.includes('FORM')) copy('form');
  if (fields.includes('CONTACT_DETAILS')) copy('email');
  return out;
}

/** Guest fieldsets (docs/upstream.md §4.1): GUEST_DETAILS adds guestDetails and tickets, GUEST_TOTAL adds totalGuests. */
export function projectGuest(guest: EventGuest, fields: readonly GuestFieldset[] = []): EventGuest {
  const { guestDetails, tickets, totalGuests, ...base } = guest;
  const out: EventGuest = base;
  if (fields.includes('GUEST_DETAILS')) {
    out.guestDetails = guestDetails;
    out.tickets = tickets ?? [];
  }
  if (fields.includes('GUEST_TOTAL')) out.totalGuests = totalGuests;
  return out;
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

export type { RsvpFieldset };

/**
 * Reads a `fields` list (a body array, or repeated query params of a GET: §1.1) and refuses unknown values or
 * more than `max`, naming what was expected.
 */
export function parseFieldsets<T extends string>(raw: unknown, allowed: readonly T[], max: number, field = 'fields'): T[] {
  if (raw === undefined || raw === null) return [];
  const list = Array.isArray(raw) ? raw : [raw];
  if (list.length > max) {
    throw invalidArgument({ field, description: `must contain at most ${max} items, got ${list.length}`, violatedRule: 'MAX_SIZE', data: { max } });
  }
  for (const value of list) {
    if (!allowed.includes(value as T)) {
      throw invalidArgument({ field, description: `expected one of ${allowed.join(', ')}, got ${JSON.stringify(value)}`, violatedRule: 'INVALID_ENUM_VALUE' });
    }
  }
  return [...new Set(list as T[])];
}

// --- attendance-status mapping (docs/upstream.md §7.1, seed 003 "Guest Attendance Status Mapping") ----------------

export function rsvpAttendance(status: RsvpStatus): GuestAttendanceStatus {
  return status === 'YES' ? 'ATTENDING' : status === 'WAITLIST' ? 'IN_WAITLIST' : 'NOT_ATTENDING';
}

export function orderAttendance(status: OrderStatus): GuestAttendanceStatus {
  return status === 'PAID' || status === 'OFFLINE_PENDING' || status === 'FREE' ? 'ATTENDING' : 'NOT_ATTENDING';
}

/** The `event` of guest_event_canceled / _starts / guest_order_canceled, as seed 003's examples print it. */
export function guestEvent(event: WixEvent): Record<string, unknown> {
  return { ...eventDetails(event), eventPageUrl: { base: 'https://sandbox.invalid', path: `/event-details/${event.slug ?? event.id}` } };
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

function renamed(before: EventGuest, after: EventGuest): boolean {
  const a = before.guestDetails ?? {};
  const b = after.guestDetails ?? {};
  return a.firstName !== b.firstName || a.lastName !== b.lastName;
}

/** rsvpId -> guest id, per tenant db: a guest lookup by RSVP must not scan the guest list on every change. */
const guestIndexes = new WeakMap<object, Map<string, string>>();
function guestIndex(tenant: Tenant): Map<string, string> {
  let index = guestIndexes.get(tenant.db);
  if (!index) {
    index = new Map();
    for (const g of tenant.db.guests.values()) if (g.rsvpId) index.set(g.rsvpId, g.id!);
    guestIndexes.set(tenant.db, index);
  }
  return index;
}

/**
 * A strictly increasing clock: RSVPs created in one millisecond still get distinct createdDates, so the default
 * `createdDate DESC` order is the creation order a user expects.
 */
let lastStamp = 0;
export function stamp(): string {
  lastStamp = Math.max(Date.now(), lastStamp + 1);
  return new Date(lastStamp).toISOString();
}

function checkRegistrationOpen(event: WixEvent, existing?: Rsvp): void {
  const reg = event.registration;
  if (!reg) return;
  if (reg.status === 'CLOSED_MANUALLY' || reg.registrationDisabled || reg.registrationPaused) {
    // An RSVP that already holds a spot keeps its status; only new sign-ups are closed.
    if (existing?.status === 'YES') return;
    throw failedPrecondition('RSVPS_CLOSED', `Registration for event ${event.id} is closed`, { eventId: event.id });
  }
  if (reg.status === 'SCHEDULED_RSVP') {
    throw failedPrecondition('RSVPS_NOT_STARTED', `Registration for event ${event.id} has not started`, { eventId: event.id });
  }
}

function checkResponseType(event: WixEvent, status: RsvpStatus): void {
  if (status === 'NO' && event.registration?.rsvp?.responseType === 'YES_ONLY') {
    throw applicationError(400, 'UNEXPECTED_RSVP_STATUS', `Event ${event.id} accepts only YES responses`, { eventId: event.id, status });
  }
}

/**
 * Over the event's guest limit. GUEST_LIMIT_EXCEEDED rather than RSVP_LIMIT_EXCEEDED: the limit counts guests,
 * and it is the only limit code Update declares (docs/upstream.md §5.5), so create and update refuse alike; 428
 * because it is a state problem (§5.5 inferred split). data.maxRsvpSize = the largest party that would still fit.
 */
function limitExceeded(event: WixEvent, free: number) {
  return failedPrecondition('GUEST_LIMIT_EXCEEDED', `Event ${event.id} has ${free} free spots left`, { maxRsvpSize: free });
}

function buildGuestList(rsvp: Rsvp, previous: RsvpGuest[] | undefined): RsvpGuest[] {
  const count = rsvp.totalGuests ?? 1;
  const names = rsvp.additionalGuestDetails?.guestNames ?? [];
  return Array.from({ length: count }, (_, index) => {
    const prev = previous?.[index];
    const fullName = index === 0 ? `${rsvp.firstName ?? ''} ${rsvp.lastName ?? ''}`.trim() : (names[index - 1] ?? prev?.fullName ?? '');
    return {
      index,
      ...(fullName ? { fullName } : {}),
      checkInDetails: prev?.checkInDetails ? clone(prev.checkInDetails) : { checkedIn: false },
      guestId: index + 1,
    };
  });
}

function refreshCheckInCounters(rsvp: Rsvp): void {
  const guests = rsvp.guestList?.guests ?? [];
  rsvp.checkedInGuestCount = guests.filter((g) => g.checkInDetails?.checkedIn).length;
  rsvp.fullyCheckedIn = guests.length > 0 && rsvp.checkedInGuestCount === guests.length;
}

function resolveGuests(rsvp: Rsvp, guestIds: number[] | undefined): RsvpGuest[] {
  const guests = rsvp.guestList?.guests ?? [];
  if (!guestIds || guestIds.length === 0) return guests;
  const missing = guestIds.filter((id) => !guests.some((g) => g.guestId === id));
  if (missing.length > 0) {
    throw applicationError(400, 'GUEST_NOT_FOUND', `RSVP ${rsvp.id} has no guests ${missing.join(', ')}`, { guestIds: missing });
  }
  return guests.filter((g) => guestIds.includes(g.guestId));
}

function guestCheckIn(g: RsvpGuest): GuestCheckInDetails {
  return { ...clone(g.checkInDetails ?? { checkedIn: false }), checkedIn: g.checkInDetails?.checkedIn ?? false, ...(g.fullName ? { fullName: g.fullName } : {}) };
}

function defaultForm(rsvp: Rsvp): { inputValues: { inputName: string; value: string; values: string[] }[] } {
  return {
    inputValues: [
      { inputName: 'firstName', value: rsvp.firstName ?? '', values: [] },
      { inputName: 'lastName', value: rsvp.lastName ?? '', values: [] },
      { inputName: 'email', value: rsvp.email ?? '', values: [] },
    ],
  };
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

function clone<T>(value: T): T {
  return value === undefined ? value : structuredClone(value);
}
