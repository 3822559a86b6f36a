/**
 * Calendar Events v3 ("sessions"): the ASSUMED API of docs/upstream.md §3.6. No SDK package or docs page exists for it
 * (§3.5, §9), so this follows the other v3 APIs: GET /calendar/v3/events/{eventId} -> {event}, POST .../query with
 * cursor paging (max 100, default 50) -> {events, pagingMetadata {count, cursors, hasNext}}.
 *
 * `participants.total` and `remainingCapacity` are derived from the participations by domain/calendar.ts.
 */
import { getCalendarEvent } from '../domain/calendar.js';
import { runQuery, type QuerySpec } from '../query-language.js';
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
