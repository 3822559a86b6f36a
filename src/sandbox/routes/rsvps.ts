/**
 * Events RSVP v2 (docs/upstream.md §5; seed 004). Every endpoint of §5.1 under `/events/v2/...` (wixapis) and
 * `/_api/events-rsvps/v2/...` (what the SDK calls on any other host, §1.1). The rules an RSVP change obeys
 * (input bounds, limits, revisions, the derived guest, summaries, webhooks) live in domain/rsvps.ts, the free-text
 * search and aggregations in domain/rsvp-search.ts; these routes parse the request, call them and answer.
 */
import { randomUUID } from 'node:crypto';
import type { Rsvp } from '../../wire/types.js';
import { applicationError, invalidArgument } from '../errors.js';
import { bulkActionMetadata } from '../domain/bulk.js';
import { rsvpSummary } from '../domain/events.js';
import { aggregate, searchable, SEARCH_KEY, withSearch } from '../domain/rsvp-search.js';
import {
  bulkUpdateRsvps,
  cancelCheckIn,
  checkIn,
  checkInDate,
  checkInGuestIds,
  createRsvp,
  deleteRsvp,
  getRsvp,
  projectRsvp,
  RSVP_FIELDSETS,
  rsvpCreateInput,
  rsvpViolations,
  updateRsvp,
} from '../domain/rsvps.js';
import { ALL_OPS, countMatching, matchesFilter, runQuery, validateFilter, type QuerySpec } from '../query-language.js';
import { parseFieldsets } from './fieldsets.js';
import type { Route } from './types.js';

/** Query: the SDK Query spec of §5.4 (narrower than the docs table), cursor paging only, ≤100, 50 by createdDate DESC. */
export const RSVP_QUERY_SPEC: QuerySpec = {
  fields: {
    id: { ops: ['$eq', '$exists', '$in', '$ne', '$nin'] },
    contactId: { ops: ['$eq', '$exists', '$in', '$ne', '$nin'] },
    eventId: { ops: ['$eq', '$exists', '$in', '$ne', '$nin'] },
    memberId: { ops: ['$eq', '$exists', '$in', '$ne', '$nin'] },
    fullyCheckedIn: { ops: ['$eq', '$in', '$ne', '$nin'], sort: 'BOTH' },
    status: { ops: ['$eq', '$in', '$ne', '$nin'], sort: 'BOTH' },
    createdDate: { ops: ['$eq', '$gt', '$gte', '$in', '$lt', '$lte', '$ne', '$nin'], sort: 'BOTH' },
    updatedDate: { ops: ['$eq', '$gt', '$gte', '$in', '$lt', '$lte', '$ne', '$nin'], sort: 'BOTH' },
  },
  defaultSort: [{ fieldName: 'createdDate', order: 'DESC' }],
  defaultLimit: 50,
  maxLimit: 100,
  paging: 'cursor',
  metadata: 'cursor',
  maxSort: 5,
};

/**
 * Search: the SDK Search spec (any operator, ASC/DESC on the listed fields), plus the free-text haystack field of
 * domain/rsvp-search.ts.
 */
export const RSVP_SEARCH_SPEC: QuerySpec = {
  fields: Object.fromEntries([
    ...[
      'createdDate', 'id', 'updatedDate', 'anonymized', 'checkedInGuestCount', 'contactId', 'email', 'eventId',
      'firstName', 'fullyCheckedIn', 'lastName', 'memberId', 'status', 'totalGuests',
    ].map((f) => [f, { ops: [...ALL_OPS], sort: 'BOTH' as const }]),
    [SEARCH_KEY, { ops: ['$contains'] }],
  ]),
  defaultSort: [{ fieldName: 'createdDate', order: 'DESC' }],
  defaultLimit: 50,
  maxLimit: 100,
  paging: 'cursor',
  metadata: 'cursor',
  maxSort: 10,
};

