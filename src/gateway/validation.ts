/**
 * Input validation at the edge: every mutation checks its input here before any upstream call, so a refused
 * input never reaches (or changes) the upstream and the client learns which field is wrong. Formats and ranges
 * are the upstream's own (docs/upstream.md §1.3, §2.2, §3.2, §5.3); the upstream would refuse most of them too, but
 * only after a round trip and, for attendance, often not at all (§2.6: "the API does not enforce them").
 *
 * Each check returns the normalised value or throws a ValidationError naming the input path.
 */
import { decodeGlobalID } from '@pothos/plugin-relay';
import { GraphQLError } from 'graphql';

/**
 * An input the gateway refuses. A mutation returns it as the `ValidationError` result type; anywhere else (a root
 * field's or a subscription's argument) it is a top-level error with extensions.code BAD_USER_INPUT and the field,
 * which is why it is a GraphQLError.
 */
export class ValidationError extends GraphQLError {
  readonly code = 'VALIDATION_FAILED';
  constructor(
    /** The input path, e.g. `input.items[3].numberOfAttendees`. */
    readonly field: string,
    /** Why, in words a client can show. */
    readonly reason: string,
    /** A stable rule name: REQUIRED, FORMAT, MIN_LENGTH, MAX_LENGTH, RANGE, CONTRADICTION, DUPLICATE, WRONG_TYPE, ... */
    readonly rule: string,
  ) {
    super(`${field}: ${reason}`, { extensions: { code: 'BAD_USER_INPUT', field, rule } });
    this.name = 'ValidationError';
  }
}

/** Lowercase 8-4-4-4-12 on the wire (docs/upstream.md §1.3); other cases are accepted and lowered. */
const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
/** Deliberately loose (one @, a dot in the domain, no spaces): the upstream owns the exact EMAIL format. */
const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

/** Upstream limits quoted by the validators (seed pages 000–004, docs/upstream.md). */
export const INPUT_LIMITS = {
  calendarEventIdMin: 36,
  calendarEventIdMax: 250,
  partySizeMin: 1,
  partySizeMax: 1000,
  nameMin: 1,
  nameMax: 50,
  emailMin: 4,
  emailMax: 255,
  guestCountMax: 10,
  guestNameMax: 101,
  messageMin: 1,
  messageMax: 5000,
  numberOfAttendeesMax: 2_147_483_647,
} as const;

/**
 * A GUID id, given raw or as a Relay global id of `typename` (the graph's node ids), returned raw and lowercase.
 */
export function guid(field: string, value: string, typename?: string): string {
  const raw = typename ? globalId(typename, value, field) : value;
  if (!GUID.test(raw)) throw new ValidationError(field, `must be a GUID (8-4-4-4-12 hex), got ${quote(value)}`, 'FORMAT');
  return raw.toLowerCase();
}

/** A calendar event (session) id: an opaque string of 36..250 characters, not a GUID (docs/upstream.md §0.2, §1.3). */
export function calendarEventId(field: string, value: string, typename?: string): string {
  const raw = typename ? globalId(typename, value, field) : value;
  const { calendarEventIdMin: min, calendarEventIdMax: max } = INPUT_LIMITS;
  if (raw.length < min || raw.length > max) {
    throw new ValidationError(field, `must be a calendar event id of ${min}..${max} characters, got ${raw.length}`, 'FORMAT');
  }
  if (/\s/.test(raw)) throw new ValidationError(field, 'must not contain whitespace', 'FORMAT');
  return raw;
}

export function text(field: string, value: string, min: number, max: number): string {
  const length = [...value].length;
  if (length < min || value.trim().length === 0) {
    throw new ValidationError(field, min <= 1 ? 'must not be empty' : `must be at least ${min} characters`, 'MIN_LENGTH');
  }
  if (length > max) throw new ValidationError(field, `must be at most ${max} characters, got ${length}`, 'MAX_LENGTH');
  return value;
}

/** RSVP firstName / lastName: 1..50 (seed 004 Rsvp object). */
export function personName(field: string, value: string): string {
  return text(field, value, INPUT_LIMITS.nameMin, INPUT_LIMITS.nameMax);
}

