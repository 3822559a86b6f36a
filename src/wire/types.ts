/**
 * Upstream wire types: the JSON the Wix REST APIs (and the sandbox that emulates them) send and accept.
 * This is the only module both the gateway and the sandbox import. Shapes follow docs/upstream.md;
 * where it and the official SDK packages disagree, the SDK's wire ("…Original") types win.
 *
 * Conventions (docs/upstream.md §0): ids are `id` on the wire (never `_id`), timestamps are ISO-8601 strings,
 * int64 values (`revision`, `entityEventSequence`) are JSON strings of digits.
 */

export type Guid = string;
export type Timestamp = string;
/** int64 encoded as a JSON string, e.g. "1". */
export type Int64 = string;

// ---------------------------------------------------------------------------------------------------------------
// Query language (docs/upstream.md §1.4)

export type SortOrder = 'ASC' | 'DESC';
export interface Sorting {
  fieldName: string;
  order?: SortOrder;
}
export interface CursorPaging {
  limit?: number;
  cursor?: string | null;
}
export interface OffsetPaging {
  limit?: number;
  offset?: number;
}
/** A filter in the Wix API Query Language: `{field: value}`, `{field: {$op: value}}`, `$and/$or/$not`. */
export type Filter = Record<string, unknown>;

export interface QueryV2 {
  filter?: Filter | null;
  sort?: Sorting[];
  cursorPaging?: CursorPaging;
  paging?: OffsetPaging;
}

export interface Cursors {
  next?: string | null;
  prev?: string | null;
}
/** CursorPagingMetadata (RSVP, attendance without `count`, participations, calendar events). */
export interface CursorPagingMetadata {
  count?: number;
  cursors: Cursors;
  hasNext?: boolean;
}
/** PagingMetadataV2 (Guests, Events v3, Bookings Reader). `offset`/`total` only with offset paging. */
export interface PagingMetadataV2 {
  count?: number;
  offset?: number;
  total?: number;
  tooManyToCount?: boolean;
  cursors?: Cursors;
}

// ---------------------------------------------------------------------------------------------------------------
// Errors (docs/upstream.md §1.7)

export interface ApplicationError {
  code: string;
  description: string;
  data?: Record<string, unknown>;
}
export interface FieldViolation {
  field: string;
  description: string;
  violatedRule?: string;
  ruleName?: string;
  data?: Record<string, unknown>;
}
export interface ErrorBody {
  message: string;
  details: {
    applicationError?: ApplicationError;
    validationError?: { fieldViolations: FieldViolation[] };
    systemError?: { errorCode: string };
  };
}

// ---------------------------------------------------------------------------------------------------------------
// Bulk (docs/upstream.md §1.6)

export interface ItemMetadata {
  id?: string;
  originalIndex: number;
  success: boolean;
  error?: ApplicationError;
}
export interface BulkActionMetadata {
  totalSuccesses: number;
  totalFailures: number;
  undetailedFailures: number;
}

// ---------------------------------------------------------------------------------------------------------------
// Bookings Attendance v2 (docs/upstream.md §2)

export type AttendanceStatus = 'NOT_SET' | 'ATTENDED' | 'NOT_ATTENDED';
export interface Attendance {
  id?: Guid;
  bookingId?: Guid;
  /** Deprecated alias of eventId (removal 2027-01-01). */
  sessionId?: string;
  status?: AttendanceStatus;
  numberOfAttendees?: number;
  /** Calendar v3 event id (36..250 chars) = booking.bookedEntity.slot.eventId. */
  eventId?: string;
  updatedDate?: Timestamp;
  statusUpdatedDate?: Timestamp;
}
export interface ParticipantNotification {
  notifyParticipants?: boolean;
  message?: string;
}
export interface SetAttendanceRequest {
  attendance: Attendance;
  participantNotification?: ParticipantNotification;
}
export interface SetAttendanceResponse {
  attendance: Attendance;
}
export interface BulkSetAttendanceRequest {
  returnFullEntity?: boolean;
  attendanceDetails?: SetAttendanceRequest[];
}
export interface BulkAttendanceResult {
  itemMetadata: ItemMetadata;
  item?: Attendance;
}
export interface BulkSetAttendanceResponse {
  results: BulkAttendanceResult[];
  bulkActionMetadata: BulkActionMetadata;
}
export interface QueryAttendanceResponse {
  attendances: Attendance[];
  pagingMetadata: CursorPagingMetadata;
}

