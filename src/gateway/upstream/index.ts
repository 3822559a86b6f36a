/** The typed upstream, one client per domain, all bound to one caller's credentials. */
import { createAttendanceClient } from './attendance.js';
import { createBookingsClient } from './bookings.js';
import { createCalendarClient, createParticipationsClient } from './calendar.js';
import { createEventsClient } from './events.js';
import { createGuestsClient } from './guests.js';
import type { Credentials, UpstreamHttp } from './http.js';
import { createRsvpsClient } from './rsvps.js';
import { PATHS } from '../../wire/paths.js';
import type { TokenInfo } from '../../wire/types.js';

export function createUpstream(http: UpstreamHttp, creds: Credentials) {
  return {
    creds,
    attendance: createAttendanceClient(http, creds),
    bookings: createBookingsClient(http, creds),
    calendar: createCalendarClient(http, creds),
    participations: createParticipationsClient(http, creds),
    events: createEventsClient(http, creds),
    guests: createGuestsClient(http, creds),
    rsvps: createRsvpsClient(http, creds),
    /** Which site a token belongs to (docs/upstream.md §1.9); the token travels in the body, not as Authorization. */
    tokenInfo: () =>
      http.request<TokenInfo>(creds, {
        method: 'POST',
        path: PATHS.tokenInfo,
        body: { token: creds.authorization },
        idempotent: true,
      }),
  };
}
export type Upstream = ReturnType<typeof createUpstream>;
export { UpstreamHttpError, createUpstreamHttp, type Credentials, type UpstreamHttp } from './http.js';