/** RSVP email: format EMAIL, 4..255 (seed 004 Rsvp object). */
export function email(field: string, value: string): string {
  const trimmed = value.trim();
  text(field, trimmed, INPUT_LIMITS.emailMin, INPUT_LIMITS.emailMax);
  if (!EMAIL.test(trimmed)) throw new ValidationError(field, `must be an email address, got ${quote(value)}`, 'FORMAT');
  return trimmed;
}

export function intRange(field: string, value: number, min: number, max: number): number {
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new ValidationError(field, `must be an integer ${min}..${max}, got ${value}`, 'RANGE');
  }
  return value;
}

/** Participation partySize 1..1000 (seed 002, docs/upstream.md §3.2). */
export function partySize(field: string, value: number): number {
  return intRange(field, value, INPUT_LIMITS.partySizeMin, INPUT_LIMITS.partySizeMax);
}

/** ParticipantNotification.message 1..5000 (docs/upstream.md §2.2). */
export function notificationMessage(field: string, value: string): string {
  return text(field, value, INPUT_LIMITS.messageMin, INPUT_LIMITS.messageMax);
}

/**
 * RSVP additional guests: guestCount ≤ 10 (1 + 10 = the 11 guests an RSVP holds, docs/upstream.md §5.3), at most
 * guestCount names, each ≤ 101 characters.
 */
export function additionalGuests(field: string, guestCount: number, guestNames: readonly string[] | null | undefined): string[] {
  intRange(`${field}.guestCount`, guestCount, 0, INPUT_LIMITS.guestCountMax);
  const names = guestNames ?? [];
  if (names.length > guestCount) {
    throw new ValidationError(`${field}.guestNames`, `names ${names.length} guests but guestCount is ${guestCount}`, 'CONTRADICTION');
  }
  names.forEach((name, i) => text(`${field}.guestNames[${i}]`, name, 1, INPUT_LIMITS.guestNameMax));
  return [...names];
}

/** RSVP guest ids for check-in are the 1-based `guestList.guests[].guestId` (docs/upstream.md §5.1): integers ≥ 1. */
export function rsvpGuestId(field: string, value: number): number {
  return intRange(field, value, 1, 11);
}

/** A list that must not be empty (a write of nothing is almost always a client bug). */
export function nonEmpty<T>(field: string, values: readonly T[]): readonly T[] {
  if (values.length === 0) throw new ValidationError(field, 'must not be empty', 'REQUIRED');
  return values;
}

/** A revision is an int64 as a JSON string of digits (docs/upstream.md §1.3). */
export function revision(field: string, value: string): string {
  if (!/^\d{1,19}$/.test(value)) throw new ValidationError(field, `must be a revision (digits, as read from the object), got ${quote(value)}`, 'FORMAT');
  return value;
}

/** A Relay global id (base64 `Type:id`) decoded, or null when the value is a raw upstream id. */
export function decodeGlobalId(value: string): { typename: string; id: string } | null {
  // Upstream ids are GUIDs or short opaque strings; base64 of "Type:…" always decodes to a readable type name.
  if (GUID.test(value) || value.length < 8) return null;
  try {
    const decoded = decodeGlobalID(value);
    return /^[A-Z][A-Za-z]+$/.test(decoded.typename) && decoded.id ? decoded : null;
  } catch {
    return null;
  }
}

/**
 * The one id decoder of every root field, mutation input and subscription argument: the upstream id inside a global
 * id of `typename`, or the value itself when it is a raw upstream id. Another type's global id is refused naming
 * `field`: taken as a raw id it would subscribe to a topic nothing publishes or read a count of nothing.
 * `typename` null: an id with no graph type (a schedule), for which any global id is another type's.
 */
export function globalId(typename: string | null, value: string, field: string): string {
  const trimmed = value.trim();
  if (!trimmed) throw new ValidationError(field, 'must not be empty', 'REQUIRED');
  const decoded = decodeGlobalId(trimmed);
  if (!decoded) return trimmed;
  if (decoded.typename === typename) return decoded.id;
  const expected = typename ? `the id of a ${typename}` : `a ${field.split('.').pop()} (a raw upstream id)`;
  throw new ValidationError(field, `expected ${expected}, got the id of a ${decoded.typename}`, 'WRONG_TYPE');
}

// Helpers below: kept private so every validator reports the same way.

function quote(value: string): string {
  return JSON.stringify(value.length > 60 ? `${value.slice(0, 57)}...` : value);
}
