/**
 * Events RSVP v2 (docs/upstream.md §5; seed 004): the rules an RSVP obeys and what a change to one sets off. Every
 * write keeps the derived guest in step (guests.ts), recomputes the event's summaries and announces them
 * (events.ts), and emits rsvp_created / _updated / _deleted, so an RSVP written by any path (route, bulk, seeder)
 * produces the same guest, summaries and webhooks. Input bounds (§5.3) are checked here too, before anything changes.
 *
 * Decisions on the open questions of docs/upstream.md §9:
 * - The RSVP limit (`registration.rsvp.limit`) counts YES guests, as the event summaries do (events.ts).
 * - Check-in and cancel check-in DO increment the RSVP `revision`: they change the entity, and §1.5 says revision
 *   +1 per update; a client holding the old revision would otherwise overwrite a check-in unknowingly. (The docs
 *   check-in example keeps "1", which §8 lists among the examples' stale revisions.)
 * - A stale revision is refused as revisions.ts says, and nothing changes.
 */
import { randomUUID } from 'node:crypto';
import type { FieldViolation, Rsvp, RsvpFieldset, RsvpGuest, RsvpStatus, WixEvent } from '../../wire/types.js';
import { ENTITY_FQDN } from '../../wire/types.js';
import { now } from '../clock.js';
import { applicationError, failedPrecondition, invalidArgument, notFound } from '../errors.js';
import type { Tenant } from '../tenant.js';
import { afterSummariesMayChange, eventDetails, getEvent } from './events.js';
import { bulkItem, type BulkOutcome } from './bulk.js';
import { deleteRsvpGuest, syncGuest } from './guests.js';
import { nextRevision, revisionConflict } from './revisions.js';

export const RSVP_FIELDSETS: readonly RsvpFieldset[] = ['DETAILS', 'FORM', 'CONTACT_DETAILS'];
export const RSVP_STATUSES: readonly RsvpStatus[] = ['YES', 'NO', 'WAITLIST'];

export interface MutationOptions {
  /** Emit webhooks (default true; the seeder passes false). */
  emit?: boolean;
  /** ModificationOptions.ignoreLimits (docs/upstream.md §5.1): skip the event's guest limit. */
  ignoreLimits?: boolean;
}

export function getRsvp(tenant: Tenant, rsvpId: string): Rsvp {
  const rsvp = tenant.db.rsvps.get(rsvpId);
  if (!rsvp) throw notFound('RSVP_NOT_FOUND', `RSVP ${rsvpId} not found`, { rsvpId });
  return rsvp;
}

export function createRsvp(tenant: Tenant, partial: Partial<Rsvp>, opts: MutationOptions = {}): Rsvp {
  const emit = opts.emit !== false;
  const event = getEvent(tenant, partial.eventId ?? '');
  if (event.registration?.initialType !== 'RSVP' || event.registration?.type !== 'RSVP') {
    throw applicationError(400, 'INVALID_EVENT_TYPE', `Event ${event.id} does not take RSVPs`, { eventId: event.id });
  }
  checkRegistrationOpen(event);
  const requested: RsvpStatus = partial.status ?? 'YES';
  checkResponseType(event, requested);
  const guestCount = partial.additionalGuestDetails?.guestCount ?? Math.max(0, (partial.guestList?.guests.length ?? 1) - 1);
  const totalGuests = 1 + guestCount;
  const status = opts.ignoreLimits ? requested : admit(tenant, event, requested, totalGuests, undefined);

  const created = partial.createdDate ?? now();
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
  tenant.db.rsvps.set(rsvp.id!, rsvp);

  if (emit) tenant.emit({ entityFqdn: ENTITY_FQDN.rsvp, slug: 'created', entityId: rsvp.id!, createdEvent: { entity: structuredClone(rsvp) } });
  syncGuest(tenant, rsvp, emit);
  afterSummariesMayChange(tenant, event.id!, emit);
  return rsvp;
}

/**
 * Applies a change to an RSVP: `status` (re-checks the limit), names, email, form, guest names, flags. With
 * `revision` the update must be based on the current revision (refused otherwise, before anything else is
 * checked). Emits rsvp_updated, guest_updated and event_updated.
 */
