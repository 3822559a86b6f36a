/**
 * createParticipation / updateParticipation / deleteParticipation (Calendar Participations v3, docs/upstream.md §3).
 *
 * Create is the only write here with a documented idempotency key (§1.5): every create carries one — the client's
 * when it sends one, a fresh GUID otherwise — and the same body, key included, is what the upstream client resends
 * after a dropped connection or a 5xx (http.ts retries a create only when it carries a key). So a create whose
 * first attempt was applied but never answered still makes one participation; a client that retries the whole
 * mutation with the returned key gets the same participation back too.
 */
import { randomUUID } from 'node:crypto';
import type { Participation, ParticipationStatus } from '../../wire/types.js';
import type { GatewayContext } from '../context.js';
import * as v from '../validation.js';
import { ValidationError } from '../validation.js';
import { builder } from './builder.js';
import { mutationErrors, staleRevisionConflict, typedUpstreamError, UpstreamMutationError } from './errors.js';
import { idempotencyKeyFor, remembered } from '../idempotency.js';
import { forgetParticipation, rememberParticipation } from './after-write.js';
import { ParticipationRef } from './refs.js';

const ParticipationStatusInput = builder.enumType('ParticipationStatusInput', {
  values: ['CONFIRMED', 'PENDING_CONFIRMATION'] as const,
});

const ParticipantInput = builder.inputType('ParticipantInput', {
  description: 'Who takes part (docs/upstream.md §3.2; the docs show name, phone, email and contactId).',
  fields: (t) => ({
    name: t.string(),
    email: t.string(),
    phone: t.string(),
    contactId: t.id(),
  }),
});

const CreateParticipationInput = builder.inputType('CreateParticipationInput', {
  fields: (t) => ({
    eventId: t.id({ description: 'The calendar event (session), 36..250 characters. Exactly one of eventId and scheduleId.' }),
    scheduleId: t.id({ description: 'A schedule (GUID). Exactly one of eventId and scheduleId.' }),
    participant: t.field({ type: ParticipantInput }),
    partySize: t.int({ description: '1..1000, default 1.' }),
    status: t.field({ type: ParticipationStatusInput }),
    externalId: t.id({ description: "Your own reference (GUID), e.g. a booking id." }),
    idempotencyKey: t.id({
      description: 'A GUID; resend the same key to retry a create safely. Generated when omitted and returned in the payload.',
    }),
  }),
});

const UpdateParticipationInput = builder.inputType('UpdateParticipationInput', {
  fields: (t) => ({
    participationId: t.id({ required: true }),
    revision: t.string({ required: true, description: 'The revision you read; a stale one gives RevisionConflictError.' }),
    participant: t.field({ type: ParticipantInput }),
    partySize: t.int({ description: '1..1000.' }),
    status: t.field({ type: ParticipationStatusInput }),
    externalId: t.id(),
  }),
});

const DeleteParticipationInput = builder.inputType('DeleteParticipationInput', {
  fields: (t) => ({ participationId: t.id({ required: true }) }),
});

const CreateParticipationPayload = builder.objectRef<{ participation: Participation; idempotencyKey: string }>('CreateParticipationPayload').implement({
  fields: (t) => ({
    participation: t.field({ type: ParticipationRef, nullable: false, resolve: (p) => p.participation }),
    idempotencyKey: t.exposeID('idempotencyKey', { nullable: false, description: 'The key this create used; send it again to retry safely.' }),
  }),
});
const UpdateParticipationPayload = builder.objectRef<{ participation: Participation }>('UpdateParticipationPayload').implement({
  fields: (t) => ({ participation: t.field({ type: ParticipationRef, nullable: false, resolve: (p) => p.participation }) }),
});
const DeleteParticipationPayload = builder.objectRef<{ deletedParticipationId: string }>('DeleteParticipationPayload').implement({
  fields: (t) => ({ deletedParticipationId: t.exposeID('deletedParticipationId', { nullable: false }) }),
});

