/** Wix Events v3 events (docs/upstream.md §6.2): offset-paged queries with fieldsets. */
import { PATHS } from '../../wire/paths.js';
import type { EventFieldset, QueryEventsResponse, QueryV2, WixEvent } from '../../wire/types.js';
import type { Credentials, UpstreamHttp } from './http.js';
import { withFields } from './query.js';

/**
 * The gateway always asks for registration (rsvp limit, waitlist) and summaries (counts), and for the fieldsets that
 * carry the rest of the documented Event fields (TEXTS, URLS, FORM: docs/upstream.md §6.2), so the graph can reach them.
 */
export const EVENT_FIELDS: EventFieldset[] = ['DETAILS', 'TEXTS', 'REGISTRATION', 'URLS', 'FORM', 'DASHBOARD'];

export function createEventsClient(http: UpstreamHttp, creds: Credentials) {
  return {
    get: (id: string, fields: EventFieldset[] = EVENT_FIELDS) =>
      http
        .request<{ event: WixEvent }>(creds, { method: 'GET', path: PATHS.events.get(id), query: { fields } })
        .then((r) => r.event),
    query: (query: QueryV2, fields: EventFieldset[] = EVENT_FIELDS) =>
      http.request<QueryEventsResponse>(creds, { method: 'POST', path: PATHS.events.query, body: withFields({ query }, fields) }),
  };
}
export type EventsClient = ReturnType<typeof createEventsClient>;