export function updateRsvp(tenant: Tenant, rsvpId: string, patch: Partial<Rsvp>, opts: MutationOptions & { revision?: unknown } = {}): Rsvp {
  const emit = opts.emit !== false;
  const current = getRsvp(tenant, rsvpId);
  if ('revision' in opts && String(opts.revision) !== current.revision) {
    throw revisionConflict(tenant, `RSVP ${current.id} is at revision ${current.revision}, got ${String(opts.revision)}`, { currentRevision: current.revision });
  }
  const event = getEvent(tenant, current.eventId!);
  // Validate everything before touching the stored RSVP, so a refused update changes nothing.
  const next: Rsvp = structuredClone(current);
  if (patch.status && patch.status !== current.status) {
    checkResponseType(event, patch.status);
    if (patch.status === 'YES' || patch.status === 'WAITLIST') checkRegistrationOpen(event, current);
    next.status = opts.ignoreLimits ? patch.status : admitOnUpdate(tenant, event, patch.status, next.totalGuests ?? 1, current.id!);
  }
  for (const key of ['firstName', 'lastName', 'email', 'form', 'contactId', 'disableNotifications', 'marketingConsent', 'extendedFields'] as const) {
    if (patch[key] !== undefined) (next as any)[key] = structuredClone(patch[key]);
  }
  if (patch.additionalGuestDetails?.guestNames) {
    next.additionalGuestDetails = { ...next.additionalGuestDetails, guestNames: [...patch.additionalGuestDetails.guestNames] };
  }
  if (patch.firstName || patch.lastName || patch.additionalGuestDetails?.guestNames) {
    next.guestList = { guests: buildGuestList(next, next.guestList?.guests) };
  }
  next.revision = nextRevision(current.revision);
  next.updatedDate = now();
  tenant.db.rsvps.set(rsvpId, next);

  if (emit) tenant.emit({ entityFqdn: ENTITY_FQDN.rsvp, slug: 'updated', entityId: rsvpId, updatedEvent: { currentEntity: structuredClone(next) } });
  syncGuest(tenant, next, emit);
  afterSummariesMayChange(tenant, next.eventId!, emit);
  return next;
}

export function deleteRsvp(tenant: Tenant, rsvpId: string, opts: MutationOptions = {}): void {
  const emit = opts.emit !== false;
  const rsvp = getRsvp(tenant, rsvpId);
  tenant.db.rsvps.delete(rsvpId);
  // Only the id: seed 004's RSVP Deleted example is `deletedEvent: {movedToTrash: true}` (docs/fidelity.md).
  if (emit) tenant.emit({ entityFqdn: ENTITY_FQDN.rsvp, slug: 'deleted', entityId: rsvpId, deletedEvent: { movedToTrash: true } });
  deleteRsvpGuest(tenant, rsvpId, emit);
  afterSummariesMayChange(tenant, rsvp.eventId!, emit);
}

/**
 * Bulk update (§5.1): 1..100 items `{rsvp: {id, revision, …}, fieldMask?}`. Like every bulk endpoint here, a
 * malformed item fails the whole request; then each item applies through `updateRsvp` on its own, and a state
 * problem fails that item only.
 */
export function bulkUpdateRsvps(tenant: Tenant, items: unknown, opts: { ignoreLimits: boolean }): BulkOutcome<Rsvp>[] {
  if (!Array.isArray(items) || items.length < 1 || items.length > 100) {
    throw invalidArgument({ field: 'rsvps', description: `expected 1..100 items, got ${Array.isArray(items) ? items.length : 'none'}`, violatedRule: 'SIZE' });
  }
  const violations: FieldViolation[] = [];
  items.forEach((item: any, i: number) => {
    const rsvp = item?.rsvp;
    if (!rsvp?.id) violations.push({ field: `rsvps[${i}].rsvp.id`, description: 'is required', violatedRule: 'REQUIRED_FIELD' });
    if (rsvp?.revision === undefined || rsvp?.revision === null) {
      violations.push({ field: `rsvps[${i}].rsvp.revision`, description: 'is required', violatedRule: 'REQUIRED_FIELD' });
    }
    if (rsvp) violations.push(...rsvpViolations(rsvp, `rsvps[${i}].rsvp`));
  });
  if (violations.length) throw invalidArgument(...violations);
  return items.map((entry: { rsvp: any; fieldMask?: unknown }, originalIndex) => {
    const id: string = entry.rsvp.id;
    const run = () => updateRsvp(tenant, id, applyFieldMask(entry.rsvp, entry.fieldMask), { ignoreLimits: opts.ignoreLimits, revision: entry.rsvp.revision });
    return bulkItem(originalIndex, run, () => id);
  });
}

