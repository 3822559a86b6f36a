/**
 * Calendar v3: sessions (calendar events, in the shape this project ASSUMES, docs/upstream.md §3.6) and participations
 * (docs/upstream.md §3).
 */
import { PATHS } from '../../wire/paths.js';
import type {
  CalendarEvent,
  CreateParticipationRequest,
  Participation,
  QueryCalendarEventsResponse,
  QueryParticipationsResponse,
  QueryV2,
} from '../../wire/types.js';
import type { Credentials, UpstreamHttp } from './http.js';

export function createCalendarClient(http: UpstreamHttp, creds: Credentials) {
  return {
    getEvent: (id: string) =>
      http.request<{ event: CalendarEvent }>(creds, { method: 'GET', path: PATHS.calendarEvents.get(id) }).then((r) => r.event),
    queryEvents: (query: QueryV2) =>
      http.request<QueryCalendarEventsResponse>(creds, { method: 'POST', path: PATHS.calendarEvents.query, body: { query } }),
  };
}

export function createParticipationsClient(http: UpstreamHttp, creds: Credentials) {
  return {
    get: (id: string) =>
      http
        .request<{ participation: Participation }>(creds, { method: 'GET', path: PATHS.participations.get(id) })
        .then((r) => r.participation),
    query: (query: QueryV2) =>
      http.request<QueryParticipationsResponse>(creds, { method: 'POST', path: PATHS.participations.query, body: { query } }),
    /** With an idempotencyKey the create is safe to resend: the upstream returns the first one (docs/upstream.md §1.5). */
    create: (req: CreateParticipationRequest) =>
      http
        .request<{ participation: Participation }>(creds, {
          method: 'POST',
          path: PATHS.participations.create,
          body: req,
          idempotent: !!req.idempotencyKey,
        })
        .then((r) => r.participation),
    /** `participation` carries the id and the current revision (docs/upstream.md §3.1). */
    update: (participation: Participation & { id: string; revision: string }) =>
      http
        .request<{ participation: Participation }>(creds, {
          method: 'PATCH',
          path: PATHS.participations.update(participation.id),
          body: { participation },
        })
        .then((r) => r.participation),
    delete: (id: string) => http.request<object>(creds, { method: 'DELETE', path: PATHS.participations.delete(id) }),
  };
}
export type CalendarClient = ReturnType<typeof createCalendarClient>;
export type ParticipationsClient = ReturnType<typeof createParticipationsClient>;