// ---------------------------------------------------------------------------------------------------------------
// Bookings v2 booking, read through the Bookings Reader (docs/upstream.md §6.1)

export type BookingStatus = 'CREATED' | 'CONFIRMED' | 'CANCELED' | 'PENDING' | 'DECLINED' | 'WAITING_LIST';
export type PaymentStatus = 'UNDEFINED' | 'NOT_PAID' | 'PAID' | 'PARTIALLY_PAID' | 'REFUNDED' | 'EXEMPT' | 'FAILED';
export interface ContactDetails {
  contactId?: Guid;
  firstName?: string;
  lastName?: string;
  email?: string;
  phone?: string;
  countryCode?: string;
  /** Structured address; its shape is not published (docs/upstream.md §6.1 names the field only). */
  fullAddress?: Record<string, unknown>;
  /** Deprecated upstream. */
  timeZone?: string;
}
export interface BookedSlot {
  sessionId?: string;
  serviceId?: Guid;
  scheduleId?: Guid;
  eventId?: string;
  startDate?: Timestamp;
  endDate?: Timestamp;
  timezone?: string;
  resource?: BookedResource;
  location?: Record<string, unknown>;
  resourceSelections?: Record<string, unknown>[];
  allDay?: boolean;
}
export interface BookedResource {
  id?: Guid;
  name?: string;
  email?: string;
  scheduleId?: Guid;
  type?: string;
}
export interface BookedSchedule {
  scheduleId?: Guid;
  serviceId?: Guid;
  timezone?: string;
  firstSessionStart?: Timestamp;
  lastSessionEnd?: Timestamp;
  location?: Record<string, unknown>;
}
export interface BookedEntity {
  slot?: BookedSlot;
  schedule?: BookedSchedule;
  title?: string;
  tags?: string[];
}
export interface ParticipantsChoices {
  serviceChoices: { numberOfParticipants: number; choices?: unknown[] }[];
}
export interface Booking {
  id?: Guid;
  revision?: Int64;
  status?: BookingStatus;
  paymentStatus?: PaymentStatus;
  totalParticipants?: number;
  participantsChoices?: ParticipantsChoices;
  contactDetails?: ContactDetails;
  bookedEntity?: BookedEntity;
  startDate?: Timestamp;
  endDate?: Timestamp;
  createdDate?: Timestamp;
  updatedDate?: Timestamp;
  /** The remaining Booking fields of docs/upstream.md §6.1; shapes not published there pass through as JSON. */
  createdBy?: Record<string, unknown>;
  externalUserId?: string;
  extendedFields?: { namespaces?: Record<string, Record<string, unknown>> };
  doubleBooked?: boolean;
  formSubmissionId?: Guid;
  formId?: Guid;
  bookedAddOns?: Record<string, unknown>[];
  appId?: Guid;
  createdByAppId?: Guid;
  depositSelected?: boolean;
  selectedPaymentOption?: string;
  multiServiceBookingInfo?: Record<string, unknown>;
}
export interface ExtendedBooking {
  booking: Booking;
  /** Present with `withBookingAttendanceInfo: true` when the booking has an attendance. */
  attendance?: Attendance;
}
export interface QueryExtendedBookingsRequest {
  query: QueryV2;
  withBookingAttendanceInfo?: boolean;
}
export interface QueryExtendedBookingsResponse {
  extendedBookings: ExtendedBooking[];
  pagingMetadata: PagingMetadataV2;
}

