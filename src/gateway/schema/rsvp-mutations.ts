/**
 * RSVP writes (Events RSVP v2, docs/upstream.md §5): create, update (revision), delete, guest check-in and its cancel,
 * and the waitlist promotion of seed 004 "Automatically remove guests from a waitlist" (§7.2).
 *
 * Check-in takes any number of guests. The upstream checks in at most 11 guest ids of ONE RSVP per call (seed 004
 * Check In: maxItems 11), and an RSVP holds at most 11 guests (1 + guestCount ≤ 10), so "many guests" means guests
 * of several RSVPs — a desk checking in a group or a whole event at once. A guest is named by its RSVP and its
 * 1-based guestId; `rsvpId` + `guestIds` is the short form for one RSVP. The gateway reads the RSVPs first (one
 * query per 100 RSVPs), refuses unknown RSVPs and guest ids before any write, reports guests already in the
 * requested state per guest without sending them (the upstream would fail the whole call for one of them:
 * GUEST_ALREADY_CHECKED_IN / GUEST_NOT_CHECKED_IN), then sends ≤ 11 guest ids per call per RSVP. A failed call
 * fails only its own guests, reported per guest; the others stay applied. The decisions are pure functions in
 * rsvp-plans.ts; this file reads, runs their plan and primes the caches.
 */
import type { Rsvp, RsvpStatus, WixEvent } from '../../wire/types.js';
import { LIMITS } from '../../wire/paths.js';
import type { GatewayContext } from '../context.js';
import { UpstreamHttpError } from '../upstream/http.js';
import * as v from '../validation.js';
import { ValidationError } from '../validation.js';
import { chunk, pages, readAll, readByKeys } from '../upstream/query.js';
import { idempotencyKeyFor, remembered } from '../idempotency.js';
import { forgetRsvp, mapLimit, rememberEvent, rememberRsvp } from './after-write.js';
import { builder } from './builder.js';
import { isRevisionConflict, itemErrorFrom, ItemErrorRef, mutationErrors, staleRevisionConflict, typedUpstreamError, UpstreamMutationError } from './errors.js';
import { EventRef, RsvpRef } from './refs.js';
import { type Direction, type GuestResult, planGuestChange, planPromotion, rsvpsToReread, selectGuests, spotsLeft } from './rsvp-plans.js';

// Inputs ---------------------------------------------------------------------------------------------------------

const RsvpStatusInput = builder.enumType('RsvpStatusInput', { values: ['YES', 'NO', 'WAITLIST'] as const });

const CreateRsvpInput = builder.inputType('CreateRsvpInput', {
  fields: (t) => ({
    eventId: t.id({ required: true, description: 'The Wix Events event (GUID).' }),
    firstName: t.string({ required: true, description: '1..50 characters.' }),
    lastName: t.string({ required: true, description: '1..50 characters.' }),
    email: t.string({ required: true }),
    status: t.field({ type: RsvpStatusInput, description: 'Default YES; a full event with a waitlist answers WAITLIST.' }),
    guestCount: t.int({ description: 'Additional guests, 0..10 (an RSVP holds at most 11 people). Default 0.' }),
    guestNames: t.stringList({ description: 'Names of the additional guests, at most guestCount, each ≤ 101 characters.' }),
    disableNotifications: t.boolean(),
    idempotencyKey: t.id({
      description:
        'A GUID of your choosing; resend the same key to retry safely: the first result is returned instead of a second RSVP (remembered IDEMPOTENCY_TTL_SECONDS).',
    }),
  }),
});

const UpdateRsvpInput = builder.inputType('UpdateRsvpInput', {
  fields: (t) => ({
    rsvpId: t.id({ required: true }),
    revision: t.string({ required: true, description: 'The revision you read; a stale one gives RevisionConflictError.' }),
    status: t.field({ type: RsvpStatusInput }),
    firstName: t.string(),
    lastName: t.string(),
    email: t.string(),
    guestNames: t.stringList(),
    disableNotifications: t.boolean(),
  }),
});

const DeleteRsvpInput = builder.inputType('DeleteRsvpInput', { fields: (t) => ({ rsvpId: t.id({ required: true }) }) });

const RsvpGuestKeyInput = builder.inputType('RsvpGuestKeyInput', {
  description: "One guest: its RSVP and its 1-based guestId in that RSVP's guest list.",
  fields: (t) => ({ rsvpId: t.id({ required: true }), guestId: t.int({ required: true }) }),
});

