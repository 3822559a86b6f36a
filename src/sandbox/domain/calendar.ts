/**
 * Calendar sessions ("calendar events", the ASSUMED API of docs/upstream.md §3.6) and Calendar Participations v3
 * (§3; seed 002). A session's `participants` and `remainingCapacity` are derived from its participations; every
 * participation write re-derives them (seed 002: "automatically updates the linked calendar event") and emits
 * participation_<slug> plus wix.calendar.v3.event_updated with the new session (§3.6).
 *
 * `participants.total` and `remainingCapacity` are derived, never written: the sum of `partySize` over the event's
 * CONFIRMED participations, and `totalCapacity` minus that (null when the event has no capacity). Whether
 * PENDING_CONFIRMATION counts is an open question (§9); §3.6 decides CONFIRMED only, and so does the sandbox.
 *
 * Decisions where the sources are silent (§3.1 "not documented", §9):
 * - Missing revision on update: 400 naming `participation.revision`; a stale one is refused as revisions.ts says
 *   (default 409 REVISION_MISMATCH, data: the current revision), and nothing changes.
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
 * - The deleted webhook carries only the id (`deletedEntity: null`, seed 002's example; docs/fidelity.md).
 */
import type { CalendarEvent, FieldViolation, Participation, ParticipationStatus } from '../../wire/types.js';
import { ENTITY_FQDN } from '../../wire/types.js';
import { now } from '../clock.js';
import { failedPrecondition, invalidArgument, notFound } from '../errors.js';
import { isCalendarEventId, isGuid, newGuid } from '../ids.js';
import type { Tenant } from '../tenant.js';
import { SANDBOX_APP_ID } from '../webhooks.js';
import { nextRevision, revisionConflict } from './revisions.js';

const STATUSES: readonly ParticipationStatus[] = ['CONFIRMED', 'PENDING_CONFIRMATION'];
const HOUR = 3_600_000;

export function getCalendarEvent(tenant: Tenant, eventId: string): CalendarEvent {
  const event = tenant.db.calendarEvents.get(eventId);
  if (!event) throw notFound('EVENT_NOT_FOUND', `Calendar event ${eventId} not found`, { eventId });
  return event;
}

/**
 * A session as stored, one hour long from `startMs`: no participants yet (`refreshCalendarEvent` derives them),
 * revision 1, owned by the sandbox app like every sandbox schedule (§3.2).
 */
export function newSession(
  fields: Pick<CalendarEvent, 'id' | 'scheduleId' | 'type' | 'status' | 'title' | 'totalCapacity'>,
  startMs: number,
  created: string,
): CalendarEvent {
  return {
    ...fields,
    start: { utcDate: new Date(startMs).toISOString(), timeZone: 'Etc/UTC' },
    end: { utcDate: new Date(startMs + HOUR).toISOString(), timeZone: 'Etc/UTC' },
    remainingCapacity: null,
    participants: { total: 0 },
    appId: SANDBOX_APP_ID,
    revision: '1',
    createdDate: created,
    updatedDate: created,
  };
}

/** A participation as stored: revision 1, appId of the schedule owning its session (the sandbox app, §3.2). */
export function newParticipation(fields: Omit<Participation, 'appId' | 'revision' | 'createdDate' | 'updatedDate'>, created: string): Participation {
  return { ...fields, appId: SANDBOX_APP_ID, revision: '1', createdDate: created, updatedDate: created };
}

/** Sum of partySize over the CONFIRMED participations of a calendar event (§3.6). */
export function participantTotal(tenant: Tenant, eventId: string, except?: string): number {
  let total = 0;
  for (const p of tenant.db.participations.values()) {
    if (p.eventId === eventId && p.status !== 'PENDING_CONFIRMATION' && p.id !== except) total += p.partySize ?? 1;
  }
  return total;
}

/**
 * Re-derives `participants` and `remainingCapacity`; when they changed, bumps the revision and emits
 * wix.calendar.v3.event_updated with the whole event (§3.6: the webhook fires when capacity or participants change).
 */
export function refreshCalendarEvent(tenant: Tenant, eventId: string, opts: { emit?: boolean } = {}): CalendarEvent | undefined {
  const event = tenant.db.calendarEvents.get(eventId);
  if (!event) return undefined;
  const total = participantTotal(tenant, eventId);
  const remaining = event.totalCapacity == null ? null : event.totalCapacity - total;
  if (event.participants?.total === total && event.remainingCapacity === remaining) return event;
  const next: CalendarEvent = {
    ...event,
    participants: { total },
    remainingCapacity: remaining,
    revision: nextRevision(event.revision, '0'),
    updatedDate: now(),
  };
  tenant.db.calendarEvents.set(eventId, next);
  if (opts.emit !== false) {
    tenant.emit({ entityFqdn: ENTITY_FQDN.calendarEvent, slug: 'updated', entityId: eventId, updatedEvent: { currentEntity: structuredClone(next) } });
  }
  return next;
}

export function getParticipation(tenant: Tenant, id: string): Participation {
  const p = tenant.db.participations.get(id);
  if (!p) throw notFound('PARTICIPATION_NOT_FOUND', `Participation ${id} not found`, { participationId: id });
  return p;
}

export function createParticipation(tenant: Tenant, input: any, idempotencyKey: unknown): Participation {
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
  const participation = newParticipation(
    {
      id: newGuid(),
      ...(input.externalId !== undefined ? { externalId: input.externalId } : {}),
      participant: { ...(input.participant ?? {}) },
      partySize,
      status,
      ...(input.extendedFields !== undefined ? { extendedFields: structuredClone(input.extendedFields) } : {}),
      ...(input.eventId ? { eventId: input.eventId } : { scheduleId: input.scheduleId }),
    },
    now(),
  );
  tenant.db.participations.set(participation.id!, participation);
  if (typeof idempotencyKey === 'string') tenant.db.participationIdempotency.set(idempotencyKey, participation.id!);
  tenant.emit({ entityFqdn: ENTITY_FQDN.participation, slug: 'created', entityId: participation.id!, createdEvent: { entity: structuredClone(participation) } });
  if (participation.eventId) refreshCalendarEvent(tenant, participation.eventId);
  return participation;
}

export function updateParticipation(tenant: Tenant, id: string, input: any): Participation {
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
    throw revisionConflict(tenant, `Participation ${id} is at revision ${current.revision}, the update was based on ${input.revision}`, {
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
    revision: nextRevision(current.revision),
    updatedDate: now(),
  };
  if (next.eventId && next.status === 'CONFIRMED') checkCapacity(tenant, next.eventId, next.partySize ?? 1, id);
  tenant.db.participations.set(id, next);
  tenant.emit({ entityFqdn: ENTITY_FQDN.participation, slug: 'updated', entityId: id, updatedEvent: { currentEntity: structuredClone(next) } });
  if (next.eventId) refreshCalendarEvent(tenant, next.eventId);
  return next;
}

export function deleteParticipation(tenant: Tenant, id: string): void {
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