// ---------------------------------------------------------------------------------------------------------------
// Calendar Events v3 "sessions": the shape this project ASSUMES (docs/upstream.md §3.6; not sourced)

export type CalendarEventType = 'APPOINTMENT' | 'CLASS' | 'COURSE';
export type CalendarEventStatus = 'CONFIRMED' | 'CANCELLED';
export interface ZonedDate {
  utcDate: Timestamp;
  timeZone?: string;
}
export interface CalendarEvent {
  id: string;
  scheduleId?: Guid;
  type?: CalendarEventType;
  status?: CalendarEventStatus;
  title?: string;
  start?: ZonedDate;
  end?: ZonedDate;
  totalCapacity?: number | null;
  remainingCapacity?: number | null;
  participants?: { total: number };
  appId?: Guid;
  revision?: Int64;
  createdDate?: Timestamp;
  updatedDate?: Timestamp;
}
export interface QueryCalendarEventsResponse {
  events: CalendarEvent[];
  pagingMetadata: CursorPagingMetadata;
}

// ---------------------------------------------------------------------------------------------------------------
// Calendar Participations v3 (docs/upstream.md §3)

export type ParticipationStatus = 'CONFIRMED' | 'PENDING_CONFIRMATION';
export interface Participant {
  name?: string;
  phone?: string;
  email?: string;
  contactId?: Guid;
}
export interface Participation {
  id?: Guid;
  externalId?: Guid;
  participant?: Participant;
  partySize?: number;
  status?: ParticipationStatus;
  appId?: Guid;
  revision?: Int64;
  createdDate?: Timestamp;
  updatedDate?: Timestamp;
  extendedFields?: { namespaces?: Record<string, Record<string, unknown>> };
  /** one-of with eventId */
  scheduleId?: Guid;
  /** one-of with scheduleId: calendar event id, 36..250 chars */
  eventId?: string;
}
export interface CreateParticipationRequest {
  participation: Participation;
  idempotencyKey?: Guid;
}
export interface QueryParticipationsResponse {
  participations: Participation[];
  pagingMetadata: CursorPagingMetadata;
}

// ---------------------------------------------------------------------------------------------------------------
// Wix Events v3 event (docs/upstream.md §6.2)

export type EventStatus = 'UPCOMING' | 'STARTED' | 'ENDED' | 'CANCELED' | 'DRAFT';
export type RegistrationType = 'RSVP' | 'TICKETING' | 'EXTERNAL' | 'NONE';
export interface RsvpSettings {
  responseType?: 'YES_ONLY' | 'YES_AND_NO';
  limit?: number | null;
  waitlistEnabled?: boolean;
  startDate?: Timestamp | null;
  endDate?: Timestamp | null;
}
export interface Registration {
  type?: RegistrationType;
  initialType?: 'RSVP' | 'TICKETING';
  status?: string;
  rsvp?: RsvpSettings;
  registrationPaused?: boolean;
  registrationDisabled?: boolean;
  allowedGuestTypes?: 'VISITOR_OR_MEMBER' | 'MEMBER';
}
export interface EventSummaries {
  rsvps?: { totalCount: number; yesCount: number; noCount: number; waitlistCount: number };
  tickets?: { ticketsSold: number; totalOrders: number; revenue?: unknown; totalSales?: unknown; currencyLocked?: boolean };
}
/** Date and time of an event (the EventDetails shape of docs/upstream.md §4.4). */
export interface EventDateAndTimeSettings {
  startDate?: Timestamp;
  endDate?: Timestamp;
  timeZoneId?: string;
  dateAndTimeTbd?: boolean;
  dateAndTimeTbdMessage?: string;
  hideEndDate?: boolean;
  showTimeZone?: boolean;
  recurrenceStatus?: 'ONE_TIME' | 'RECURRING' | 'RECURRING_UPCOMING' | 'RECURRING_RECENTLY_ENDED' | 'RECURRING_RECENTLY_CANCELED';
  recurringEvents?: { individualEventDates?: { startDate?: Timestamp; endDate?: Timestamp }[]; categoryId?: string };
  formatted?: { dateAndTime?: string; startDate?: string; startTime?: string; endDate?: string; endTime?: string };
}
export interface WixEvent {
  id?: Guid;
  title?: string;
  slug?: string;
  status?: EventStatus;
  shortDescription?: string;
  dateAndTimeSettings?: EventDateAndTimeSettings;
  location?: { name?: string; type?: 'VENUE' | 'ONLINE'; address?: Record<string, unknown>; locationTbd?: boolean };
  /** with fields=DETAILS (shapes not published in docs/upstream.md §6.2) */
  mainImage?: Record<string, unknown>;
  calendarUrls?: { google?: string; ics?: string };
  /** with fields=TEXTS */
  description?: Record<string, unknown> | string;
  /** with fields=URLS */
  eventPageUrl?: { base?: string; path?: string };
  /** with fields=FORM */
  form?: Record<string, unknown>;
  /** with fields=REGISTRATION */
  registration?: Registration;
  /** with fields=DASHBOARD */
  summaries?: EventSummaries;
  guestListSettings?: { displayedPublicly?: boolean };
  /** with fields=CATEGORIES */
  categories?: { categories?: { id?: Guid; name?: string }[] };
  createdDate?: Timestamp;
  updatedDate?: Timestamp;
}
export type EventFieldset = 'DETAILS' | 'TEXTS' | 'REGISTRATION' | 'URLS' | 'FORM' | 'DASHBOARD';
export interface QueryEventsResponse {
  events: WixEvent[];
  pagingMetadata: PagingMetadataV2;
}

