/** Every upstream route the sandbox serves, one list per domain (docs/upstream.md §2–§6). */
import { attendanceRoutes } from './attendance.js';
import { bookingsRoutes } from './bookings.js';
import { calendarEventsRoutes } from './calendar-events.js';
import { eventsRoutes } from './events.js';
import { guestsRoutes } from './guests.js';
import { participationsRoutes } from './participations.js';
import { rsvpsRoutes } from './rsvps.js';
import type { Route } from './types.js';

export const allRoutes: Route[] = [
  ...attendanceRoutes,
  ...bookingsRoutes,
  ...calendarEventsRoutes,
  ...participationsRoutes,
  ...eventsRoutes,
  ...guestsRoutes,
  ...rsvpsRoutes,
];
