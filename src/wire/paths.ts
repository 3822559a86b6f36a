/**
 * Public REST paths (docs/upstream.md §1.1, §2–§6), in the first-listed form the docs give. The gateway calls these;
 * the sandbox serves these and the aliases the official SDK calls (see src/sandbox/routes).
 */
export const PATHS = {
  attendance: {
    get: (id: string) => `/bookings/v2/attendance/${enc(id)}`,
    set: '/bookings/v2/attendance/set',
    bulkSet: '/bookings/v2/bulk/attendance/set',
    query: '/bookings/v2/attendance/query',
    count: '/bookings/v2/attendance/count',
    delete: (id: string) => `/bookings/v2/attendance/${enc(id)}`,
    bulkDelete: '/bookings/v2/bulk/attendance/delete',
  },
  bookings: {
    query: '/bookings/bookings-reader/v2/extended-bookings/query',
    count: '/bookings/bookings-reader/v2/extended-bookings/count',
    /** The deprecated Query Extended Booking: the only read the SDK gives a `sessionId` filter (course bookings). */
    queryBySession: '/bookings/bookings-reader/v2/extended-booking/query',
  },
  calendarEvents: {
    get: (id: string) => `/calendar/v3/events/${enc(id)}`,
    query: '/calendar/v3/events/query',
  },
  participations: {
    create: '/calendar/v3/participations',
    get: (id: string) => `/calendar/v3/participations/${enc(id)}`,
    update: (id: string) => `/calendar/v3/participations/${enc(id)}`,
    delete: (id: string) => `/calendar/v3/participations/${enc(id)}`,
    query: '/calendar/v3/participations/query',
  },
  events: {
    get: (id: string) => `/events/v3/events/${enc(id)}`,
    query: '/events/v3/events/query',
  },
  guests: {
    query: '/events/v2/guests/query',
  },
  rsvps: {
    create: '/events/v2/rsvps',
    get: (id: string) => `/events/v2/rsvps/${enc(id)}`,
    update: (id: string) => `/events/v2/rsvps/${enc(id)}`,
    delete: (id: string) => `/events/v2/rsvps/${enc(id)}`,
    query: '/events/v2/rsvps/query',
    search: '/events/v2/rsvps/search',
    count: '/events/v2/rsvps/count',
    bulkUpdate: '/events/v2/bulk/rsvps/update',
    deleteByFilter: '/events/v2/bulk/rsvps/delete-by-filter',
    checkIn: (id: string) => `/events/v2/rsvps/${enc(id)}/check-in`,
    cancelCheckIn: (id: string) => `/events/v2/rsvps/${enc(id)}/cancel-check-in`,
    summaries: '/events/v2/rsvps/summaries',
  },
  tokenInfo: '/oauth2/token-info',
} as const;

/** Upstream limits the gateway must chunk to (docs/upstream.md). */
export const LIMITS = {
  attendanceQueryMax: 1000,
  attendanceBulkMax: 8,
  bookingsQueryMax: 100,
  calendarEventsQueryMax: 100,
  participationsQueryMax: 100,
  eventsQueryMax: 1000,
  guestsQueryMax: 1000,
  rsvpQueryMax: 100,
  rsvpBulkUpdateMax: 100,
  rsvpCheckInMax: 11,
  rsvpSummariesMax: 100,
} as const;

function enc(id: string): string {
  return encodeURIComponent(id);
}