const RsvpGuestsInput = builder.inputType('RsvpGuestsInput', {
  description:
    'Guests to check in (or out): rsvpId + guestIds for one RSVP (omit guestIds for all its guests), and/or guests of any RSVPs. Any number.',
  fields: (t) => ({
    rsvpId: t.id(),
    guestIds: t.intList(),
    guests: t.field({ type: [RsvpGuestKeyInput] }),
    date: t.field({ type: 'DateTime', description: 'When; the upstream uses the current time when omitted.' }),
  }),
});

const PromoteWaitlistInput = builder.inputType('PromoteWaitlistInput', { fields: (t) => ({ eventId: t.id({ required: true }) }) });

// Payloads -------------------------------------------------------------------------------------------------------

const RsvpPayload = builder.objectRef<{ rsvp: Rsvp }>('RsvpPayload').implement({
  description: 'The RSVP as the upstream has it after the write.',
  fields: (t) => ({ rsvp: t.field({ type: RsvpRef, nullable: false, resolve: (p) => p.rsvp }) }),
});

const DeleteRsvpPayload = builder.objectRef<{ deletedRsvpId: string }>('DeleteRsvpPayload').implement({
  fields: (t) => ({ deletedRsvpId: t.exposeID('deletedRsvpId', { nullable: false }) }),
});

const RsvpGuestResult = builder.objectRef<GuestResult>('RsvpGuestResult').implement({
  description: 'The outcome for one guest, in input order.',
  fields: (t) => ({
    rsvpId: t.exposeID('rsvpId', { nullable: false }),
    guestId: t.exposeInt('guestId', { nullable: false }),
    success: t.exposeBoolean('success', { nullable: false }),
    error: t.field({ type: ItemErrorRef, nullable: true, resolve: (r) => r.error }),
  }),
});

interface GuestsResult {
  rsvps: Rsvp[];
  results: GuestResult[];
}
const RsvpGuestsPayload = builder.objectRef<GuestsResult>('RsvpGuestsPayload').implement({
  fields: (t) => ({
    rsvp: t.field({
      type: RsvpRef,
      nullable: true,
      description: 'The RSVP, when the guests belong to exactly one.',
      resolve: (p) => (p.rsvps.length === 1 ? p.rsvps[0]! : null),
    }),
    rsvps: t.field({ type: [RsvpRef], nullable: false, description: 'Every RSVP named, as it is after the writes.', resolve: (p) => p.rsvps }),
    results: t.field({ type: [RsvpGuestResult], nullable: false, resolve: (p) => p.results }),
    successCount: t.int({ nullable: false, resolve: (p) => p.results.filter((r) => r.success).length }),
    failureCount: t.int({ nullable: false, resolve: (p) => p.results.filter((r) => !r.success).length }),
  }),
});

interface PromoteResult {
  event: WixEvent;
  promoted: Rsvp[];
  freeSpots: number | null;
  waitingRsvps: number;
}
const PromoteWaitlistPayload = builder.objectRef<PromoteResult>('PromoteWaitlistPayload').implement({
  fields: (t) => ({
    event: t.field({ type: EventRef, nullable: false, resolve: (p) => p.event }),
    promoted: t.field({ type: [RsvpRef], nullable: false, description: 'The RSVPs moved from WAITLIST to YES, oldest first.', resolve: (p) => p.promoted }),
    freeSpots: t.int({ nullable: true, description: 'Spots left after promoting; null when the event has no guest limit.', resolve: (p) => p.freeSpots }),
    waitingRsvps: t.exposeInt('waitingRsvps', { nullable: false, description: 'RSVPs still on the waitlist.' }),
  }),
});

// Mutations ------------------------------------------------------------------------------------------------------

