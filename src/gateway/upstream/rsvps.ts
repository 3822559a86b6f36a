/** Events RSVP v2 (docs/upstream.md §5). */
import { PATHS } from '../../wire/paths.js';
import type {
  BulkUpdateRsvpsRequest,
  BulkUpdateRsvpsResponse,
  CancelCheckInRsvpRequest,
  CheckInRsvpRequest,
  CreateRsvpRequest,
  Filter,
  QueryRsvpsResponse,
  QueryV2,
  Rsvp,
  RsvpFieldset,
  RsvpResponse,
  RsvpSummary,
  UpdateRsvpRequest,
} from '../../wire/types.js';
import type { Credentials, UpstreamHttp } from './http.js';
import { withFields } from './query.js';

/** Every fieldset (≤3 allowed): the graph exposes all fields, and one call beats a second one for details. */
export const RSVP_FIELDS: RsvpFieldset[] = ['DETAILS', 'FORM', 'CONTACT_DETAILS'];

export function createRsvpsClient(http: UpstreamHttp, creds: Credentials) {
  return {
    get: (id: string, fields: RsvpFieldset[] = RSVP_FIELDS) =>
      http.request<RsvpResponse>(creds, { method: 'GET', path: PATHS.rsvps.get(id), query: { fields } }).then((r) => r.rsvp),
    query: (query: QueryV2, fields: RsvpFieldset[] = RSVP_FIELDS) =>
      http.request<QueryRsvpsResponse>(creds, { method: 'POST', path: PATHS.rsvps.query, body: withFields({ query }, fields) }),
    search: (search: QueryV2 & { search?: unknown }, fields: RsvpFieldset[] = RSVP_FIELDS) =>
      http.request<QueryRsvpsResponse>(creds, { method: 'POST', path: PATHS.rsvps.search, body: { search, fields } }),
    count: (filter?: Filter) =>
      http.request<{ count: number }>(creds, { method: 'POST', path: PATHS.rsvps.count, body: { filter } }).then((r) => r.count),
    create: (req: CreateRsvpRequest) =>
      http.request<RsvpResponse>(creds, { method: 'POST', path: PATHS.rsvps.create, body: { fields: RSVP_FIELDS, ...req } }).then((r) => r.rsvp),
    update: (req: UpdateRsvpRequest & { rsvp: Rsvp & { id: string; revision: string } }) =>
      http
        .request<RsvpResponse>(creds, { method: 'PATCH', path: PATHS.rsvps.update(req.rsvp.id), body: { fields: RSVP_FIELDS, ...req } })
        .then((r) => r.rsvp),
    delete: (id: string) => http.request<object>(creds, { method: 'DELETE', path: PATHS.rsvps.delete(id) }),
    bulkUpdate: (req: BulkUpdateRsvpsRequest) =>
      http.request<BulkUpdateRsvpsResponse>(creds, { method: 'PATCH', path: PATHS.rsvps.bulkUpdate, body: req }),
    deleteByFilter: (filter: Filter) =>
      http.request<{ jobId: string }>(creds, { method: 'POST', path: PATHS.rsvps.deleteByFilter, body: { filter } }),
    /** At most 11 guest ids per call (docs/upstream.md §5.1); callers chunk. */
    checkIn: (rsvpId: string, req: CheckInRsvpRequest) =>
      http
        .request<RsvpResponse>(creds, { method: 'POST', path: PATHS.rsvps.checkIn(rsvpId), body: { fields: RSVP_FIELDS, ...req } })
        .then((r) => r.rsvp),
    cancelCheckIn: (rsvpId: string, req: CancelCheckInRsvpRequest) =>
      http
        .request<RsvpResponse>(creds, { method: 'POST', path: PATHS.rsvps.cancelCheckIn(rsvpId), body: { fields: RSVP_FIELDS, ...req } })
        .then((r) => r.rsvp),
    /** 1..100 event ids per call (docs/upstream.md §5.1). */
    summaries: (eventIds: string[]) =>
      http
        .request<{ summaries: RsvpSummary[] }>(creds, { method: 'GET', path: PATHS.rsvps.summaries, query: { eventId: eventIds } })
        .then((r) => r.summaries),
  };
}
export type RsvpsClient = ReturnType<typeof createRsvpsClient>;
