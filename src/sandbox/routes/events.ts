/**
 * Wix Events v3 (docs/upstream.md §6.2; the SDK package is named "wix-events-v-2"): get, query and the part of update
 * that touches RSVP settings. Served under `/events/v3/events` (wixapis) and `/_api/events-events-v3-adapter/v3`
 * (what the SDK calls on any other host, §1.1). The rules and webhooks of an event change live in domain/events.ts.
 */
import type { WixEvent } from '../../wire/types.js';
import { cancelEventsByFilter, cloneEvent, deleteEvent, deleteEventsByFilter, publishDraftEvent } from '../domain/event-lifecycle.js';
import { cancelEvent, createEvent, getEvent, getEventBySlug, projectEvent, updateEvent } from '../domain/events.js';
import { invalidArgument } from '../errors.js';
import { runQuery, type QuerySpec } from '../query-language.js';
import { parseFieldsets } from './fieldsets.js';
import type { Route } from './types.js';

const EVENT_FIELDSETS = [
  'DETAILS',
  'TEXTS',
  'REGISTRATION',
  'URLS',
  'FORM',
  'DASHBOARD',
  'FEED',
  'ONLINE_CONFERENCING_SESSION',
  'SEO_SETTINGS',
  'AGENDA',
  'CATEGORIES',
] as const;

const RANGE = ['$eq', '$gt', '$gte', '$in', '$lt', '$lte', '$ne'] as const;
const EQ_IN = ['$eq', '$in', '$ne'] as const;

/**
 * Events v3 query: offset paging only, limit ≤1000, default 50 by createdDate DESC, PagingMetadataV2
 * (docs/upstream.md §6.2). Fields, operators and sortability exactly as the SDK's EventQuerySpec states them
 * (`_id`/`_createdDate`/`_updatedDate` there are `id`/`createdDate`/`updatedDate` on the wire).
 */
export const EVENTS_QUERY_SPEC: QuerySpec = {
  fields: {
    'registration.initialType': { ops: ['$eq'] },
    createdDate: { ops: [...RANGE], sort: 'BOTH' },
    updatedDate: { ops: [...RANGE], sort: 'BOTH' },
    'dateAndTimeSettings.endDate': { ops: [...RANGE], sort: 'BOTH' },
    'dateAndTimeSettings.startDate': { ops: [...RANGE], sort: 'BOTH' },
    slug: { ops: [...RANGE], sort: 'BOTH' },
    title: { ops: [...RANGE], sort: 'BOTH' },
    id: { ops: [...RANGE], sort: 'BOTH' },
    status: { ops: [...EQ_IN] },
    userId: { ops: [...EQ_IN] },
  },
  defaultSort: [{ fieldName: 'createdDate', order: 'DESC' }],
  defaultLimit: 50,
  maxLimit: 1000,
  paging: 'offset',
  metadata: 'v2',
  maxSort: 20,
};

const V3 = ['/events/v3/events', '/_api/events-events-v3-adapter/v3/events'];
const BULK = ['/events/v3/bulk/events', '/_api/events-events-v3-adapter/v3/bulk/events'];

