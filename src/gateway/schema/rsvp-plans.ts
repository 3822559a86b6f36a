/**
 * The decisions behind the RSVP write mutations, as pure functions: which guests a check-in names, which of them
 * to send in which upstream call, and which waitlisted RSVPs a promotion moves. No I/O here, so every rule is
 * unit-tested in process (test/rsvp-plans.test.ts); rsvp-mutations.ts reads, runs the plan and primes caches.
 */
import type { Rsvp, WixEvent } from '../../wire/types.js';
import { LIMITS } from '../../wire/paths.js';
import * as v from '../validation.js';
import { ValidationError } from '../validation.js';
import { chunk } from '../upstream/query.js';
import { itemError, type ItemError, NotFoundError } from './errors.js';

export type Direction = 'checkIn' | 'cancelCheckIn';

/** The guests a check-in input names, per RSVP in input order; `guestIds: null` means every guest of the RSVP. */
export type GuestSelection = Map<string, { rsvpId: string; guestIds: number[] | null }>;

export interface GuestsSelectionInput {
  rsvpId?: string | null;
  guestIds?: readonly number[] | null;
  guests?: readonly { rsvpId: string; guestId: number }[] | null;
}

/**
 * Validates the input's guest references and deduplicates them (a badge scanned twice is one guest). Throws a
 * ValidationError naming the field for a malformed id, guestIds without their RSVP, or no guest at all.
 */
export function selectGuests(input: GuestsSelectionInput): GuestSelection {
  const wanted: GuestSelection = new Map();
  const want = (rsvpId: string, guestId: number | null) => {
    const entry = wanted.get(rsvpId) ?? { rsvpId, guestIds: [] };
    wanted.set(rsvpId, entry);
    if (guestId === null) entry.guestIds = null;
    else if (entry.guestIds && !entry.guestIds.includes(guestId)) entry.guestIds.push(guestId);
  };
  if (input.rsvpId != null) {
    const rsvpId = v.guid('input.rsvpId', input.rsvpId, 'Rsvp');
    if (input.guestIds == null) want(rsvpId, null);
    else {
      v.nonEmpty('input.guestIds', input.guestIds);
      input.guestIds.forEach((g, i) => want(rsvpId, v.rsvpGuestId(`input.guestIds[${i}]`, g)));
    }
  } else if (input.guestIds != null) {
    throw new ValidationError('input.rsvpId', 'guestIds number the guests of one RSVP: name it, or use guests', 'REQUIRED');
  }
  (input.guests ?? []).forEach((g, i) => want(v.guid(`input.guests[${i}].rsvpId`, g.rsvpId, 'Rsvp'), v.rsvpGuestId(`input.guests[${i}].guestId`, g.guestId)));
  if (wanted.size === 0) throw new ValidationError('input.guests', 'name at least one guest (rsvpId, guestIds or guests)', 'REQUIRED');
  return wanted;
}

/** The outcome for one guest; the plan fills in what it knows, the executor the rest. */
export interface GuestResult {
  rsvpId: string;
  guestId: number;
  success: boolean;
  error: ItemError | null;
}

/** One upstream check-in (or cancel) call: ≤ LIMITS.rsvpCheckInMax guests of one RSVP. */
export interface GuestCall {
  rsvpId: string;
  guestIds: number[];
  /** The results this call decides, shared with GuestPlan.results. */
  results: GuestResult[];
}

export interface GuestPlan {
  /** One per guest, in input order. */
  results: GuestResult[];
  /** Per RSVP, the calls to make one after another (each changes the RSVP's revision). */
  callsByRsvp: Map<string, GuestCall[]>;
}

/**
 * Plans a check-in (or its cancel) against the RSVPs as read. Refuses (throws) an unknown RSVP or guest id before
 * anything is written; a guest already in the requested state gets its error here and is not sent, because the
 * upstream would refuse the whole call for it (GUEST_ALREADY_CHECKED_IN / GUEST_NOT_CHECKED_IN).
 */