// `/events-rsvps/v2/...` on wixapis too: seed 004's Search RSVPs example calls it there.
const RSVPS = ['/events/v2/rsvps', '/_api/events-rsvps/v2/rsvps', '/events-rsvps/v2/rsvps'];
const BULK = ['/events/v2/bulk/rsvps', '/_api/events-rsvps/v2/bulk/rsvps'];
const at = (prefixes: string[], rest = '') => prefixes.map((p) => p + rest);

export const rsvpsRoutes: Route[] = [
  {
    method: 'POST',
    paths: at(RSVPS),
    handler({ tenant, body }) {
      const fields = parseFieldsets(body?.fields, RSVP_FIELDSETS, 3);
      const input = rsvpCreateInput(body?.rsvp);
      const rsvp = createRsvp(tenant, input, { ignoreLimits: body?.options?.ignoreLimits === true });
      return { rsvp: projectRsvp(rsvp, fields) };
    },
  },
  {
    method: 'GET',
    paths: at(RSVPS, '/summaries'),
    handler({ tenant, query }) {
      const eventIds = [...new Set(query.getAll('eventId'))];
      if (eventIds.length < 1 || eventIds.length > 100) {
        throw invalidArgument({ field: 'eventId', description: `expected 1..100 event ids, got ${eventIds.length}`, violatedRule: 'SIZE' });
      }
      return { summaries: eventIds.map((id) => rsvpSummary(tenant, id)) };
    },
  },
  {
    // The sandbox has no member identities (every caller is an API-key app), so "my RSVPs" never resolves.
    method: 'GET',
    paths: at(RSVPS, '/current'),
    handler() {
      throw applicationError(428, 'MEMBER_IDENTITY_NOT_FOUND', 'The caller is not a site member');
    },
  },
  {
    method: 'GET',
    paths: at(RSVPS, '/{rsvpId}'),
    handler({ tenant, params, query }) {
      const fields = parseFieldsets(query.getAll('fields'), RSVP_FIELDSETS, 3);
      return { rsvp: projectRsvp(getRsvp(tenant, params.rsvpId!), fields) };
    },
  },
  {
    method: 'PATCH',
    paths: at(RSVPS, '/{rsvpId}'),
    handler({ tenant, params, body }) {
      const fields = parseFieldsets(body?.fields, RSVP_FIELDSETS, 3);
      const patch = body?.rsvp;
      if (!patch || typeof patch !== 'object') throw invalidArgument({ field: 'rsvp', description: 'is required' });
      const violations = rsvpViolations(patch, 'rsvp');
      if (patch.revision === undefined || patch.revision === null || patch.revision === '') {
        violations.push({ field: 'rsvp.revision', description: 'is required: send the current revision (optimistic concurrency)', violatedRule: 'REQUIRED_FIELD' });
      }
      if (violations.length) throw invalidArgument(...violations);
      const updated = updateRsvp(tenant, params.rsvpId!, patch, { ignoreLimits: body?.options?.ignoreLimits === true, revision: patch.revision });
      return { rsvp: projectRsvp(updated, fields) };
    },
  },
  {
    method: 'DELETE',
    paths: at(RSVPS, '/{rsvpId}'),
    handler({ tenant, params }) {
      deleteRsvp(tenant, params.rsvpId!);
      return {};
    },
  },
  {
    method: 'POST',
    paths: at(RSVPS, '/query'),
    handler({ tenant, body }) {
      const fields = parseFieldsets(body?.fields, RSVP_FIELDSETS, 3);
      const query = body?.query ?? {};
      if (query.paging) throw invalidArgument({ field: 'query.paging', description: 'RSVP query supports cursor paging only (query.cursorPaging)' });
      const page = runQuery([...tenant.db.rsvps.values()], query, RSVP_QUERY_SPEC);
      return { rsvps: page.items.map((r: Rsvp) => projectRsvp(r, fields)), pagingMetadata: page.pagingMetadata };
    },
  },
  {
    method: 'POST',
    paths: at(RSVPS, '/search'),
    handler({ tenant, body }) {
      const fields = parseFieldsets(body?.fields, RSVP_FIELDSETS, 3);
      const { search: details, aggregations, timeZone: _tz, ...query } = body?.search ?? {};
      if (query.paging) throw invalidArgument({ field: 'search.paging', description: 'RSVP search supports cursor paging only (search.cursorPaging)' });
      if (!query.cursorPaging?.cursor) query.filter = withSearch(query.filter, details, 'search.search');
      const items = searchable([...tenant.db.rsvps.values()]);
      const page = runQuery(items, query, RSVP_SEARCH_SPEC);
      const response: Record<string, unknown> = {
        rsvps: page.items.map((r: Rsvp) => projectRsvp(r, fields)),
        pagingMetadata: page.pagingMetadata,
      };
      if (Array.isArray(aggregations) && aggregations.length > 0 && !query.cursorPaging?.cursor) {
        const matched = items.filter((r) => !query.filter || matchesFilter(r, query.filter, RSVP_SEARCH_SPEC));
        response.aggregationData = { results: aggregate(matched, aggregations) };
      }
      return response;
    },
  },
  {
    method: 'POST',
    paths: at(RSVPS, '/count'),
    handler({ tenant, body }) {
      const filter = withSearch(body?.filter, body?.search, 'search');
      return { count: countMatching(searchable([...tenant.db.rsvps.values()]), filter ?? {}, RSVP_SEARCH_SPEC) };
    },
  },
  checkInRoute('/check-in', 'checkInDate', checkIn),
  checkInRoute('/cancel-check-in', 'checkInCanceledDate', cancelCheckIn),
  {
    method: 'PATCH',
    paths: at(BULK, '/update'),
    handler({ tenant, body }) {
      const fields = parseFieldsets(body?.fields, RSVP_FIELDSETS, 3);
      const results = bulkUpdateRsvps(tenant, body?.rsvps, { ignoreLimits: body?.options?.ignoreLimits === true }).map(({ itemMetadata, item }) => ({
        itemMetadata,
        ...(body?.returnEntity && item ? { rsvp: projectRsvp(item, fields) } : {}),
      }));
      return { results, bulkActionMetadata: bulkActionMetadata(results) };
    },
  },
  {
    // Asynchronous upstream (returns a job id); the sandbox deletes before answering, so a follow-up read
    // already sees the result.
    method: 'POST',
    paths: at(BULK, '/delete-by-filter'),
    handler({ tenant, body }) {
      const raw = body?.filter;
      if (!raw || typeof raw !== 'object' || Object.keys(raw).length === 0) {
        throw applicationError(400, 'EMPTY_FILTER', 'Delete by filter needs a non-empty filter');
      }
      validateFilter(raw, RSVP_SEARCH_SPEC, 'filter');
      const filter = withSearch(raw, body?.search, 'search')!;
      for (const r of searchable([...tenant.db.rsvps.values()])) {
        if (matchesFilter(r, filter, RSVP_SEARCH_SPEC)) deleteRsvp(tenant, r.id!);
      }
      return { jobId: randomUUID() };
    },
  },
];

/** Check In and Cancel Check In (§5.1) take the same body: `guestIds`, a date named `dateField`, `fields`. */
function checkInRoute(rest: string, dateField: string, change: typeof checkIn): Route {
  return {
    method: 'POST',
    paths: at(RSVPS, `/{rsvpId}${rest}`),
    handler({ tenant, params, body }) {
      const fields = parseFieldsets(body?.fields, RSVP_FIELDSETS, 3);
      const guestIds = checkInGuestIds(body?.guestIds);
      const date = checkInDate(body?.[dateField], dateField);
      return { rsvp: projectRsvp(change(tenant, params.rsvpId!, guestIds, date), fields) };
    },
  };
}