// ---------------------------------------------------------------------------------------------------------------
// Events Guests (docs/upstream.md §4)

export type GuestAttendanceStatus = 'NOT_ATTENDING' | 'ATTENDING' | 'IN_WAITLIST';
export type GuestType = 'RSVP' | 'BUYER' | 'TICKET_HOLDER';
/** An RSVP guest's check-in state as the guest list repeats it, with the person's name. */
export interface GuestCheckInDetails extends RsvpCheckInDetails {
  fullName?: string;
}
export interface GuestDetails {
  email?: string;
  firstName?: string;
  lastName?: string;
  formResponse?: { inputValues: { inputName: string; value?: string; values?: string[] }[] };
  checkedIn?: boolean;
  onlineConferencingLogin?: { link?: string; password?: string };
  phone?: string;
  address?: string;
  checkInDetails?: GuestCheckInDetails[];
}
export interface TicketDetails {
  number?: string;
  definitionId?: Guid;
  name?: string;
  /** internal (docs/upstream.md §4.2) */
  guestDetails?: { firstName?: string; lastName?: string; onlineConferencingLogin?: { link?: string; password?: string } };
}
export interface EventGuest {
  id?: Guid;
  eventId?: Guid;
  rsvpId?: Guid;
  orderNumber?: string;
  ticketNumber?: string;
  tickets?: TicketDetails[];
  contactId?: Guid;
  /** only with fields=GUEST_DETAILS */
  guestDetails?: GuestDetails;
  attendanceStatus?: GuestAttendanceStatus;
  secondaryLanguageCode?: string;
  createdDate?: Timestamp;
  updatedDate?: Timestamp;
  attendanceStatusUpdatedDate?: Timestamp;
  memberId?: Guid;
  guestType?: GuestType;
  locale?: string;
  /** only with fields=GUEST_TOTAL */
  totalGuests?: number;
  revision?: Int64;
  additionalDetails?: {
    createdDate?: Timestamp;
    updatedDate?: Timestamp;
    rsvpStatus?: 'YES' | 'NO' | 'WAITLIST';
    orderStatus?: string;
  };
}
export type GuestFieldset = 'GUEST_DETAILS' | 'GUEST_TOTAL';
export interface QueryGuestsRequest {
  query: QueryV2 & { fieldsets?: string[] };
  fields?: GuestFieldset[];
}
export interface QueryGuestsResponse {
  guests: EventGuest[];
  pagingMetadata: PagingMetadataV2;
}