builder.mutationFields((t) => ({
  createRsvp: t.field({
    type: RsvpPayload,
    nullable: false,
    args: { input: t.arg({ type: CreateRsvpInput, required: true }) },
    errors: mutationErrors('CreateRsvpResult'),
    resolve: async (_root, { input }, ctx) => {
      const eventId = v.guid('input.eventId', input.eventId, 'Event');
      const guestCount = input.guestCount ?? 0;
      const guestNames = v.additionalGuests('input', guestCount, input.guestNames);
      const rsvp: Rsvp = {
        eventId,
        firstName: v.personName('input.firstName', input.firstName),
        lastName: v.personName('input.lastName', input.lastName),
        email: v.email('input.email', input.email),
        status: (input.status ?? 'YES') as RsvpStatus,
        // The SDK requires additionalGuestDetails.guestCount on create (docs/upstream.md §5.1), even when 0.
        additionalGuestDetails: { guestCount, guestNames },
        ...(input.disableNotifications != null ? { disableNotifications: input.disableNotifications } : {}),
      };
      const clientKey = input.idempotencyKey == null ? null : v.guid('input.idempotencyKey', input.idempotencyKey);
      const storeKey = clientKey && ctx.creds ? idempotencyKeyFor('createRsvp', ctx.creds.authorization, clientKey) : null;
      const created = await remembered(ctx.services.idempotency, storeKey, () => createRsvpOnce(ctx, rsvp, storeKey, clientKey));
      rememberRsvp(ctx, created);
      return { rsvp: created };
    },
  }),
  updateRsvp: t.field({
    type: RsvpPayload,
    nullable: false,
    args: { input: t.arg({ type: UpdateRsvpInput, required: true }) },
    errors: mutationErrors('UpdateRsvpResult'),
    resolve: async (_root, { input }, ctx) => {
      const id = v.guid('input.rsvpId', input.rsvpId, 'Rsvp');
      const revision = v.revision('input.revision', input.revision);
      const patch: Rsvp & { id: string; revision: string } = { id, revision };
      if (input.status) patch.status = input.status as RsvpStatus;
      if (input.firstName != null) patch.firstName = v.personName('input.firstName', input.firstName);
      if (input.lastName != null) patch.lastName = v.personName('input.lastName', input.lastName);
      if (input.email != null) patch.email = v.email('input.email', input.email);
      if (input.guestNames != null) {
        // guestCount cannot change on update, so the names are checked against the ten an RSVP can hold.
        patch.additionalGuestDetails = { guestNames: v.additionalGuests('input', v.INPUT_LIMITS.guestCountMax, input.guestNames) };
      }
      if (input.disableNotifications != null) patch.disableNotifications = input.disableNotifications;
      if (Object.keys(patch).length === 2) throw new ValidationError('input', 'names nothing to change', 'REQUIRED');
      try {
        const updated = await ctx.upstream.rsvps.update({ rsvp: patch });
        rememberRsvp(ctx, updated);
        return { rsvp: updated };
      } catch (err) {
        const conflict = await staleRevisionConflict(err, 'Rsvp', id, revision, () => ctx.upstream.rsvps.get(id), (r) => rememberRsvp(ctx, r));
        if (conflict) throw conflict;
        throw typedUpstreamError(err, 'Rsvp', id, 'input.status');
      }
    },
  }),
  deleteRsvp: t.field({
    type: DeleteRsvpPayload,
    nullable: false,
    args: { input: t.arg({ type: DeleteRsvpInput, required: true }) },
    errors: mutationErrors('DeleteRsvpResult'),
    resolve: async (_root, { input }, ctx) => {
      const id = v.guid('input.rsvpId', input.rsvpId, 'Rsvp');
      try {
        await ctx.upstream.rsvps.delete(id);
      } catch (err) {
        throw typedUpstreamError(err, 'Rsvp', id);
      }
      forgetRsvp(ctx, id);
      return { deletedRsvpId: id };
    },
  }),
  checkInRsvpGuests: t.field({
    type: RsvpGuestsPayload,
    nullable: false,
    description: 'Check in any number of RSVP guests, 11 per upstream call, with a result per guest.',
    args: { input: t.arg({ type: RsvpGuestsInput, required: true }) },
    errors: mutationErrors('CheckInRsvpGuestsResult'),
    resolve: (_root, { input }, ctx) => changeGuests(ctx, input, 'checkIn'),
  }),
  cancelRsvpGuestsCheckIn: t.field({
    type: RsvpGuestsPayload,
    nullable: false,
    description: 'Undo the check-in of any number of RSVP guests, 11 per upstream call, with a result per guest.',
    args: { input: t.arg({ type: RsvpGuestsInput, required: true }) },
    errors: mutationErrors('CancelRsvpGuestsCheckInResult'),
    resolve: (_root, { input }, ctx) => changeGuests(ctx, input, 'cancelCheckIn'),
  }),
  promoteWaitlist: t.field({
    type: PromoteWaitlistPayload,
    nullable: false,
    description:
      'Move waitlisted RSVPs to YES, oldest first, while the whole party fits the free spots (seed 004 waitlist flow).',
    args: { input: t.arg({ type: PromoteWaitlistInput, required: true }) },
    errors: mutationErrors('PromoteWaitlistResult'),
    resolve: async (_root, { input }, ctx) => promoteWaitlist(ctx, v.guid('input.eventId', input.eventId, 'Event')),
  }),
}));

