/**
 * Calendar Events v3 ("sessions"): the ASSUMED API of docs/upstream.md §3.6. No SDK package or docs page exists for it
 * (§3.5, §9), so this follows the other v3 APIs: GET /calendar/v3/events/{eventId} -> {event}, POST .../query with
 * cursor paging (max 100, default 50) -> {events, pagingMetadata {count, cursors, hasNext}}.
 *
 * `participants.total` and `remainingCapacity` are derived, never written: the sum of `partySize` over the event's
 * CONFIRMED participations, and `totalCapacity` minus that (null when the event has no capacity). Whether
 * PENDING_CONFIRMATION counts is an open question (§9); §3.6 decides CONFIRMED only, and so does the sandbox.
 */
import type { CalendarEvent } from '../../wire/types.js';
import { ENTITY_FQDN } from '../../wire/types.js';
import { notFound } from '../errors.js';
import { runQuery, type QuerySpec } from '../query-language.js';
import type { Tenant } from '../tenant.js';
import type { Route } from './types.js';

const EQ_IN = ['$eq', '$in', '$ne', '$nin'] as const;

/** Filters and sort of §3.6. */
export const CALENDAR_EVENTS_QUERY_SPEC: QuerySpec = {
  fields: {
    id: { ops: EQ_IN },
    scheduleId: { ops: EQ_IN },
    type: { ops: EQ_IN },
    status: { ops: EQ_IN },
    'start.utcDate': { ops: ['$gt', '$gte', '$lt', '$lte'], sort: 'BOTH' },
  },
  defaultSort: [{ fieldName: 'start.utcDate', order: 'ASC' }],
  defaultLimit: 50,
  maxLimit: 100,
  paging: 'cursor',
  metadata: 'cursor',
};

export function getCalendarEvent(tenant: Tenant, eventId: string): CalendarEvent {
  const event = tenant.db.calendarEvents.get(eventId);
  if (!event) throw notFound('EVENT_NOT_FOUND', `Calendar event ${eventId} not found`, { eventId });
  return event;
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
    revision: String(BigInt(event.revision ?? '0') + 1n),
    updatedDate: new Date().toISOString(),
  };
  tenant.db.calendarEvents.set(eventId, next);
  if (opts.emit !== false) {
    tenant.emit({ entityFqdn: ENTITY_FQDN.calendarEvent, slug: 'updated', entityId: eventId, updatedEvent: { currentEntity: structuredClone(next) } });
  }
  return next;
}

const PREFIX = '/calendar/v3/events';

export const calendarEventsRoutes: Route[] = [
  {
    method: 'POST',
    paths: [`${PREFIX}/query`],
    handler({ tenant, body }) {
      const { items, pagingMetadata } = runQuery(tenant.db.calendarEvents.values(), body.query, CALENDAR_EVENTS_QUERY_SPEC);
      return { events: items, pagingMetadata };
    },
  },
  {
    method: 'GET',
    paths: [`${PREFIX}/{eventId}`],
    handler({ tenant, params }) {
      return { event: getCalendarEvent(tenant, params.eventId!) };
    },
  },
];
