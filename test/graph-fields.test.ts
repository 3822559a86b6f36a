/**
 * Every upstream field of every object is reachable:
 * - for EVERY row of each type in the demo data (so optional fields that only some rows carry are covered: tickets of
 *   buyers, waitlisted RSVPs, bookings with participant choices...), every leaf value the upstream REST API returns
 *   (with all fieldsets) appears in the graph's answer for that row when all of the type's own fields are selected;
 * - every field docs/upstream.md documents for an object, including those the sandbox never fills, has a place in the
 *   schema (checked by walking the schema from the type along the graph's names).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startStack, type Stack } from './support/stack.js';

let stack: Stack;
let types: Map<string, any>;

beforeAll(async () => {
  stack = await startStack();
  const res = await stack.gql(`{ __schema { types { name kind interfaces { name } fields(includeDeprecated: true) { name args { name type { kind } } type { kind name ofType { kind name ofType { kind name ofType { kind name } } } } } } } }`);
  types = new Map(res.data.__schema.types.map((t: any) => [t.name, t]));
});
afterAll(() => stack?.stop());

function named(type: any): any {
  while (type.ofType) type = type.ofType;
  return types.get(type.name);
}

/** Every field of the type itself and of its value objects; links to other nodes and connections are left out. */
function selection(typeName: string, depth = 0): string {
  const type = types.get(typeName);
  const fields = type.fields
    .filter((f: any) => f.args.every((a: any) => a.type.kind !== 'NON_NULL'))
    .flatMap((f: any) => {
      const target = named(f.type);
      if (target.kind === 'SCALAR' || target.kind === 'ENUM') return [f.name];
      if (target.kind !== 'OBJECT' || depth > 3) return [];
      const isNode = target.interfaces?.some((i: any) => i.name === 'Node');
      if (isNode || target.name.endsWith('Connection') || target.name === 'RsvpSummary' || target.name === 'AttendanceSummary' || target.name === 'CheckInStats') return [];
      if (target.name === 'RsvpGuest') return [`${f.name} { ${selection('RsvpGuest', depth + 1).replace(/\brsvp\b[^}]*/, '')} }`];
      return [`${f.name} { ${selection(target.name, depth + 1)} }`];
    });
  return fields.join(' ');
}

function leaves(value: unknown, out = new Set<string>()): Set<string> {
  if (value === null || value === undefined) return out;
  if (Array.isArray(value)) value.forEach((v) => leaves(v, out));
  else if (typeof value === 'object') Object.values(value).forEach((v) => leaves(v, out));
  else out.add(String(value));
  return out;
}

/** Every row the upstream list returns, following its paging to the end. */
async function all(path: string, key: string, style: 'cursor' | 'offset', extra: Record<string, unknown> = {}): Promise<any[]> {
  const rows: any[] = [];
  let cursor: string | undefined;
  for (;;) {
    const query = style === 'offset' ? { paging: { limit: 100, offset: rows.length } } : { cursorPaging: cursor ? { limit: 100, cursor } : { limit: 100 } };
    const res = await stack.upstream('POST', path, { query, ...extra });
    expect(res.status).toBe(200);
    const page = res.body[key] as any[];
    rows.push(...page);
    cursor = res.body.pagingMetadata?.cursors?.next ?? undefined;
    if (page.length === 0 || (style === 'cursor' ? !cursor : rows.length >= (res.body.pagingMetadata?.total ?? 0))) return rows;
  }
}

/** Reads every row through nodes(ids) (100 global ids per operation) and compares its leaves with the wire row's. */
async function compareAll(typeName: string, wireRows: any[], idOf: (row: any) => string = (r) => r.id) {
  expect(wireRows.length).toBeGreaterThan(0);
  const sel = selection(typeName);
  for (let i = 0; i < wireRows.length; i += 100) {
    const part = wireRows.slice(i, i + 100);
    const ids = part.map((r) => Buffer.from(`${typeName}:${idOf(r)}`).toString('base64'));
    const res = await stack.gql(`query ($ids: [ID!]!) { nodes(ids: $ids) { ... on ${typeName} { ${sel} } } }`, { ids });
    expect(res.errors).toBeUndefined();
    part.forEach((wire, j) => {
      const graph = leaves(res.data.nodes[j]);
      const missing = [...leaves(wire)].filter((v) => !graph.has(v));
      expect(missing, `${typeName} ${idOf(wire)}: upstream values not reachable in the graph`).toEqual([]);
    });
  }
  return wireRows.length;
}