builder.mutationFields((t) => ({
  createParticipation: t.field({
    type: CreateParticipationPayload,
    nullable: false,
    args: { input: t.arg({ type: CreateParticipationInput, required: true }) },
    errors: mutationErrors('CreateParticipationResult'),
    resolve: async (_root, { input }, ctx) => {
      const idempotencyKey = input.idempotencyKey == null ? randomUUID() : v.guid('input.idempotencyKey', input.idempotencyKey);
      const participation: Participation = {
        ...target(input),
        partySize: input.partySize == null ? 1 : v.partySize('input.partySize', input.partySize),
        ...(input.status ? { status: input.status as ParticipationStatus } : {}),
        ...(input.externalId != null ? { externalId: v.guid('input.externalId', input.externalId) } : {}),
        ...(input.participant ? { participant: participant('input.participant', input.participant) } : {}),
      };
      const storeKey = input.idempotencyKey != null && ctx.creds ? idempotencyKeyFor('createParticipation', ctx.creds.authorization, idempotencyKey) : null;
      const created = await remembered(ctx.services.idempotency, storeKey, async () => {
        try {
          return await ctx.upstream.participations.create({ participation, idempotencyKey });
        } catch (err) {
          // Every error carries the key (generated or the client's): the retry must send the same one to be safe.
          const typed = typedUpstreamError(err, participation.eventId ? 'Session' : 'Schedule', participation.eventId ?? participation.scheduleId!, 'input.partySize');
          if (typed instanceof UpstreamMutationError) typed.idempotencyKey = idempotencyKey;
          throw typed;
        }
      });
      rememberParticipation(ctx, created);
      return { participation: created, idempotencyKey };
    },
  }),
  updateParticipation: t.field({
    type: UpdateParticipationPayload,
    nullable: false,
    args: { input: t.arg({ type: UpdateParticipationInput, required: true }) },
    errors: mutationErrors('UpdateParticipationResult'),
    resolve: async (_root, { input }, ctx) => {
      const id = v.guid('input.participationId', input.participationId, 'Participation');
      const revision = v.revision('input.revision', input.revision);
      const patch: Participation & { id: string; revision: string } = { id, revision };
      if (input.partySize != null) patch.partySize = v.partySize('input.partySize', input.partySize);
      if (input.status) patch.status = input.status as ParticipationStatus;
      if (input.externalId != null) patch.externalId = v.guid('input.externalId', input.externalId);
      if (input.participant) patch.participant = participant('input.participant', input.participant);
      if (Object.keys(patch).length === 2) {
        throw new ValidationError('input', 'names nothing to change (partySize, status, participant or externalId)', 'REQUIRED');
      }
      try {
        const participation = await ctx.upstream.participations.update(patch);
        rememberParticipation(ctx, participation);
        return { participation };
      } catch (err) {
        const conflict = await staleRevisionConflict(err, 'Participation', id, revision, () => ctx.upstream.participations.get(id), (p) => rememberParticipation(ctx, p));
        if (conflict) throw conflict;
        throw typedUpstreamError(err, 'Participation', id, 'input.partySize');
      }
    },
  }),
  deleteParticipation: t.field({
    type: DeleteParticipationPayload,
    nullable: false,
    args: { input: t.arg({ type: DeleteParticipationInput, required: true }) },
    errors: mutationErrors('DeleteParticipationResult'),
    resolve: async (_root, { input }, ctx) => {
      const id = v.guid('input.participationId', input.participationId, 'Participation');
      try {
        await ctx.upstream.participations.delete(id);
      } catch (err) {
        throw typedUpstreamError(err, 'Participation', id);
      }
      forgetParticipation(ctx, id);
      return { deletedParticipationId: id };
    },
  }),
}));

// Helpers below: the one-of target and the participant, validated with the same field paths as the input.

/** A participation links to exactly one of a calendar event or a schedule (docs/upstream.md §3.2 one-of). */
function target(input: { eventId?: string | null; scheduleId?: string | null }): Pick<Participation, 'eventId' | 'scheduleId'> {
  const hasEvent = input.eventId != null;
  const hasSchedule = input.scheduleId != null;
  if (hasEvent === hasSchedule) {
    throw new ValidationError(hasEvent ? 'input.scheduleId' : 'input.eventId', 'give exactly one of eventId and scheduleId', hasEvent ? 'CONTRADICTION' : 'REQUIRED');
  }
  return hasEvent ? { eventId: v.calendarEventId('input.eventId', input.eventId!, 'Session') } : { scheduleId: v.guid('input.scheduleId', input.scheduleId!) };
}

function participant(
  path: string,
  p: { name?: string | null; email?: string | null; phone?: string | null; contactId?: string | null },
): NonNullable<Participation['participant']> {
  // The Participant schema is unpublished (docs/upstream.md §9); the lengths follow the RSVP/guest fields it mirrors.
  return {
    ...(p.name != null ? { name: v.text(`${path}.name`, p.name, 1, 101) } : {}),
    ...(p.email != null ? { email: v.email(`${path}.email`, p.email) } : {}),
    ...(p.phone != null ? { phone: v.text(`${path}.phone`, p.phone, 1, 200) } : {}),
    ...(p.contactId != null ? { contactId: v.guid(`${path}.contactId`, p.contactId) } : {}),
  };
}
