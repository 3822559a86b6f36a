/**
 * Events RSVP v2 (docs/upstream.md §5; seed 004). Every endpoint of §5.1 under `/events/v2/...` (wixapis) and
 * `/_api/events-rsvps/v2/...` (what the SDK calls on any other host, §1.1). The rules an RSVP change obeys
 * (limits, the derived guest, summaries, webhooks) live in events-domain.ts.
 */
import { randomUUID } from 'node:crypto';
import type { FieldViolation, Rsvp, RsvpFieldset, RsvpStatus } from '../../wire/types.js';
import { applicationError, invalidArgument, SandboxError } from '../errors.js';
import { createEventsDomainHelpers, parseFieldsets, projectRsvp } from '../events-domain.js';
import { ALL_OPS, countMatching, matchesFilter, runQuery, validateFilter, type QuerySpec } from '../query-language.js';
import type { Tenant } from '../tenant.js';
import type { Route } from './types.js';

const SEARCH_KEY = '__search';
const RSVP_FIELDSETS: readonly RsvpFieldset[] = ['DETAILS', 'FORM', 'CONTACT_DETAILS'];
const STATUSES: readonly RsvpStatus[] = ['YES', 'NO', 'WAITLIST'];

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
 * Search: the SDK Search spec (any operator, ASC/DESC on the listed fields). `__search` is the sandbox's own
 * lower-cased haystack of the searchable fields (§5.3 SearchDetails): free text becomes a filter on it, so the
 * stateless cursor carries the search to the next page (the SDK sends only `cursorPaging` there, §1.4).
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

const AGGREGATABLE = new Set([
  'createdDate', 'id', 'updatedDate', 'anonymized', 'checkedInGuestCount', 'contactId', 'eventId', 'fullyCheckedIn',
  'memberId', 'status', 'totalGuests',
]);

const RSVPS = ['/events/v2/rsvps', '/_api/events-rsvps/v2/rsvps'];
const BULK = ['/events/v2/bulk/rsvps', '/_api/events-rsvps/v2/bulk/rsvps'];
const at = (prefixes: string[], rest = '') => prefixes.map((p) => p + rest);