describe('every upstream value of every row is reachable', () => {
  it('Rsvp (all three fieldsets) and its guest list', async () => {
    const rows = await all('/events/v2/rsvps/query', 'rsvps', 'cursor', { fields: ['DETAILS', 'FORM', 'CONTACT_DETAILS'] });
    // The demo data has RSVPs of every status, so each status's optional fields are covered.
    expect(new Set(rows.map((r) => r.status))).toEqual(new Set(['YES', 'NO', 'WAITLIST']));
    await compareAll('Rsvp', rows);
  });

  it('Guest (GUEST_DETAILS and GUEST_TOTAL), of every guest type', async () => {
    const rows = await all('/events/v2/guests/query', 'guests', 'offset', { fields: ['GUEST_DETAILS', 'GUEST_TOTAL'] });
    expect(new Set(rows.map((g) => g.guestType))).toEqual(new Set(['RSVP', 'BUYER', 'TICKET_HOLDER']));
    await compareAll('Guest', rows);
  });

  it('Event (every fieldset the sandbox serves)', async () => {
    const rows = await all('/events/v3/events/query', 'events', 'offset', { fields: ['DETAILS', 'TEXTS', 'REGISTRATION', 'URLS', 'FORM', 'DASHBOARD'] });
    expect(new Set(rows.map((e) => e.registration.type))).toEqual(new Set(['RSVP', 'TICKETING']));
    await compareAll('Event', rows);
  });

  it('Session', async () => {
    await compareAll('Session', await all('/calendar/v3/events/query', 'events', 'cursor'));
  });

  it('Participation', async () => {
    await compareAll('Participation', await all('/calendar/v3/participations/query', 'participations', 'cursor'));
  });

  it('Attendance', async () => {
    const rows = await all('/bookings/v2/attendance/query', 'attendances', 'cursor');
    expect(new Set(rows.map((a) => a.status)).size).toBeGreaterThan(1);
    await compareAll('Attendance', rows);
  });

  it('Booking (with its attendance)', async () => {
    const rows = (await all('/bookings/bookings-reader/v2/extended-bookings/query', 'extendedBookings', 'offset')).map((b) => b.booking);
    await compareAll('Booking', rows);
  });
});

/**
 * docs/upstream.md's fields per object, as graph paths (the graph renames `id` to `<type>Id`, calendar `eventId` to
 * `sessionId`, and flattens a few single-field wrappers: guestList.guests -> guests, form.inputValues -> form).
 */