export function planGuestChange(wanted: GuestSelection, rsvps: ReadonlyMap<string, Rsvp>, direction: Direction): GuestPlan {
  const results: GuestResult[] = [];
  const callsByRsvp = new Map<string, GuestCall[]>();
  for (const { rsvpId, guestIds } of wanted.values()) {
    const rsvp = rsvps.get(rsvpId);
    if (!rsvp) throw new NotFoundError('Rsvp', rsvpId);
    const guests = rsvp.guestList?.guests ?? [];
    const ids = guestIds ?? guests.map((g) => g.guestId);
    const missing = ids.filter((id) => !guests.some((g) => g.guestId === id));
    if (missing.length) {
      // GUEST_NOT_FOUND upstream (docs/upstream.md §5.5): refused here so nothing of the mutation is applied.
      throw new ValidationError(
        'input.guests',
        `RSVP ${rsvpId} has guests ${guests.map((g) => g.guestId).join(', ') || 'none'}; no guest ${missing.join(', ')}`,
        'NOT_FOUND',
      );
    }
    const send: GuestResult[] = [];
    for (const guestId of ids) {
      const checkedIn = guests.find((g) => g.guestId === guestId)?.checkInDetails?.checkedIn === true;
      const result: GuestResult = { rsvpId, guestId, success: false, error: null };
      results.push(result);
      if (checkedIn === (direction === 'checkIn')) result.error = alreadyInState(rsvpId, guestId, direction);
      else send.push(result);
    }
    const calls = chunk(send, LIMITS.rsvpCheckInMax).map((part) => ({ rsvpId, guestIds: part.map((r) => r.guestId), results: part }));
    if (calls.length) callsByRsvp.set(rsvpId, calls);
  }
  return { results, callsByRsvp };
}

/**
 * After the calls ran: the RSVPs to re-read, those where one call failed after another succeeded — their last
 * answer no longer describes them, and guessing would show a stale guest list.
 */
export function rsvpsToReread(plan: GuestPlan): string[] {
  return [...plan.callsByRsvp.entries()]
    .filter(([, calls]) => calls.some((c) => c.results.some((r) => !r.success)) && calls.some((c) => c.results.some((r) => r.success)))
    .map(([id]) => id);
}

export interface PromotionPlan {
  /** Waitlisted RSVPs to move to YES, in order; execution stops at the first one the upstream refuses. */
  candidates: Rsvp[];
  /** Free spots before promoting; null when the event has no guest limit. */
  freeSpots: number | null;
}

/**
 * Seed 004 / docs/upstream.md §7.2: free spots = registration.rsvp.limit − summaries.rsvps.yesCount (guests); the
 * waitlist (oldest first, as read) is promoted while each whole party (totalGuests) fits. The first that does not
 * fit ends the run — "wait for additional spots" — so a large party at the head of the queue is never overtaken by
 * later, smaller ones. Nothing is promoted when the event's waitlist is off.
 */
export function planPromotion(event: WixEvent, waitingOldestFirst: readonly Rsvp[]): PromotionPlan {
  const settings = event.registration?.rsvp;
  const limit = settings?.limit ?? null;
  const freeSpots = limit === null ? null : Math.max(0, limit - (event.summaries?.rsvps?.yesCount ?? 0));
  const candidates: Rsvp[] = [];
  if (settings?.waitlistEnabled) {
    let free = freeSpots;
    for (const rsvp of waitingOldestFirst) {
      const party = partyOf(rsvp);
      if (free !== null && party > free) break;
      candidates.push(rsvp);
      if (free !== null) free -= party;
    }
  }
  return { candidates, freeSpots };
}

/** Free spots left once the first `promoted` candidates were moved to YES (null: no limit). */
export function spotsLeft(plan: PromotionPlan, promoted: number): number | null {
  if (plan.freeSpots === null) return null;
  return plan.freeSpots - plan.candidates.slice(0, promoted).reduce((n, r) => n + partyOf(r), 0);
}

// Helpers below: the party size and the per-guest precondition error.

function partyOf(rsvp: Rsvp): number {
  return rsvp.totalGuests ?? 1;
}

function alreadyInState(rsvpId: string, guestId: number, direction: Direction): ItemError {
  const upstreamCode = direction === 'checkIn' ? 'GUEST_ALREADY_CHECKED_IN' : 'GUEST_NOT_CHECKED_IN';
  const what = direction === 'checkIn' ? 'is already checked in' : 'is not checked in';
  return itemError({ code: 'FAILED_PRECONDITION', message: `Guest ${guestId} of RSVP ${rsvpId} ${what}`, upstreamCode });
}
