/** The typed upstream, one client per domain, all bound to one caller's credentials. */
import { createAttendanceClient, type AttendanceClient } from './attendance.js';
import { createBookingsClient, type BookingsClient } from './bookings.js';
import { createCalendarClient, createParticipationsClient, type CalendarClient, type ParticipationsClient } from './calendar.js';
import { createEventsClient, type EventsClient } from './events.js';
import { createGuestsClient, type GuestsClient } from './guests.js';
import type { Credentials, UpstreamHttp } from './http.js';
import { createRsvpsClient, type RsvpsClient } from './rsvps.js';
import { PATHS } from '../../wire/paths.js';
import type { TokenInfo } from '../../wire/types.js';

/**
 * Built for every request, and most requests call one or two domains: each client (an object of a dozen functions)
 * is made on first use.
 */
export function createUpstream(http: UpstreamHttp, creds: Credentials) {
  let attendance: AttendanceClient | undefined;
  let bookings: BookingsClient | undefined;
  let calendar: CalendarClient | undefined;
  let participations: ParticipationsClient | undefined;
  let events: EventsClient | undefined;
  let guests: GuestsClient | undefined;
  let rsvps: RsvpsClient | undefined;
  return {
    creds,
    get attendance(): AttendanceClient {
      return (attendance ??= createAttendanceClient(http, creds));
    },
    get bookings(): BookingsClient {
      return (bookings ??= createBookingsClient(http, creds));
    },
    get calendar(): CalendarClient {
      return (calendar ??= createCalendarClient(http, creds));
    },
    get participations(): ParticipationsClient {
      return (participations ??= createParticipationsClient(http, creds));
    },
    get events(): EventsClient {
      return (events ??= createEventsClient(http, creds));
    },
    get guests(): GuestsClient {
      return (guests ??= createGuestsClient(http, creds));
    },
    get rsvps(): RsvpsClient {
      return (rsvps ??= createRsvpsClient(http, creds));
    },
    /** Which site a token belongs to (docs/upstream.md §1.9); the token travels in the body, not as Authorization. */
    tokenInfo() {
      return http.request<TokenInfo>(creds, {
        method: 'POST',
        path: PATHS.tokenInfo,
        body: { token: creds.authorization },
        idempotent: true,
      });
    },
  };
}
export type Upstream = ReturnType<typeof createUpstream>;
export { UpstreamHttpError, createUpstreamHttp, type Credentials, type UpstreamHttp } from './http.js';