// ---------------------------------------------------------------------------------------------------------------
// Events RSVP v2 (docs/upstream.md §5)

export type RsvpStatus = 'YES' | 'NO' | 'WAITLIST';
export interface RsvpCheckInDetails {
  checkedIn?: boolean;
  checkInDate?: Timestamp | null;
  checkInCanceledDate?: Timestamp | null;
  checkedInBy?: unknown;
  checkInCanceledBy?: unknown;
  checkedInByStaffMember?: boolean;
  checkInCanceledByStaffMember?: boolean;
}
export interface RsvpGuest {
  /** 0-based position in the guest list */
  index: number;
  fullName?: string;
  checkInDetails?: RsvpCheckInDetails;
  /** 1-based id used by check-in */
  guestId: number;
  /** internal (docs/upstream.md §5.3) */
  firstName?: string;
  lastName?: string;
}
export interface InputValue {
  inputName: string;
  value?: string;
  values?: string[];
  /** internal extras (docs/upstream.md §5.3), seen as null in the docs */
  number?: number | null;
  dateTime?: Timestamp | null;
  address?: { formatted?: string; address?: Record<string, unknown> } | null;
}
export interface Rsvp {
  id?: Guid;
  revision?: Int64;
  eventId?: Guid;
  createdDate?: Timestamp;
  updatedDate?: Timestamp;
  memberId?: Guid;
  contactId?: Guid;
  firstName?: string;
  lastName?: string;
  email?: string;
  form?: { inputValues: InputValue[] };
  status?: RsvpStatus;
  totalGuests?: number;
  guestList?: { guests: RsvpGuest[] };
  language?: string;
  locale?: string;
  fullyCheckedIn?: boolean;
  checkedInGuestCount?: number;
  additionalGuestDetails?: { guestCount?: number; guestNames?: string[] };
  disableNotifications?: boolean;
  onlineConferencingLogin?: { link?: string; password?: string };
  anonymized?: boolean;
  marketingConsent?: boolean;
  extendedFields?: { namespaces?: Record<string, Record<string, unknown>> };
  /** internal; appears in docs responses and is searchable (docs/upstream.md §5.3) */
  emailDomain?: string;
}
export type RsvpFieldset = 'DETAILS' | 'FORM' | 'CONTACT_DETAILS';
export interface ModificationOptions {
  ignoreLimits?: boolean;
  ignoreFormValidation?: boolean;
  ignoreResponseStatus?: boolean;
  ignoreAdditionalGuestNames?: boolean;
}
export interface CreateRsvpRequest {
  rsvp: Rsvp;
  options?: ModificationOptions;
  fields?: RsvpFieldset[];
}
export interface UpdateRsvpRequest {
  rsvp: Rsvp;
  options?: ModificationOptions;
  fields?: RsvpFieldset[];
}
export interface RsvpResponse {
  rsvp: Rsvp;
  calendarLinks?: { google?: string; ics?: string } | null;
}
export interface QueryRsvpsRequest {
  query?: QueryV2;
  fields?: RsvpFieldset[];
}
export interface QueryRsvpsResponse {
  rsvps: Rsvp[];
  pagingMetadata: CursorPagingMetadata;
}
export interface CheckInRsvpRequest {
  guestIds?: number[];
  fields?: RsvpFieldset[];
  checkInDate?: Timestamp;
}
export interface CancelCheckInRsvpRequest {
  guestIds?: number[];
  fields?: RsvpFieldset[];
  checkInCanceledDate?: Timestamp;
}
export interface BulkUpdateRsvpsRequest {
  rsvps: { rsvp: Rsvp; fieldMask?: string }[];
  returnEntity?: boolean;
  fields?: RsvpFieldset[];
  options?: ModificationOptions;
}
export interface BulkUpdateRsvpsResponse {
  results: { itemMetadata: ItemMetadata; rsvp?: Rsvp }[];
  bulkActionMetadata: BulkActionMetadata;
}
export interface RsvpSummary {
  eventId: Guid;
  yesGuestCount: number;
  noGuestCount: number;
  waitlistGuestCount: number;
  totalRsvpCount: number;
}

