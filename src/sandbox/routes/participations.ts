/**
 * Calendar Participations v3 (docs/upstream.md §3; seed 002): create (with idempotencyKey), get, update with optimistic
 * concurrency, delete, query. Every write re-derives the calendar event's `participants` / `remainingCapacity`
 * (seed 002: "automatically updates the linked calendar event") and emits participation_<slug> plus
 * wix.calendar.v3.event_updated with the new event (§3.6).
 *
 * Decisions where the sources are silent (§3.1 "not documented", §9):
 * - Stale or missing-in-body revision on update: 409 with applicationError REVISION_MISMATCH (data: the current
 *   revision), and nothing changes. The sandbox answers every revision conflict this way.
 * - Over capacity: 428 FAILED_PRECONDITION with applicationError CAPACITY_EXCEEDED (data: remainingCapacity,
 *   requested). The docs pair state problems with 428. Only CONFIRMED participations use capacity (§3.6), so a
 *   PENDING_CONFIRMATION participation never exceeds it, and confirming one re-checks.
 * - Unknown participation: 404 PARTICIPATION_NOT_FOUND; unknown calendar event on create: 404 EVENT_NOT_FOUND.
 * - Invalid input: 400 validationError naming the field (partySize 1..1000, exactly one of eventId/scheduleId,
 *   id formats of §3.2). eventId and scheduleId cannot change on update (400): moving a participation is a delete
 *   plus a create.
 * - idempotencyKey: a repeated key returns the participation the first request made (as it is now), with no second
 *   write and no webhook. Deleting that participation frees the key.
 * - Query: max limit 100 (LIMITS.participationsQueryMax), cursor paging with {count, cursors, hasNext}.
 * - The deleted webhook carries the deleted entity (the docs example has `deletedEntity: null`), so a receiver can
 *   tell which session changed.
 */
import { LIMITS } from '../../wire/paths.js';
import type { FieldViolation, Participation, ParticipationStatus } from '../../wire/types.js';
import { ENTITY_FQDN } from '../../wire/types.js';
import { applicationError, failedPrecondition, invalidArgument, notFound } from '../errors.js';
import { isCalendarEventId, isGuid, monotonicNow, newGuid } from '../ids.js';
import { runQuery, type QuerySpec } from '../query-language.js';
import type { Tenant } from '../tenant.js';
import { SANDBOX_APP_ID } from '../webhooks.js';
import { getCalendarEvent, participantTotal, refreshCalendarEvent } from './calendar-events.js';
import type { Route } from './types.js';

/** Filters and sort of §3.3 (seed 002 "Supported filters and sorting"). */
export const PARTICIPATIONS_QUERY_SPEC: QuerySpec = {
  fields: {
    id: { ops: ['$in'] },
    eventId: { ops: ['$eq', '$in'] },
    scheduleId: { ops: ['$eq', '$in'] },
    externalId: { ops: ['$eq', '$in'] },
    createdDate: { ops: [], sort: 'BOTH' },
  },
  defaultSort: [{ fieldName: 'createdDate', order: 'DESC' }],
  defaultLimit: 50,
  maxLimit: LIMITS.participationsQueryMax,
  paging: 'cursor',
  metadata: 'cursor',
};

const STATUSES: readonly ParticipationStatus[] = ['CONFIRMED', 'PENDING_CONFIRMATION'];
const PREFIX = '/calendar/v3/participations';

export const participationsRoutes: Route[] = [
  {
    method: 'POST',
    paths: [PREFIX],
    handler({ tenant, body }) {
      return { participation: createParticipation(tenant, body.participation, body.idempotencyKey) };
    },
  },
  {
    method: 'POST',
    paths: [`${PREFIX}/query`],
    handler({ tenant, body }) {
      const { items, pagingMetadata } = runQuery(tenant.db.participations.values(), body.query, PARTICIPATIONS_QUERY_SPEC);
      return { participations: items, pagingMetadata };
    },
  },
  {
    method: 'GET',
    paths: [`${PREFIX}/{participationId}`],
    handler({ tenant, params }) {
      return { participation: getParticipation(tenant, params.participationId!) };
    },
  },
  {
    method: 'PATCH',
    paths: [`${PREFIX}/{participation.id}`],
    handler({ tenant, params, body }) {
      return { participation: updateParticipation(tenant, params['participation.id']!, body.participation) };
    },
  },
  {
    method: 'DELETE',
    paths: [`${PREFIX}/{participationId}`],
    handler({ tenant, params }) {
      deleteParticipation(tenant, params.participationId!);
      return {};
    },
  },
];