const DOCUMENTED: Record<string, string[]> = {
  Attendance: ['attendanceId', 'bookingId', 'legacySessionId', 'status', 'numberOfAttendees', 'sessionId', 'updatedDate', 'statusUpdatedDate'],
  Participation: [
    'participationId', 'externalId', 'participant.name', 'participant.phone', 'participant.email', 'participant.contactId', 'partySize',
    'status', 'appId', 'revision', 'createdDate', 'updatedDate', 'extendedFields', 'scheduleId', 'sessionId',
  ],
  Session: [
    'sessionId', 'scheduleId', 'type', 'status', 'title', 'start.utcDate', 'start.timeZone', 'end.utcDate', 'end.timeZone', 'totalCapacity',
    'remainingCapacity', 'participantsTotal', 'appId', 'revision', 'createdDate', 'updatedDate',
  ],
  Guest: [
    'guestId', 'eventId', 'rsvpId', 'orderNumber', 'ticketNumber', 'tickets.number', 'tickets.definitionId', 'tickets.name',
    'tickets.guestDetails.firstName', 'tickets.guestDetails.lastName', 'tickets.guestDetails.onlineConferencingLogin.link', 'contactId',
    'guestDetails.email', 'guestDetails.firstName', 'guestDetails.lastName', 'guestDetails.formResponse.inputName',
    'guestDetails.formResponse.value', 'guestDetails.formResponse.values', 'guestDetails.checkedIn', 'guestDetails.onlineConferencingLogin.link',
    'guestDetails.onlineConferencingLogin.password', 'guestDetails.phone', 'guestDetails.address', 'guestDetails.checkInDetails.checkedIn',
    'guestDetails.checkInDetails.checkInDate', 'guestDetails.checkInDetails.checkInCanceledDate', 'guestDetails.checkInDetails.checkedInBy',
    'guestDetails.checkInDetails.checkInCanceledBy', 'guestDetails.checkInDetails.checkedInByStaffMember',
    'guestDetails.checkInDetails.checkInCanceledByStaffMember', 'guestDetails.checkInDetails.fullName', 'attendanceStatus',
    'secondaryLanguageCode', 'createdDate', 'updatedDate', 'attendanceStatusUpdatedDate', 'memberId', 'guestType', 'locale', 'totalGuests',
    'revision', 'additionalDetails.createdDate', 'additionalDetails.updatedDate', 'additionalDetails.rsvpStatus', 'additionalDetails.orderStatus',
  ],
  Rsvp: [
    'rsvpId', 'revision', 'eventId', 'createdDate', 'updatedDate', 'memberId', 'contactId', 'firstName', 'lastName', 'email', 'form.inputName',
    'form.value', 'form.values', 'form.number', 'form.dateTime', 'form.address.formatted', 'form.address.address', 'status', 'totalGuests',
    'guests.index', 'guests.fullName', 'guests.guestId', 'guests.firstName', 'guests.lastName', 'guests.checkInDetails.checkedIn',
    'guests.checkInDetails.checkInDate', 'guests.checkInDetails.checkInCanceledDate', 'guests.checkInDetails.checkedInBy',
    'guests.checkInDetails.checkInCanceledBy', 'guests.checkInDetails.checkedInByStaffMember', 'guests.checkInDetails.checkInCanceledByStaffMember',
    'language', 'locale', 'fullyCheckedIn', 'checkedInGuestCount', 'additionalGuestCount', 'additionalGuestNames', 'disableNotifications',
    'onlineConferencingLogin.link', 'onlineConferencingLogin.password', 'anonymized', 'marketingConsent', 'extendedFields', 'emailDomain',
  ],
  RsvpSummary: ['eventId', 'yesGuestCount', 'noGuestCount', 'waitlistGuestCount', 'totalRsvpCount'],
  Booking: [
    'bookingId', 'revision', 'createdDate', 'updatedDate', 'startDate', 'endDate', 'status', 'paymentStatus', 'totalParticipants',
    'participantsChoices.numberOfParticipants', 'participantsChoices.choices', 'contactDetails.contactId', 'contactDetails.firstName',
    'contactDetails.lastName', 'contactDetails.email', 'contactDetails.phone', 'contactDetails.fullAddress', 'contactDetails.timeZone',
    'contactDetails.countryCode', 'bookedEntity.slot.legacySessionId', 'bookedEntity.slot.serviceId', 'bookedEntity.slot.scheduleId',
    'bookedEntity.slot.sessionId', 'bookedEntity.slot.startDate', 'bookedEntity.slot.endDate', 'bookedEntity.slot.timezone',
    'bookedEntity.slot.resource.id', 'bookedEntity.slot.resource.name', 'bookedEntity.slot.resource.email', 'bookedEntity.slot.resource.scheduleId',
    'bookedEntity.slot.resource.type', 'bookedEntity.slot.location', 'bookedEntity.slot.resourceSelections', 'bookedEntity.slot.allDay',
    'bookedEntity.schedule.scheduleId', 'bookedEntity.schedule.serviceId', 'bookedEntity.schedule.location', 'bookedEntity.schedule.timezone',
    'bookedEntity.schedule.firstSessionStart', 'bookedEntity.schedule.lastSessionEnd', 'bookedEntity.title', 'bookedEntity.tags', 'createdBy',
    'externalUserId', 'extendedFields', 'doubleBooked', 'formSubmissionId', 'formId', 'bookedAddOns', 'appId', 'createdByAppId',
    'depositSelected', 'selectedPaymentOption', 'multiServiceBookingInfo', 'attendance',
  ],
  Event: [
    'eventId', 'title', 'slug', 'status', 'shortDescription', 'mainImage', 'calendarUrls.google', 'calendarUrls.ics', 'description',
    'eventPageUrl.base', 'eventPageUrl.path', 'form', 'registration.type', 'registration.initialType', 'registration.status',
    'registration.rsvp.responseType', 'registration.rsvp.limit', 'registration.rsvp.waitlistEnabled', 'registration.rsvp.startDate',
    'registration.rsvp.endDate', 'registration.registrationPaused', 'registration.registrationDisabled', 'registration.allowedGuestTypes',
    'summaries.rsvps.totalCount', 'summaries.rsvps.yesCount', 'summaries.rsvps.noCount', 'summaries.rsvps.waitlistCount',
    'summaries.tickets.ticketsSold', 'summaries.tickets.revenue.value', 'summaries.tickets.revenue.currency', 'summaries.tickets.currencyLocked',
    'summaries.tickets.totalOrders', 'summaries.tickets.totalSales.value', 'guestListDisplayedPublicly', 'dateAndTimeSettings.startDate',
    'dateAndTimeSettings.endDate', 'dateAndTimeSettings.timeZoneId', 'dateAndTimeSettings.dateAndTimeTbd', 'dateAndTimeSettings.recurrenceStatus',
    'dateAndTimeSettings.formatted.dateAndTime', 'location.name', 'location.type', 'location.address', 'location.locationTbd', 'createdDate',
    'updatedDate',
  ],
};

