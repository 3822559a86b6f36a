/**
 * Events Guests (docs/upstream.md §4; seed 003): the guest list is derived, never written by a client. An RSVP keeps
 * one RSVP guest in step (`syncGuest`), a ticket order makes a BUYER and its TICKET_HOLDERs (events.ts), and both
 * announce guest_created / guest_updated / guest_deleted here.
 *
 * Decisions (docs/upstream.md §9):
 * - An RSVP guest's `guestDetails.checkedIn` is true when at least one person of the party is checked in; the
 *   per-person state is in `guestDetails.checkInDetails[]` (one entry per RSVP guest, with `fullName`).
 * - Order statuses missing from the §7.1 table (INITIATED, CANCELED, DECLINED, AUTHORIZED, VOIDED,
 *   PARTIALLY_PAID) map to NOT_ATTENDING: none of them is a settled or free order.
 */
import { randomUUID } from 'node:crypto';
import type { EventGuest, GuestAttendanceStatus, GuestCheckInDetails, GuestFieldset, Rsvp, RsvpGuest, RsvpStatus } from '../../wire/types.js';
import { ENTITY_FQDN } from '../../wire/types.js';
import { now } from '../clock.js';
import type { Tenant } from '../tenant.js';

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

/** Creates or refreshes the guest derived from an RSVP (guest_created, or guest_updated once or twice on a rename). */
export function syncGuest(tenant: Tenant, rsvp: Rsvp, emit: boolean): EventGuest {
  const db = tenant.db;
  const index = guestIndex(tenant);
  const existingId = index.get(rsvp.id!);
  const existing = existingId ? db.guests.get(existingId) : undefined;
  const updated = rsvp.updatedDate ?? now();
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
    updatedDate: existing ? updated : rsvp.createdDate,
    attendanceStatusUpdatedDate:
      existing && existing.attendanceStatus === attendanceStatus ? existing.attendanceStatusUpdatedDate : existing ? updated : rsvp.createdDate,
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
    if (existing) emitGuestUpdated(tenant, guest, renamed(existing, guest) ? 2 : 1);
    else emitGuestCreated(tenant, guest);
  }
  return guest;
}

/** Removes the guest derived from an RSVP, if any (guest_updated then guest_deleted). */
export function deleteRsvpGuest(tenant: Tenant, rsvpId: string, emit: boolean): void {
  const index = guestIndex(tenant);
  const guestId = index.get(rsvpId);
  const guest = guestId ? tenant.db.guests.get(guestId) : undefined;
  if (!guest) return;
  tenant.db.guests.delete(guest.id!);
  index.delete(rsvpId);
  if (emit) emitGuestDeleted(tenant, guest);
}

export function guestsOf(tenant: Tenant, eventId: string): EventGuest[] {
  return [...tenant.db.guests.values()].filter((g) => g.eventId === eventId);
}

/**
 * Seed 003: guest_updated "always fires together with" guest_created and guest_deleted, and a name change fires
 * it twice (the name, then the order). The second copy is a separate DomainEvent (own id and sequence), so a
 * receiver's de-duplication by id cannot hide it; `guestNameChangeUpdates` (control) turns it off.
 */
export function emitGuestCreated(tenant: Tenant, guest: EventGuest): void {
  tenant.emit({ entityFqdn: ENTITY_FQDN.guest, slug: 'created', entityId: guest.id!, createdEvent: { entity: structuredClone(guest) } });
  emitGuestUpdated(tenant, guest, 1);
}

export function emitGuestUpdated(tenant: Tenant, guest: EventGuest, times: number): void {
  const copies = Math.min(times, tenant.behaviour?.guestNameChangeUpdates ?? 2);
  for (let i = 0; i < Math.max(1, copies); i++) {
    tenant.emit({ entityFqdn: ENTITY_FQDN.guest, slug: 'updated', entityId: guest.id!, updatedEvent: { currentEntity: structuredClone(guest) } });
  }
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

// --- attendance-status mapping (docs/upstream.md §7.1, seed 003 "Guest Attendance Status Mapping") ----------------

export function rsvpAttendance(status: RsvpStatus): GuestAttendanceStatus {
  return status === 'YES' ? 'ATTENDING' : status === 'WAITLIST' ? 'IN_WAITLIST' : 'NOT_ATTENDING';
}

export function orderAttendance(status: OrderStatus): GuestAttendanceStatus {
  return status === 'PAID' || status === 'OFFLINE_PENDING' || status === 'FREE' ? 'ATTENDING' : 'NOT_ATTENDING';
}

// --- private helpers -------------------------------------------------------------------------------------------

/** No example in seed 003; sent like RSVP's (seed 004): only the id (docs/fidelity.md). */
function emitGuestDeleted(tenant: Tenant, guest: EventGuest): void {
  emitGuestUpdated(tenant, guest, 1);
  tenant.emit({ entityFqdn: ENTITY_FQDN.guest, slug: 'deleted', entityId: guest.id!, deletedEvent: { movedToTrash: true } });
}

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

function guestCheckIn(g: RsvpGuest): GuestCheckInDetails {
  return { ...structuredClone(g.checkInDetails ?? { checkedIn: false }), checkedIn: g.checkInDetails?.checkedIn ?? false, ...(g.fullName ? { fullName: g.fullName } : {}) };
}