export const eventsRoutes: Route[] = [
  {
    // Create (POST /events/v3/events {event, draft?}): enough of it for tests and clients to make RSVP or
    // ticketed events with a given limit; `registration.initialType` picks the registration type (§6.2).
    method: 'POST',
    paths: V3,
    handler({ tenant, body }) {
      const fields = parseFieldsets(body?.fields, EVENT_FIELDSETS, 20);
      const input = body?.event;
      if (!input || typeof input !== 'object') throw invalidArgument({ field: 'event', description: 'is required' });
      if (typeof input.title !== 'string' || input.title.length < 1 || input.title.length > 120) {
        throw invalidArgument({ field: 'event.title', description: 'is required: a string of 1..120 characters', violatedRule: 'REQUIRED_FIELD' });
      }
      const initialType = input.registration?.initialType ?? input.registration?.type ?? 'RSVP';
      if (initialType !== 'RSVP' && initialType !== 'TICKETING') {
        throw invalidArgument({ field: 'event.registration.initialType', description: `expected RSVP or TICKETING, got ${JSON.stringify(initialType)}` });
      }
      const rsvp = input.registration?.rsvp;
      const event = createEvent(tenant, {
        title: input.title,
        ...(input.shortDescription !== undefined ? { shortDescription: input.shortDescription } : {}),
        ...(input.dateAndTimeSettings ? { dateAndTimeSettings: input.dateAndTimeSettings } : {}),
        ...(input.location ? { location: input.location } : {}),
        status: body?.draft === true ? 'DRAFT' : 'UPCOMING',
        registration: { type: initialType, initialType, ...(rsvp ? { rsvp } : {}) },
      }, { emit: true });
      return { event: projectEvent(event, fields) };
    },
  },
  {
    method: 'POST',
    paths: V3.map((p) => `${p}/query`),
    handler({ tenant, body }) {
      const fields = parseFieldsets(body?.fields, EVENT_FIELDSETS, 20);
      const query = body?.query ?? {};
      if (query.cursorPaging) {
        throw invalidArgument({ field: 'query.cursorPaging', description: 'Events v3 query supports offset paging only (query.paging)' });
      }
      // Drafts are listed only on request (QueryEventsRequest.includeDrafts).
      const items = [...tenant.db.events.values()].filter((e) => body?.includeDrafts === true || e.status !== 'DRAFT');
      // Offset paging is the only style here, so a query without `paging` still gets offset/total metadata.
      const page = runQuery(items, { ...query, paging: query.paging ?? {} }, EVENTS_QUERY_SPEC);
      return { events: page.items.map((e: WixEvent) => projectEvent(e, fields)), pagingMetadata: page.pagingMetadata };
    },
  },
  {
    // Count Events By Status (SDK countEventsByStatus): facet counts per status over a filter of the query spec.
    method: 'POST',
    paths: V3.map((p) => `${p}/count-by-status`),
    handler({ tenant, body }) {
      const items = [...tenant.db.events.values()].filter((e) => body?.includeDrafts === true || e.status !== 'DRAFT');
      const matched = runQuery(items, { filter: body?.filter ?? undefined, paging: { limit: 1000 } }, { ...EVENTS_QUERY_SPEC, maxLimit: Number.MAX_SAFE_INTEGER });
      const counts: Record<string, number> = {};
      for (const e of matched.items) counts[e.status ?? 'UNKNOWN'] = (counts[e.status ?? 'UNKNOWN'] ?? 0) + 1;
      const facets = Object.fromEntries((Array.isArray(body?.facet) && body.facet.length ? body.facet : ['status']).map((f: string) => [f, { counts }]));
      return { facets, pagingMetadata: { count: matched.items.length, offset: 0, total: matched.items.length, tooManyToCount: false } };
    },
  },
  {
    // Get Event By Slug (SDK getEventBySlug).
    method: 'GET',
    paths: V3.map((p) => `${p}/slug/{slug}`),
    handler({ tenant, params, query }) {
      const fields = parseFieldsets(query.getAll('fields'), EVENT_FIELDSETS, 20);
      return { event: projectEvent(getEventBySlug(tenant, params.slug!), fields) };
    },
  },
  {
    // List Events By Category (SDK listEventsByCategory): offset paging in query params, newest first.
    method: 'GET',
    paths: V3.map((p) => `${p}/category/{categoryId}`),
    handler({ tenant, params, query }) {
      const fields = parseFieldsets(query.getAll('fields'), EVENT_FIELDSETS, 20);
      const limit = Number(query.get('paging.limit') ?? 50);
      const offset = Number(query.get('paging.offset') ?? 0);
      const items = [...tenant.db.events.values()].filter((e) => e.status !== 'DRAFT' && (e.categories?.categories ?? []).some((c) => c.id === params.categoryId));
      const page = runQuery(items, { paging: { limit, offset } }, EVENTS_QUERY_SPEC);
      return { events: page.items.map((e: WixEvent) => projectEvent(e, fields)), pagingMetadata: page.pagingMetadata };
    },
  },
  {
    // Cancel Event (SDK cancelEvent): event_canceled, event_updated and guest_event_canceled per guest.
    method: 'POST',
    paths: V3.map((p) => `${p}/{eventId}/cancel`),
    handler({ tenant, params, body }) {
      const fields = parseFieldsets(body?.fields, EVENT_FIELDSETS, 20);
      return { event: projectEvent(cancelEvent(tenant, params.eventId!), fields) };
    },
  },
  {
    // Publish Draft Event (SDK publishDraftEvent): DRAFT -> UPCOMING, event_published.
    method: 'POST',
    paths: V3.map((p) => `${p}/{eventId}/publish`),
    handler({ tenant, params, body }) {
      const fields = parseFieldsets(body?.fields, EVENT_FIELDSETS, 20);
      return { event: projectEvent(publishDraftEvent(tenant, params.eventId!), fields) };
    },
  },
  {
    // Clone Event (SDK cloneEvent {event?, draft?}): a copy 14 days later, event_created and event_cloned.
    method: 'POST',
    paths: V3.map((p) => `${p}/{eventId}/clone`),
    handler({ tenant, params, body }) {
      const fields = parseFieldsets(body?.fields, EVENT_FIELDSETS, 20);
      if (body?.event !== undefined && (typeof body.event !== 'object' || body.event === null)) throw invalidArgument({ field: 'event', description: 'expected an object' });
      const copy = cloneEvent(tenant, params.eventId!, { event: body?.event, draft: body?.draft === true });
      return { event: projectEvent(copy, fields) };
    },
  },
  {
    // Delete Event (SDK deleteEvent): answers the id; event_deleted carries only the id.
    method: 'DELETE',
    paths: V3.map((p) => `${p}/{eventId}`),
    handler({ tenant, params }) {
      deleteEvent(tenant, params.eventId!);
      return { eventId: params.eventId };
    },
  },
  {
    // Bulk Cancel / Delete Events By Filter (SDK bulkCancelEventsByFilter / bulkDeleteEventsByFilter): `filter` is a
    // query whose `filter` takes the query spec's fields; each event goes as its single-event route would.
    method: 'POST',
    paths: BULK.map((p) => `${p}/cancel-by-filter`),
    handler({ tenant, body }) {
      cancelEventsByFilter(tenant, body?.filter?.filter, EVENTS_QUERY_SPEC);
      return {};
    },
  },
  {
    method: 'POST',
    paths: BULK.map((p) => `${p}/delete-by-filter`),
    handler({ tenant, body }) {
      deleteEventsByFilter(tenant, body?.filter?.filter, EVENTS_QUERY_SPEC);
      return {};
    },
  },
  {
    method: 'GET',
    paths: V3.map((p) => `${p}/{eventId}`),
    handler({ tenant, params, query }) {
      const fields = parseFieldsets(query.getAll('fields'), EVENT_FIELDSETS, 20);
      return { event: projectEvent(getEvent(tenant, params.eventId!), fields) };
    },
  },
  {
    // PATCH /events/v3/events/{event.id}: only the settings the attendance flows need (title, status, dates and
    // registration.rsvp limit / waitlist); a changed limit announces event_updated so waitlist promotion (§7.2) runs.
    method: 'PATCH',
    paths: V3.map((p) => `${p}/{eventId}`),
    handler({ tenant, params, body }) {
      const fields = parseFieldsets(body?.fields, EVENT_FIELDSETS, 20);
      const patch = body?.event;
      if (!patch || typeof patch !== 'object') throw invalidArgument({ field: 'event', description: 'is required' });
      const limit = patch.registration?.rsvp?.limit;
      if (limit !== undefined && limit !== null && !(Number.isInteger(limit) && limit >= 0)) {
        throw invalidArgument({ field: 'event.registration.rsvp.limit', description: `expected a non-negative integer or null, got ${JSON.stringify(limit)}` });
      }
      const event = updateEvent(tenant, params.eventId!, patch);
      return { event: projectEvent(event, fields) };
    },
  },
];