export function getParticipation(tenant: Tenant, id: string): Participation {
  const p = tenant.db.participations.get(id);
  if (!p) throw notFound('PARTICIPATION_NOT_FOUND', `Participation ${id} not found`, { participationId: id });
  return p;
}

function createParticipation(tenant: Tenant, input: any, idempotencyKey: unknown): Participation {
  if (idempotencyKey !== undefined && !isGuid(idempotencyKey)) {
    throw invalidArgument({ field: 'idempotencyKey', description: `must be a GUID, got ${JSON.stringify(idempotencyKey)}`, violatedRule: 'FORMAT' });
  }
  if (typeof idempotencyKey === 'string') {
    const priorId = tenant.db.participationIdempotency.get(idempotencyKey);
    const prior = priorId ? tenant.db.participations.get(priorId) : undefined;
    if (prior) return prior;
  }
  if (!input || typeof input !== 'object' || Array.isArray(input)) {
    throw invalidArgument({ field: 'participation', description: 'is required', violatedRule: 'REQUIRED_FIELD' });
  }
  const violations = fieldViolations(input, 'create');
  if (violations.length > 0) throw invalidArgument(...violations);

  const status: ParticipationStatus = input.status ?? 'CONFIRMED';
  const partySize: number = input.partySize ?? 1;
  if (input.eventId) {
    getCalendarEvent(tenant, input.eventId);
    if (status === 'CONFIRMED') checkCapacity(tenant, input.eventId, partySize, undefined);
  }
  const now = monotonicNow();
  const participation: Participation = {
    id: newGuid(),
    ...(input.externalId !== undefined ? { externalId: input.externalId } : {}),
    participant: { ...(input.participant ?? {}) },
    partySize,
    status,
    // §3.2: the appId of the schedule owning the event; every sandbox schedule belongs to the sandbox app.
    appId: SANDBOX_APP_ID,
    revision: '1',
    createdDate: now,
    updatedDate: now,
    ...(input.extendedFields !== undefined ? { extendedFields: structuredClone(input.extendedFields) } : {}),
    ...(input.eventId ? { eventId: input.eventId } : { scheduleId: input.scheduleId }),
  };
  tenant.db.participations.set(participation.id!, participation);
  if (typeof idempotencyKey === 'string') tenant.db.participationIdempotency.set(idempotencyKey, participation.id!);
  tenant.emit({ entityFqdn: ENTITY_FQDN.participation, slug: 'created', entityId: participation.id!, createdEvent: { entity: structuredClone(participation) } });
  if (participation.eventId) refreshCalendarEvent(tenant, participation.eventId);
  return participation;
}

function updateParticipation(tenant: Tenant, id: string, input: any): Participation {
  if (!input || typeof input !== 'object' || Array.isArray(input)) {
    throw invalidArgument({ field: 'participation', description: 'is required', violatedRule: 'REQUIRED_FIELD' });
  }
  if (input.id !== undefined && input.id !== id) {
    throw invalidArgument({ field: 'participation.id', description: `must match the id in the path (${id}), got ${JSON.stringify(input.id)}` });
  }
  const current = getParticipation(tenant, id);
  // §1.5: the current revision must be echoed back; §3.1's example sends {partySize: 5, revision: "1"}.
  if (input.revision === undefined || input.revision === null) {
    throw invalidArgument({ field: 'participation.revision', description: 'is required on update (the current revision)', violatedRule: 'REQUIRED_FIELD' });
  }
  if (String(input.revision) !== current.revision) {
    const { status, code } = tenant.behaviour?.revisionConflict ?? { status: 409, code: 'REVISION_MISMATCH' };
    throw applicationError(status, code, `Participation ${id} is at revision ${current.revision}, the update was based on ${input.revision}`, {
      participationId: id,
      currentRevision: current.revision,
      requestedRevision: String(input.revision),
    });
  }
  const violations = fieldViolations(input, 'update');
  for (const key of ['eventId', 'scheduleId'] as const) {
    if (input[key] !== undefined && input[key] !== current[key]) {
      violations.push({ field: `participation.${key}`, description: 'cannot be changed; delete the participation and create another', violatedRule: 'OTHER', ruleName: 'IMMUTABLE_FIELD' });
    }
  }
  if (violations.length > 0) throw invalidArgument(...violations);

  const next: Participation = {
    ...current,
    ...(input.partySize !== undefined ? { partySize: input.partySize } : {}),
    ...(input.status !== undefined ? { status: input.status } : {}),
    ...(input.externalId !== undefined ? { externalId: input.externalId } : {}),
    ...(input.participant !== undefined ? { participant: { ...input.participant } } : {}),
    ...(input.extendedFields !== undefined ? { extendedFields: structuredClone(input.extendedFields) } : {}),
    revision: String(BigInt(current.revision ?? '1') + 1n),
    updatedDate: monotonicNow(),
  };
  if (next.eventId && next.status === 'CONFIRMED') checkCapacity(tenant, next.eventId, next.partySize ?? 1, id);
  tenant.db.participations.set(id, next);
  tenant.emit({ entityFqdn: ENTITY_FQDN.participation, slug: 'updated', entityId: id, updatedEvent: { currentEntity: structuredClone(next) } });
  if (next.eventId) refreshCalendarEvent(tenant, next.eventId);
  return next;
}