/** Enums docs/upstream.md lists values for, as the graph's enum types: each must carry exactly those values. */
const ENUMS: Record<string, string[]> = {
  'Attendance.status': ['NOT_SET', 'ATTENDED', 'NOT_ATTENDED'],
  'Participation.status': ['CONFIRMED', 'PENDING_CONFIRMATION'],
  'Guest.attendanceStatus': ['NOT_ATTENDING', 'ATTENDING', 'IN_WAITLIST'],
  'Guest.guestType': ['RSVP', 'BUYER', 'TICKET_HOLDER'],
  'Guest.additionalDetails.orderStatus': ['UNKNOW_ORDER_STATUS', 'FREE', 'PENDING', 'PAID', 'OFFLINE_PENDING', 'INITIATED', 'CANCELED', 'DECLINED', 'AUTHORIZED', 'VOIDED', 'PARTIALLY_PAID'],
  'Rsvp.status': ['YES', 'NO', 'WAITLIST'],
  'Booking.status': ['CREATED', 'CONFIRMED', 'CANCELED', 'PENDING', 'DECLINED', 'WAITING_LIST'],
  'Booking.paymentStatus': ['UNDEFINED', 'NOT_PAID', 'PAID', 'PARTIALLY_PAID', 'REFUNDED', 'EXEMPT', 'FAILED'],
  'Booking.bookedEntity.tags': ['INDIVIDUAL', 'GROUP', 'COURSE'],
  'Event.status': ['UPCOMING', 'STARTED', 'ENDED', 'CANCELED', 'DRAFT'],
  'Event.registration.type': ['RSVP', 'TICKETING', 'EXTERNAL', 'NONE'],
  'Event.registration.initialType': ['RSVP', 'TICKETING'],
  'Event.registration.status': ['UNKNOWN_REGISTRATION_STATUS', 'CLOSED_AUTOMATICALLY', 'CLOSED_MANUALLY', 'OPEN_RSVP', 'OPEN_RSVP_WAITLIST_ONLY', 'OPEN_TICKETS', 'OPEN_EXTERNAL', 'SCHEDULED_RSVP'],
  'Event.registration.rsvp.responseType': ['YES_ONLY', 'YES_AND_NO'],
  'Event.registration.allowedGuestTypes': ['VISITOR_OR_MEMBER', 'MEMBER'],
  'Event.location.type': ['VENUE', 'ONLINE'],
  'Session.type': ['APPOINTMENT', 'CLASS', 'COURSE'],
  'Session.status': ['CONFIRMED', 'CANCELLED'],
};

/** The named type at the end of a dotted graph path from a type, or undefined where the path breaks. */
function typeAt(typeName: string, path: string): any {
  let type = types.get(typeName);
  for (const name of path.split('.')) {
    const field = type?.fields?.find((f: any) => f.name === name);
    if (!field) return undefined;
    type = named(field.type);
  }
  return type;
}

describe('every documented field has a place in the graph', () => {
  it.each(Object.keys(DOCUMENTED))('%s', (typeName) => {
    const missing = DOCUMENTED[typeName]!.filter((path) => !typeAt(typeName, path));
    expect(missing, `${typeName}: documented fields without a graph field`).toEqual([]);
  });

  it('documented enums are GraphQL enums with exactly the documented values', async () => {
    const res = await stack.gql(`{ __schema { types { name kind enumValues { name } } } }`);
    const values = new Map<string, string[]>(res.data.__schema.types.filter((t: any) => t.kind === 'ENUM').map((t: any) => [t.name, t.enumValues.map((v: any) => v.name)]));
    for (const [path, expected] of Object.entries(ENUMS)) {
      const [typeName, ...rest] = path.split('.');
      const type = typeAt(typeName!, rest.join('.'));
      expect(type?.kind, `${path} is a GraphQL enum`).toBe('ENUM');
      // UNKNOWN stands for values the upstream may add later (it is not a documented value).
      expect(new Set(values.get(type.name)), path).toEqual(new Set([...expected, 'UNKNOWN']));
    }
  });

  it('int64 revisions are strings, as on the wire', () => {
    for (const typeName of ['Participation', 'Session', 'Guest', 'Rsvp', 'Booking']) expect(typeAt(typeName, 'revision')?.name, typeName).toBe('String');
  });
});