// Check-in -------------------------------------------------------------------------------------------------------

type GuestsInput = typeof RsvpGuestsInput.$inferInput;

async function changeGuests(ctx: GatewayContext, input: GuestsInput, direction: Direction): Promise<GuestsResult> {
  const date = input.date ?? undefined;
  const wanted = selectGuests(input);
  const rsvps = await readRsvps(ctx, [...wanted.keys()]);
  const plan = planGuestChange(wanted, rsvps, direction);

  /** RSVPs with a call whose outcome is unknown (sent, no answer). */
  const unknown = new Set<string>();
  // Calls for one RSVP run one after another (each changes its revision); different RSVPs run side by side.
  await mapLimit([...plan.callsByRsvp.values()], 4, async (calls) => {
    for (const call of calls) {
      try {
        const body = direction === 'checkIn' ? { guestIds: call.guestIds, checkInDate: date } : { guestIds: call.guestIds, checkInCanceledDate: date };
        const fresh = await ctx.upstream.rsvps[direction](call.rsvpId, body);
        rsvps.set(call.rsvpId, fresh);
        for (const r of call.results) r.success = true;
      } catch (err) {
        const error = itemErrorFrom(typedUpstreamError(err, 'Rsvp', call.rsvpId));
        for (const r of call.results) r.error = error;
        if (err instanceof UpstreamHttpError && err.outcomeUnknown) unknown.add(call.rsvpId);
      }
    }
  });

  // A call whose answer was lost may have been applied: re-read those RSVPs too, and report per guest what the
  // upstream really has (done → success; not done → a plain, now safely retryable, failure).
  for (const id of new Set([...rsvpsToReread(plan), ...unknown])) {
    try {
      rsvps.set(id, await ctx.upstream.rsvps.get(id));
    } catch {
      // keep the last state we saw; the per-guest results already tell the truth
      unknown.delete(id);
    }
  }
  for (const r of plan.results) {
    if (!r.error || !unknown.has(r.rsvpId)) continue;
    const guest = rsvps.get(r.rsvpId)?.guestList?.guests.find((g) => g.guestId === r.guestId);
    const done = (guest?.checkInDetails?.checkedIn === true) === (direction === 'checkIn');
    if (done) {
      r.success = true;
      r.error = null;
    } else {
      r.error = { ...r.error, retryable: true };
    }
  }
  const touched = [...wanted.keys()].map((id) => rsvps.get(id)!);
  for (const rsvp of touched) rememberRsvp(ctx, rsvp);
  return { rsvps: touched, results: plan.results };
}

/** The RSVPs by id (one query per 100 ids), with every fieldset so guest lists come back. */
async function readRsvps(ctx: GatewayContext, ids: string[]): Promise<Map<string, Rsvp>> {
  try {
    return new Map((await readByKeys(ctx.loaders.sources.rsvp, 'id', ids)).map((rsvp) => [rsvp.id!, rsvp]));
  } catch (err) {
    throw typedUpstreamError(err, 'Rsvp', ids.join(', '));
  }
}

// Create, reconciled -------------------------------------------------------------------------------------------

/** Allowance for the upstream's clock running behind ours when looking for an RSVP by its creation time. */
const CLOCK_SKEW_MS = 60_000;

/**
 * The RSVP create carries no idempotency key upstream, so a create whose answer is lost (timeout, dropped
 * connection) may or may not have happened. Before answering, look for it (same event and email, created since
 * the attempt began) and return it when it is there. When it is not (yet), the client hears outcomeUnknown, not a
 * plain retryable error; with an idempotencyKey the attempt's start is remembered before the create is sent, and
 * the retry (on any replica, even after this one died mid-call) looks again before creating, so following the advice
 * never makes two RSVPs.
 */