function deleteParticipation(tenant: Tenant, id: string): void {
  const current = getParticipation(tenant, id);
  tenant.db.participations.delete(id);
  for (const [key, pid] of tenant.db.participationIdempotency) if (pid === id) tenant.db.participationIdempotency.delete(key);
  tenant.emit({ entityFqdn: ENTITY_FQDN.participation, slug: 'deleted', entityId: id, deletedEvent: { movedToTrash: null, deletedEntity: null } }); // seed 002's example
  if (current.eventId) refreshCalendarEvent(tenant, current.eventId);
}

function checkCapacity(tenant: Tenant, eventId: string, partySize: number, except: string | undefined): void {
  const event = getCalendarEvent(tenant, eventId);
  if (event.totalCapacity == null) return;
  const remaining = event.totalCapacity - participantTotal(tenant, eventId, except);
  if (partySize > remaining) {
    throw failedPrecondition('CAPACITY_EXCEEDED', `Calendar event ${eventId} has ${Math.max(0, remaining)} places left, ${partySize} requested`, {
      eventId,
      remainingCapacity: Math.max(0, remaining),
      requested: partySize,
    });
  }
}

/** Formats and ranges of §3.2; on create also the eventId/scheduleId one-of. */
function fieldViolations(p: any, mode: 'create' | 'update'): FieldViolation[] {
  const out: FieldViolation[] = [];
  const at = (f: string) => `participation.${f}`;
  if (mode === 'create') {
    const hasEvent = p.eventId !== undefined && p.eventId !== null;
    const hasSchedule = p.scheduleId !== undefined && p.scheduleId !== null;
    if (hasEvent === hasSchedule) {
      out.push({ field: at('eventId'), description: 'exactly one of eventId and scheduleId is required', violatedRule: 'OTHER', ruleName: 'ONE_OF' });
    }
    if (hasEvent && !isCalendarEventId(p.eventId)) out.push({ field: at('eventId'), description: `must be a calendar event id of 36 to 250 characters, got ${JSON.stringify(p.eventId)}`, violatedRule: 'FORMAT' });
    if (hasSchedule && !isGuid(p.scheduleId)) out.push({ field: at('scheduleId'), description: `must be a GUID, got ${JSON.stringify(p.scheduleId)}`, violatedRule: 'FORMAT' });
  }
  if (p.partySize !== undefined && (!Number.isInteger(p.partySize) || p.partySize < 1 || p.partySize > 1000)) {
    out.push({ field: at('partySize'), description: `must be an integer from 1 to 1000, got ${JSON.stringify(p.partySize)}`, violatedRule: 'MAX' });
  }
  if (p.status !== undefined && !STATUSES.includes(p.status)) {
    out.push({ field: at('status'), description: `must be one of ${STATUSES.join(', ')}, got ${JSON.stringify(p.status)}`, violatedRule: 'INVALID_ENUM_VALUE' });
  }
  if (p.externalId !== undefined && !isGuid(p.externalId)) out.push({ field: at('externalId'), description: `must be a GUID, got ${JSON.stringify(p.externalId)}`, violatedRule: 'FORMAT' });
  if (p.participant !== undefined && (typeof p.participant !== 'object' || p.participant === null || Array.isArray(p.participant))) {
    out.push({ field: at('participant'), description: 'must be an object {name?, phone?, email?, contactId?}' });
  } else if (p.participant?.contactId !== undefined && !isGuid(p.participant.contactId)) {
    out.push({ field: at('participant.contactId'), description: `must be a GUID, got ${JSON.stringify(p.participant.contactId)}`, violatedRule: 'FORMAT' });
  }
  return out;
}
