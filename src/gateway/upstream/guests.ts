/** Events Guests (docs/upstream.md §4): read-only; both paging styles; details only with the GUEST_DETAILS fieldset. */
import { PATHS } from '../../wire/paths.js';
import type { GuestFieldset, QueryGuestsResponse, QueryV2 } from '../../wire/types.js';
import type { Credentials, UpstreamHttp } from './http.js';
import { withFields } from './query.js';

export const GUEST_FIELDS: GuestFieldset[] = ['GUEST_DETAILS', 'GUEST_TOTAL'];

export function createGuestsClient(http: UpstreamHttp, creds: Credentials) {
  return {
    query: (query: QueryV2, fields: GuestFieldset[] = GUEST_FIELDS) =>
      http.request<QueryGuestsResponse>(creds, { method: 'POST', path: PATHS.guests.query, body: withFields({ query }, fields) }),
  };
}
export type GuestsClient = ReturnType<typeof createGuestsClient>;