async function createRsvpOnce(ctx: GatewayContext, rsvp: Rsvp, storeKey: string | null, clientKey: string | null): Promise<Rsvp> {
  const store = ctx.services.idempotency;
  if (storeKey) {
    const pending = await store.get<{ pendingSince?: string }>(storeKey).catch(() => undefined);
    if (pending?.pendingSince) {
      const found = await findCreatedRsvp(ctx, rsvp, pending.pendingSince).catch(() => null);
      if (found) return found;
    }
  }
  const since = new Date(Date.now() - CLOCK_SKEW_MS).toISOString();
  // Written ahead, before the create is sent: if this replica dies before the answer (a deploy, a crash), the retry
  // that reaches another replica still knows the attempt began and looks for the RSVP before creating it again.
  if (storeKey) await store.put(storeKey, { pendingSince: since }).catch(() => {});
  try {
    return await ctx.upstream.rsvps.create({ rsvp });
  } catch (err) {
    if (err instanceof UpstreamHttpError && err.outcomeUnknown) {
      const found = await findCreatedRsvp(ctx, rsvp, since).catch(() => null);
      if (found) return found;
    }
    const typed = typedUpstreamError(err, 'Event', rsvp.eventId!, 'input.guestCount');
    if (typed instanceof UpstreamMutationError) typed.idempotencyKey = clientKey;
    throw typed;
  }
}

/** The event's RSVP for this email created at or after `since` (newest first, so the read stops early). */
async function findCreatedRsvp(ctx: GatewayContext, wanted: Rsvp, since: string): Promise<Rsvp | null> {
  const email = wanted.email?.toLowerCase();
  const source = ctx.loaders.sources.rsvp;
  for await (const page of pages(source, { filter: { eventId: wanted.eventId }, sort: [{ fieldName: 'createdDate', order: 'DESC' }] })) {
    for (const rsvp of page.items) {
      if ((rsvp.createdDate ?? '') < since) return null;
      if (rsvp.email?.toLowerCase() === email && rsvp.firstName === wanted.firstName && rsvp.lastName === wanted.lastName) return rsvp;
    }
  }
  return null;
}

// Waitlist -------------------------------------------------------------------------------------------------------

/** Reads the event and its waitlist, runs planPromotion's plan (rsvp-plans.ts) in order, stops at the first refusal. */
async function promoteWaitlist(ctx: GatewayContext, eventId: string): Promise<PromoteResult> {
  let event: WixEvent;
  try {
    event = await ctx.upstream.events.get(eventId);
  } catch (err) {
    throw typedUpstreamError(err, 'Event', eventId);
  }
  const waiting = await waitlist(ctx, eventId);
  const plan = planPromotion(event, waiting);
  const promoted: Rsvp[] = [];
  for (const candidate of plan.candidates) {
    const rsvp = await promote(ctx, candidate);
    if (!rsvp) break;
    promoted.push(rsvp);
  }
  if (promoted.length > 0) {
    try {
      event = await ctx.upstream.events.get(eventId);
    } catch {
      // the promotions stand; the event read is only for the payload
    }
  }
  for (const rsvp of promoted) rememberRsvp(ctx, rsvp);
  rememberEvent(ctx, event);
  return { event, promoted, freeSpots: spotsLeft(plan, promoted.length), waitingRsvps: waiting.length - promoted.length };
}

/** Every WAITLIST RSVP of the event, oldest first (RSVP query: eventId + status, sort createdDate ASC). */
async function waitlist(ctx: GatewayContext, eventId: string): Promise<Rsvp[]> {
  try {
    return await readAll(ctx.loaders.sources.rsvp, { filter: { eventId, status: 'WAITLIST' }, sort: [{ fieldName: 'createdDate', order: 'ASC' }] });
  } catch (err) {
    throw typedUpstreamError(err, 'Event', eventId);
  }
}

/**
 * PATCH one RSVP to YES with the revision just read. A concurrent change (stale revision) is re-read once and
 * retried if it is still waiting; a refusal for lack of room (someone else took the spots) ends the run.
 */
async function promote(ctx: GatewayContext, rsvp: Rsvp): Promise<Rsvp | null> {
  let current = rsvp;
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      return await ctx.upstream.rsvps.update({ rsvp: { id: current.id!, revision: current.revision!, status: 'YES' } });
    } catch (err) {
      if (!isRevisionConflict(err) || attempt > 0) {
        if (err instanceof UpstreamHttpError && (err.code === 'FAILED_PRECONDITION' || err.code === 'NOT_FOUND' || err.code === 'REVISION_CONFLICT')) return null;
        throw typedUpstreamError(err, 'Rsvp', current.id!);
      }
      try {
        current = await ctx.upstream.rsvps.get(current.id!);
      } catch {
        return null;
      }
      if (current.status !== 'WAITLIST') return null;
    }
  }
  return null;
}