/** Checks in the given guestIds (all guests when absent); guest_checked_in follows the RSVP and guest updates. */
export function checkIn(tenant: Tenant, rsvpId: string, guestIds: number[] | undefined, date?: string): Rsvp {
  const current = getRsvp(tenant, rsvpId);
  const targets = resolveGuests(current, guestIds);
  const already = targets.filter((g) => g.checkInDetails?.checkedIn);
  if (already.length > 0) {
    throw failedPrecondition('GUEST_ALREADY_CHECKED_IN', `Guests ${already.map((g) => g.guestId).join(', ')} are already checked in`, {
      guestIds: already.map((g) => g.guestId),
    });
  }
  const when = date ?? now();
  return changeCheckIns(tenant, current, new Set(targets.map((g) => g.guestId)), (g) => {
    g.checkInDetails = { ...g.checkInDetails, checkedIn: true, checkInDate: when, checkInCanceledDate: null, checkedInByStaffMember: false };
  }, true);
}

export function cancelCheckIn(tenant: Tenant, rsvpId: string, guestIds: number[] | undefined, date?: string): Rsvp {
  const current = getRsvp(tenant, rsvpId);
  const targets = resolveGuests(current, guestIds);
  // An explicit list must name checked-in guests (GUEST_NOT_CHECKED_IN, seed 004 cancel check-in); an empty
  // body means "cancel all check-ins", which needs at least one to cancel.
  const notIn = guestIds?.length ? targets.filter((g) => !g.checkInDetails?.checkedIn) : targets.some((g) => g.checkInDetails?.checkedIn) ? [] : targets;
  if (notIn.length > 0) {
    throw failedPrecondition('GUEST_NOT_CHECKED_IN', `Guests ${notIn.map((g) => g.guestId).join(', ')} are not checked in`, {
      guestIds: notIn.map((g) => g.guestId),
    });
  }
  const when = date ?? now();
  const ids = new Set(targets.filter((g) => g.checkInDetails?.checkedIn).map((g) => g.guestId));
  return changeCheckIns(tenant, current, ids, (g) => {
    // Cancel clears checkInDate (docs/upstream.md §5.1); the docs example still printing checkedIn: true is a docs error (§8).
    g.checkInDetails = { ...g.checkInDetails, checkedIn: false, checkInDate: null, checkInCanceledDate: when, checkInCanceledByStaffMember: false };
  }, false);
}