export const rsvpsRoutes: Route[] = [
  {
    method: 'POST',
    paths: at(RSVPS),
    handler({ tenant, body }) {
      const fields = parseFieldsets(body?.fields, RSVP_FIELDSETS, 3);
      const input = validateCreate(body?.rsvp);
      const rsvp = createEventsDomainHelpers(tenant).createRsvp(input, { ignoreLimits: body?.options?.ignoreLimits === true });
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
      const domain = createEventsDomainHelpers(tenant);
      return { summaries: eventIds.map((id) => domain.rsvpSummary(id)) };
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
      return { rsvp: projectRsvp(createEventsDomainHelpers(tenant).getRsvp(params.rsvpId!), fields) };
    },
  },
  {
    method: 'PATCH',
    paths: at(RSVPS, '/{rsvpId}'),
    handler({ tenant, params, body }) {
      const fields = parseFieldsets(body?.fields, RSVP_FIELDSETS, 3);
      const patch = body?.rsvp;
      if (!patch || typeof patch !== 'object') throw invalidArgument({ field: 'rsvp', description: 'is required' });
      const violations = validatePatch(patch, 'rsvp');
      if (patch.revision === undefined || patch.revision === null || patch.revision === '') {
        violations.push({ field: 'rsvp.revision', description: 'is required: send the current revision (optimistic concurrency)', violatedRule: 'REQUIRED_FIELD' });
      }
      if (violations.length) throw invalidArgument(...violations);
      const domain = createEventsDomainHelpers(tenant);
      const current = domain.getRsvp(params.rsvpId!);
      checkRevision(tenant, current, patch.revision);
      const updated = domain.updateRsvp(current.id!, patch, { ignoreLimits: body?.options?.ignoreLimits === true });
      return { rsvp: projectRsvp(updated, fields) };
    },
  },
  {
    method: 'DELETE',
    paths: at(RSVPS, '/{rsvpId}'),
    handler({ tenant, params }) {
      createEventsDomainHelpers(tenant).deleteRsvp(params.rsvpId!);
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
  {
    method: 'POST',
    paths: at(RSVPS, '/{rsvpId}/check-in'),
    handler({ tenant, params, body }) {
      const fields = parseFieldsets(body?.fields, RSVP_FIELDSETS, 3);
      const guestIds = validateGuestIds(body?.guestIds);
      const date = validateDate(body?.checkInDate, 'checkInDate');
      const rsvp = createEventsDomainHelpers(tenant).checkIn(params.rsvpId!, guestIds, date);
      return { rsvp: projectRsvp(rsvp, fields) };
    },
  },
  {
    method: 'POST',
    paths: at(RSVPS, '/{rsvpId}/cancel-check-in'),
    handler({ tenant, params, body }) {
      const fields = parseFieldsets(body?.fields, RSVP_FIELDSETS, 3);
      const guestIds = validateGuestIds(body?.guestIds);
      const date = validateDate(body?.checkInCanceledDate, 'checkInCanceledDate');
      const rsvp = createEventsDomainHelpers(tenant).cancelCheckIn(params.rsvpId!, guestIds, date);
      return { rsvp: projectRsvp(rsvp, fields) };
    },
  },
  {
    method: 'PATCH',
    paths: at(BULK, '/update'),
    handler({ tenant, body }) {
      const fields = parseFieldsets(body?.fields, RSVP_FIELDSETS, 3);
      const items = body?.rsvps;
      if (!Array.isArray(items) || items.length < 1 || items.length > 100) {
        throw invalidArgument({ field: 'rsvps', description: `expected 1..100 items, got ${Array.isArray(items) ? items.length : 'none'}`, violatedRule: 'SIZE' });
      }
      // Like every bulk endpoint here, a malformed item fails the whole request; state problems fail per item.
      const violations: FieldViolation[] = [];
      items.forEach((item: any, i: number) => {
        const rsvp = item?.rsvp;
        if (!rsvp?.id) violations.push({ field: `rsvps[${i}].rsvp.id`, description: 'is required', violatedRule: 'REQUIRED_FIELD' });
        if (rsvp?.revision === undefined || rsvp?.revision === null) {
          violations.push({ field: `rsvps[${i}].rsvp.revision`, description: 'is required', violatedRule: 'REQUIRED_FIELD' });
        }
        if (rsvp) violations.push(...validatePatch(rsvp, `rsvps[${i}].rsvp`));
      });
      if (violations.length) throw invalidArgument(...violations);

      const domain = createEventsDomainHelpers(tenant);
      const ignoreLimits = body?.options?.ignoreLimits === true;
      const results = items.map((item: any, originalIndex: number) => {
        const id: string = item.rsvp.id;
        try {
          const current = domain.getRsvp(id);
          checkRevision(tenant, current, item.rsvp.revision);
          const updated = domain.updateRsvp(id, applyFieldMask(item.rsvp, item.fieldMask), { ignoreLimits });
          return {
            itemMetadata: { id, originalIndex, success: true },
            ...(body?.returnEntity ? { rsvp: projectRsvp(updated, fields) } : {}),
          };
        } catch (err) {
          const appError = err instanceof SandboxError ? err.body.details.applicationError : undefined;
          if (!appError) throw err;
          return { itemMetadata: { id, originalIndex, success: false, error: appError } };
        }
      });
      const totalSuccesses = results.filter((r) => r.itemMetadata.success).length;
      return {
        results,
        bulkActionMetadata: { totalSuccesses, totalFailures: results.length - totalSuccesses, undetailedFailures: 0 },
      };
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
      const domain = createEventsDomainHelpers(tenant);
      for (const r of searchable([...tenant.db.rsvps.values()])) {
        if (matchesFilter(r, filter, RSVP_SEARCH_SPEC)) domain.deleteRsvp(r.id!);
      }
      return { jobId: randomUUID() };
    },
  },
];

// --- validation --------------------------------------------------------------------------------------------------

const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

/** Create: the SDK-required fields (§5.1 "Create — SDK-required fields") and the §5.3 bounds. */
function validateCreate(rsvp: any): Partial<Rsvp> {
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
  violations.push(...validatePatch(rsvp, 'rsvp'));
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

/** Bounds of the writable fields that are present (§5.3). */
function validatePatch(rsvp: any, prefix: string): FieldViolation[] {
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
  if (rsvp.status !== undefined && rsvp.status !== null && rsvp.status !== '' && !STATUSES.includes(rsvp.status)) {
    violations.push({ field: `${prefix}.status`, description: `expected one of ${STATUSES.join(', ')}, got ${JSON.stringify(rsvp.status)}`, violatedRule: 'INVALID_ENUM_VALUE' });
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

/**
 * A stale or wrong revision is refused with 409 and nothing changes. §9 leaves 409 vs 428 open; 409 is the
 * gRPC ABORTED mapping Wix uses for optimistic-concurrency conflicts and lets a client tell "reload and retry"
 * apart from the state problems that are 428.
 */
function checkRevision(tenant: Tenant, current: Rsvp, sent: unknown): void {
  if (String(sent) !== current.revision) {
    const { status, code } = tenant.behaviour?.revisionConflict ?? { status: 409, code: 'REVISION_MISMATCH' };
    throw applicationError(status, code, `RSVP ${current.id} is at revision ${current.revision}, got ${String(sent)}`, {
      currentRevision: current.revision,
    });
  }
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

/** Check-in guestIds: 1..11 integers ≥1 (seed 004 Check In: minItems 1, maxItems 11, minimum 1). */
function validateGuestIds(raw: unknown): number[] | undefined {
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
function validateDate(raw: unknown, field: string): string | undefined {
  if (raw === undefined || raw === null || raw === '') return undefined;
  const ms = typeof raw === 'string' ? Date.parse(raw) : NaN;
  if (Number.isNaN(ms)) {
    throw invalidArgument({ field, description: `expected an ISO-8601 timestamp, got ${JSON.stringify(raw)}`, violatedRule: 'OTHER', ruleName: 'INVALID_CHECK_IN_TIME' });
  }
  return new Date(ms).toISOString();
}

// --- search --------------------------------------------------------------------------------------------------------

const SEARCHABLE = ['email', 'emailDomain', 'firstName', 'lastName', 'guestList.guests.fullName'];

/** Items carrying the `__search` haystack; projections drop it because they copy named fields only. */
function searchable(rsvps: Rsvp[]): (Rsvp & { __search: string })[] {
  return rsvps.map((r) => ({ ...r, __search: haystack(r, SEARCHABLE) }));
}

function haystack(r: Rsvp, fields: string[]): string {
  const parts: string[] = [];
  for (const f of fields) {
    if (f === 'email' && r.email) parts.push(r.email);
    if (f === 'emailDomain' && r.email) parts.push(r.email.split('@')[1] ?? '');
    if (f === 'firstName' && r.firstName) parts.push(r.firstName);
    if (f === 'lastName' && r.lastName) parts.push(r.lastName);
    if (f === 'guestList.guests.fullName') for (const g of r.guestList?.guests ?? []) if (g.fullName) parts.push(g.fullName);
  }
  return ` ${parts.join(' ').toLowerCase()} `;
}

/**
 * SearchDetails (§5.3) as a filter on `__search`: each word must (AND) or may (OR, the default) occur.
 * `fields` narrows the searchable fields; fuzzy matching is not emulated (substring match instead).
 */
function withSearch(filter: any, details: any, field: string): any {
  const expression = typeof details?.expression === 'string' ? details.expression.trim().toLowerCase() : '';
  if (!expression) return filter ?? undefined;
  if (details.fields !== undefined) {
    const fields: unknown[] = Array.isArray(details.fields) ? details.fields : [];
    const unknown = fields.filter((f) => !SEARCHABLE.includes(String(f)));
    if (unknown.length) throw invalidArgument({ field: `${field}.fields`, description: `searchable fields are ${SEARCHABLE.join(', ')}, got ${JSON.stringify(unknown)}` });
    if (fields.length && fields.length < SEARCHABLE.length) {
      throw invalidArgument({ field: `${field}.fields`, description: 'the sandbox searches all searchable fields; omit search.fields' });
    }
  }
  const words = expression.split(/\s+/).slice(0, 20);
  const clauses = words.map((w: string) => ({ [SEARCH_KEY]: { $contains: w } }));
  const text = details.mode === 'AND' ? { $and: clauses } : { $or: clauses };
  return filter && Object.keys(filter).length ? { $and: [filter, text] } : text;
}

/** A minimal VALUE aggregation (counts per value) over the whole matched set; other kinds are refused. */
function aggregate(items: Rsvp[], aggregations: any[]): unknown[] {
  if (aggregations.length > 10) throw invalidArgument({ field: 'search.aggregations', description: 'at most 10 aggregations' });
  return aggregations.map((agg, i) => {
    const fieldPath = agg?.fieldPath;
    const type = agg?.type ?? (agg?.value ? 'VALUE' : undefined);
    if (type !== 'VALUE') {
      throw invalidArgument({ field: `search.aggregations[${i}].type`, description: `the sandbox supports VALUE aggregations only, got ${JSON.stringify(type)}` });
    }
    if (!AGGREGATABLE.has(fieldPath)) {
      throw invalidArgument({ field: `search.aggregations[${i}].fieldPath`, description: `expected one of ${[...AGGREGATABLE].join(', ')}, got ${JSON.stringify(fieldPath)}` });
    }
    const counts = new Map<string, number>();
    for (const r of items) {
      const v = (r as any)[fieldPath];
      if (v === undefined || v === null) continue;
      counts.set(String(v), (counts.get(String(v)) ?? 0) + 1);
    }
    const byCount = agg?.value?.sortType !== 'VALUE';
    const desc = (agg?.value?.sortDirection ?? 'DESC') === 'DESC';
    const limit = Math.min(Math.max(agg?.value?.limit ?? 10, 1), 250);
    const results = [...counts.entries()]
      .map(([value, count]) => ({ value, count }))
      .sort((a, b) => {
        const d = byCount ? a.count - b.count : a.value < b.value ? -1 : a.value > b.value ? 1 : 0;
        return desc ? -d : d;
      })
      .slice(0, limit);
    return { name: agg?.name ?? fieldPath, type: 'VALUE', fieldPath, values: { results } };
  });
}
