/**
 * A tenant is one site: every distinct Authorization token gets its own, so isolation between callers can be
 * tested. All of a tenant's data lives in its `db` maps as wire objects (src/wire/types.ts), keyed by id.
 */
import type {
  Attendance,
  Booking,
  CalendarEvent,
  DomainEvent,
  EventGuest,
  Participation,
  Rsvp,
  WixEvent,
} from '../wire/types.js';

export interface TenantDb {
  attendances: Map<string, Attendance>;
  bookings: Map<string, Booking>;
  calendarEvents: Map<string, CalendarEvent>;
  participations: Map<string, Participation>;
  events: Map<string, WixEvent>;
  rsvps: Map<string, Rsvp>;
  guests: Map<string, EventGuest>;
  /** Create Participation idempotency: idempotencyKey -> participation id (docs/upstream.md §1.5). */
  participationIdempotency: Map<string, string>;
}

/** What a route hands to the webhook dispatcher: the DomainEvent minus what the dispatcher stamps itself. */
export type OutgoingEvent = Pick<
  DomainEvent,
  'entityFqdn' | 'slug' | 'entityId' | 'createdEvent' | 'updatedEvent' | 'deletedEvent' | 'actionEvent'
>;

/**
 * Where the sources describe two behaviours a receiver must survive, which one the sandbox shows (shared by every
 * tenant; set through POST /__sandbox/behaviour).
 */
export interface SandboxBehaviour {
  /** guest_updated webhooks per guest name change: 2 as seed 003 documents (name, then order), or 1. */
  guestNameChangeUpdates: 1 | 2;
  /**
   * How a stale revision is refused. No source states it (docs/upstream.md §9); the default is 409 REVISION_MISMATCH,
   * and tests switch to 428 or 400 with another code to show the gateway does not depend on the choice.
   */
  revisionConflict: { status: 409 | 428 | 400; code: string };
}

export function defaultBehaviour(): SandboxBehaviour {
  return { guestNameChangeUpdates: 2, revisionConflict: { status: 409, code: 'REVISION_MISMATCH' } };
}

export interface Tenant {
  /** The Authorization header value that selects this tenant. */
  token: string;
  instanceId: string;
  siteId: string;
  db: TenantDb;
  /** Queue a webhook for every registered target (the dispatcher stamps id, eventTime, entityEventSequence). */
  emit(event: OutgoingEvent): void;
  /** Absent in hand-built tenants (unit tests): the defaults apply. */
  behaviour?: SandboxBehaviour;
}

export function createTenantDb(): TenantDb {
  return {
    attendances: new Map(),
    bookings: new Map(),
    calendarEvents: new Map(),
    participations: new Map(),
    events: new Map(),
    rsvps: new Map(),
    guests: new Map(),
    participationIdempotency: new Map(),
  };
}