/** RSVP fieldsets (docs/upstream.md §5.2): the base projection plus what DETAILS / FORM / CONTACT_DETAILS add. */
export function projectRsvp(rsvp: Rsvp, fields: readonly string[] = []): Rsvp {
  // Only the top level is copied: rows are replaced, never changed in place (updates clone first), and a
  // projection goes straight into a response body, so a deep copy per row would only cost time.
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

// --- input bounds (§5.1, §5.3) -------------------------------------------------------------------------------------

/** Create: the SDK-required fields (§5.1 "Create — SDK-required fields") and the §5.3 bounds. */
export function rsvpCreateInput(rsvp: any): Partial<Rsvp> {
  if (!rsvp || typeof rsvp !== 'object') throw invalidArgument({ field: 'rsvp', description: 'is required', violatedRule: 'REQUIRED_FIELD' });
  const violations: FieldViolation[] = [];
  const required = (value: unknown, field: string) => {
    if (value === undefined || value === null || value === '') violations.push({ field, description: 'is required', violatedRule: 'REQUIRED_FIELD' });
  };
  required(rsvp.eventId, 'rsvp.eventId');
  required(rsvp.firstName, 'rsvp.firstName');
  required(rsvp.lastName, 'rsvp.lastName');
  required(rsvp.email, 'rsvp.email');
  required(rsvp.status, 'rsvp.status');
  required(rsvp.additionalGuestDetails?.guestCount, 'rsvp.additionalGuestDetails.guestCount');
  violations.push(...rsvpViolations(rsvp, 'rsvp'));
  if (violations.length) throw invalidArgument(...violations);
  return {
    eventId: rsvp.eventId,
    firstName: rsvp.firstName,
    lastName: rsvp.lastName,
    email: rsvp.email,
    status: rsvp.status,
    additionalGuestDetails: { guestCount: rsvp.additionalGuestDetails.guestCount, guestNames: rsvp.additionalGuestDetails.guestNames ?? [] },
    ...(rsvp.memberId ? { memberId: rsvp.memberId } : {}),
    ...(rsvp.contactId ? { contactId: rsvp.contactId } : {}),
    ...(rsvp.form ? { form: rsvp.form } : {}),
    ...(rsvp.disableNotifications !== undefined ? { disableNotifications: !!rsvp.disableNotifications } : {}),
    ...(rsvp.marketingConsent !== undefined ? { marketingConsent: !!rsvp.marketingConsent } : {}),
    ...(rsvp.extendedFields ? { extendedFields: rsvp.extendedFields } : {}),
  };
}

/** Bounds of the writable fields that are present (§5.3), each violation named under `prefix`. */
export function rsvpViolations(rsvp: any, prefix: string): FieldViolation[] {
  const violations: FieldViolation[] = [];
  for (const key of ['firstName', 'lastName'] as const) {
    const v = rsvp[key];
    if (v !== undefined && v !== null && (typeof v !== 'string' || v.length < 1 || v.length > 50)) {
      violations.push({ field: `${prefix}.${key}`, description: 'must be a string of 1..50 characters', violatedRule: 'MAX_LENGTH' });
    }
  }
  const email = rsvp.email;
  if (email !== undefined && email !== null && email !== '' && (typeof email !== 'string' || email.length < 4 || email.length > 255 || !EMAIL.test(email))) {
    violations.push({ field: `${prefix}.email`, description: `must be an email address of 4..255 characters, got ${JSON.stringify(email)}`, violatedRule: 'FORMAT' });
  }
  if (rsvp.status !== undefined && rsvp.status !== null && rsvp.status !== '' && !RSVP_STATUSES.includes(rsvp.status)) {
    violations.push({ field: `${prefix}.status`, description: `expected one of ${RSVP_STATUSES.join(', ')}, got ${JSON.stringify(rsvp.status)}`, violatedRule: 'INVALID_ENUM_VALUE' });
  }
  const extra = rsvp.additionalGuestDetails;
  if (extra?.guestCount !== undefined && extra.guestCount !== null && !(Number.isInteger(extra.guestCount) && extra.guestCount >= 0 && extra.guestCount <= 10)) {
    violations.push({ field: `${prefix}.additionalGuestDetails.guestCount`, description: `must be an integer 0..10 (an RSVP covers at most 11 guests), got ${JSON.stringify(extra.guestCount)}`, violatedRule: 'MAX' });
  }
  if (extra?.guestNames !== undefined && extra.guestNames !== null) {
    const names = extra.guestNames;
    if (!Array.isArray(names) || names.length > 10 || names.some((n: unknown) => typeof n !== 'string' || n.length > 101)) {
      violations.push({ field: `${prefix}.additionalGuestDetails.guestNames`, description: 'must be at most 10 names of ≤101 characters', violatedRule: 'MAX_SIZE' });
    }
  }
  return violations;
}

/** Check-in guestIds: 1..11 integers ≥1 (seed 004 Check In: minItems 1, maxItems 11, minimum 1). */
export function checkInGuestIds(raw: unknown): number[] | undefined {
  if (raw === undefined || raw === null) return undefined;
  if (!Array.isArray(raw)) throw invalidArgument({ field: 'guestIds', description: 'must be an array of guest ids' });
  if (raw.length > 11) {
    throw invalidArgument({ field: 'guestIds', description: `must contain at most 11 guest ids (an RSVP has at most 11 guests), got ${raw.length}`, violatedRule: 'MAX_SIZE', data: { max: 11 } });
  }
  const bad = raw.filter((id) => !Number.isInteger(id) || (id as number) < 1);
  if (bad.length) throw invalidArgument({ field: 'guestIds', description: `guest ids are integers ≥1, got ${JSON.stringify(bad)}`, violatedRule: 'MIN' });
  return raw.length ? [...new Set(raw as number[])] : undefined;
}

/** An explicit check-in time must be a real timestamp (validation rule INVALID_CHECK_IN_TIME, §5.5). */
export function checkInDate(raw: unknown, field: string): string | undefined {
  if (raw === undefined || raw === null || raw === '') return undefined;
  const ms = typeof raw === 'string' ? Date.parse(raw) : NaN;
  if (Number.isNaN(ms)) {
    throw invalidArgument({ field, description: `expected an ISO-8601 timestamp, got ${JSON.stringify(raw)}`, violatedRule: 'OTHER', ruleName: 'INVALID_CHECK_IN_TIME' });
  }
  return new Date(ms).toISOString();
}

/** Bulk `fieldMask` is a comma-joined string on the wire (§1.3); only the listed paths of the item apply. */
function applyFieldMask(rsvp: any, mask: unknown): Partial<Rsvp> {
  if (mask === undefined || mask === null || mask === '') return rsvp;
  const paths = (Array.isArray(mask) ? mask : String(mask).split(',')).map((p) => String(p).trim()).filter(Boolean);
  const out: any = {};
  for (const path of paths) {
    const [head, ...rest] = path.split('.');
    if (rsvp[head!] === undefined) continue;
    if (rest.length === 0) out[head!] = rsvp[head!];
    else out[head!] = { ...out[head!], [rest.join('.')]: rsvp[head!]?.[rest.join('.')] };
  }
  return out;
}

// --- private helpers -------------------------------------------------------------------------------------------

const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

function changeCheckIns(tenant: Tenant, current: Rsvp, ids: Set<number>, apply: (g: RsvpGuest) => void, checkedIn: boolean): Rsvp {
  const next = structuredClone(current);
  for (const g of next.guestList!.guests) if (ids.has(g.guestId)) apply(g);
  refreshCheckInCounters(next);
  next.revision = nextRevision(current.revision);
  next.updatedDate = now();
  tenant.db.rsvps.set(next.id!, next);
  tenant.emit({ entityFqdn: ENTITY_FQDN.rsvp, slug: 'updated', entityId: next.id!, updatedEvent: { currentEntity: structuredClone(next) } });
  const guest = syncGuest(tenant, next, true);
  if (checkedIn && guest) {
    const event = tenant.db.events.get(next.eventId!);
    tenant.emit({
      entityFqdn: ENTITY_FQDN.guest,
      slug: 'guest_checked_in',
      entityId: guest.id!,
      // bodyAsJson as an object, as seed 003's example prints it (docs/fidelity.md: the SDK reads `body`).
      actionEvent: { bodyAsJson: { guest: structuredClone(guest), eventDetails: event ? eventDetails(event) : {} } },
    });
  }
  return next;
}

/** The guest limit on create: over the limit goes to the waitlist when it is enabled, else is refused. */
function admit(tenant: Tenant, event: WixEvent, requested: RsvpStatus, totalGuests: number, excludeRsvpId: string | undefined): RsvpStatus {
  if (requested !== 'YES') {
    if (requested === 'WAITLIST' && !event.registration?.rsvp?.waitlistEnabled) {
      throw failedPrecondition('WAITING_LIST_UNAVAILABLE', `Event ${event.id} has no waitlist`, { eventId: event.id });
    }
    return requested;
  }
  const free = freeSpots(tenant, event, excludeRsvpId);
  if (free === null || totalGuests <= free) return 'YES';
  if (event.registration?.rsvp?.waitlistEnabled) return 'WAITLIST';
  throw limitExceeded(event, free);
}

/**
 * On update a YES that no longer fits is refused even with a waitlist: the caller asked for YES explicitly
 * (the §7.2 promotion flow PATCHes to YES only when the spots match), so silently parking it on the waitlist
 * would hide the conflict.
 */
function admitOnUpdate(tenant: Tenant, event: WixEvent, requested: RsvpStatus, totalGuests: number, rsvpId: string): RsvpStatus {
  if (requested !== 'YES') return admit(tenant, event, requested, totalGuests, rsvpId);
  const free = freeSpots(tenant, event, rsvpId);
  if (free === null || totalGuests <= free) return 'YES';
  throw limitExceeded(event, free);
}

function freeSpots(tenant: Tenant, event: WixEvent, excludeRsvpId: string | undefined): number | null {
  const limit = event.registration?.rsvp?.limit;
  if (limit == null) return null;
  let yes = 0;
  for (const r of tenant.db.rsvps.values()) {
    if (r.eventId === event.id && r.status === 'YES' && r.id !== excludeRsvpId) yes += r.totalGuests ?? 1;
  }
  return Math.max(0, limit - yes);
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
      checkInDetails: prev?.checkInDetails ? structuredClone(prev.checkInDetails) : { checkedIn: false },
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

function defaultForm(rsvp: Rsvp): { inputValues: { inputName: string; value: string; values: string[] }[] } {
  return {
    inputValues: [
      { inputName: 'firstName', value: rsvp.firstName ?? '', values: [] },
      { inputName: 'lastName', value: rsvp.lastName ?? '', values: [] },
      { inputName: 'email', value: rsvp.email ?? '', values: [] },
    ],
  };
}