// ---------------------------------------------------------------------------------------------------------------
// Token info (docs/upstream.md §1.9)

export interface TokenInfo {
  active: boolean;
  subjectType: 'APP' | 'USER' | 'MEMBER' | 'VISITOR' | 'UNKNOWN';
  subjectId: string;
  exp?: Int64;
  iat?: Int64;
  clientId?: string;
  siteId: Guid;
  instanceId?: Guid;
}

// ---------------------------------------------------------------------------------------------------------------
// Webhooks (docs/upstream.md §1.8)

/** The parsed `data` claim of the webhook JWT. `data` and `identity` are JSON *strings* (the SDK requires it). */
export interface WebhookEnvelope {
  eventType: string;
  instanceId: Guid;
  data: string;
  identity?: string;
  accountInfo?: { accountId?: Guid; parentAccountId?: Guid; siteId?: Guid };
}
/** The parsed inner `data` of the envelope. Exactly one of the four body fields is present. */
export interface DomainEvent<E = unknown, B = unknown> {
  id: string;
  entityFqdn: string;
  slug: string;
  entityId: string;
  eventTime: Timestamp;
  triggeredByAnonymizeRequest?: boolean;
  originatedFrom?: string;
  entityEventSequence?: Int64;
  createdEvent?: { entity?: E; entityAsJson?: string | E; restoreInfo?: { deletedDate: Timestamp } };
  updatedEvent?: { currentEntity?: E; currentEntityAsJson?: string | E; modifiedFields?: Record<string, unknown> };
  deletedEvent?: { deletedEntity?: E | null; deletedEntityAsJson?: string | E | null; movedToTrash?: boolean | null };
  actionEvent?: { body?: B; bodyAsJson?: string | B };
}

/** Every webhook eventType the sandbox emits and the gateway understands. */
export const WEBHOOK_EVENT_TYPES = {
  participationCreated: 'wix.calendar.v3.participation_created',
  participationUpdated: 'wix.calendar.v3.participation_updated',
  participationDeleted: 'wix.calendar.v3.participation_deleted',
  calendarEventUpdated: 'wix.calendar.v3.event_updated',
  guestCreated: 'wix.events.guests.v1.guest_created',
  guestUpdated: 'wix.events.guests.v1.guest_updated',
  guestDeleted: 'wix.events.guests.v1.guest_deleted',
  guestCheckedIn: 'wix.events.guests.v1.guest_guest_checked_in',
  rsvpCreated: 'wix.events.v2.rsvp_created',
  rsvpUpdated: 'wix.events.v2.rsvp_updated',
  rsvpDeleted: 'wix.events.v2.rsvp_deleted',
  eventUpdated: 'wix.events.v3.event_updated',
  attendanceDeleted: 'wix.bookings.v2.attendance_deleted',
  bookingUpdated: 'wix.bookings.v2.booking_updated',
} as const;
export type WebhookEventType = (typeof WEBHOOK_EVENT_TYPES)[keyof typeof WEBHOOK_EVENT_TYPES];

/** entityFqdn per domain (eventType = `${entityFqdn}_${slug}`). */
export const ENTITY_FQDN = {
  participation: 'wix.calendar.v3.participation',
  calendarEvent: 'wix.calendar.v3.event',
  guest: 'wix.events.guests.v1.guest',
  rsvp: 'wix.events.v2.rsvp',
  event: 'wix.events.v3.event',
  attendance: 'wix.bookings.v2.attendance',
  booking: 'wix.bookings.v2.booking',
} as const;
