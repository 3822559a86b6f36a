/**
 * The rest of the Events v3 event lifecycle the SDK package (`@wix/auto_sdk_events_wix-events-v-2`) offers: publish a
 * draft, clone, delete, cancel or delete by filter, and the clock's end and reminder (control routes, as for the
 * start), each with the webhook the SDK declares for it (event_published, event_cloned, event_created, event_deleted,
 * event_ended, event_reminder). No seed page shows these bodies, so they follow the SDK's declarations: action events
 * carry `body` (docs/fidelity.md), a deletion only the id (the SDK's EventDeletedEnvelope has no entity, like seed
 * 004's RSVP deletion). Error codes are the SDK's declared ones where it declares them.
 */
import type { WixEvent } from '../../wire/types.js';
import { ENTITY_FQDN } from '../../wire/types.js';
import { now } from '../clock.js';
import { failedPrecondition, invalidArgument } from '../errors.js';
import { matchesFilter, validateFilter, type QuerySpec } from '../query-language.js';
import type { Tenant } from '../tenant.js';
import { cancelEvent, createEvent, emitEventUpdated, getEvent } from './events.js';
import { guestsOf } from './guests.js';

/** How far a clone moves the original's dates: "The new event's date is automatically set to 14 days from the original event date." */
const CLONE_SHIFT_MS = 14 * 24 * 3_600_000;

/** DRAFT -> UPCOMING with event_published and event_updated; EVENT_ALREADY_PUBLISHED / INVALID_EVENT_STATUS_TRANSITION otherwise. */
export function publishDraftEvent(tenant: Tenant, eventId: string): WixEvent {
  const event = getEvent(tenant, eventId);
  if (event.status === 'CANCELED') throw failedPrecondition('INVALID_EVENT_STATUS_TRANSITION', `Event ${eventId} is CANCELED`, { eventId, status: event.status });
  if (event.status !== 'DRAFT') throw failedPrecondition('EVENT_ALREADY_PUBLISHED', `Event ${eventId} is already published`, { eventId, status: event.status });
  event.status = 'UPCOMING';
  event.updatedDate = now();
  action(tenant, 'published', event, {
    status: event.status,
    title: event.title,
    shortDescription: event.shortDescription,
    location: event.location,
    dateAndTimeSettings: event.dateAndTimeSettings,
    eventPageUrl: `https://sandbox.invalid/event-details/${event.slug ?? event.id}`,
    registration: event.registration,
  });
  emitEventUpdated(tenant, event);
  return event;
}

/** A copy 14 days later, its title numbered when taken ("Title (1)"), with event_created and event_cloned. */
export function cloneEvent(tenant: Tenant, eventId: string, options: { event?: Partial<WixEvent>; draft?: boolean } = {}): WixEvent {
  const source = getEvent(tenant, eventId);
  const override = options.event ?? {};
  const shift = (iso?: string) => (iso ? new Date(Date.parse(iso) + CLONE_SHIFT_MS).toISOString() : iso);
  const dates = source.dateAndTimeSettings ?? {};
  const { summaries: _s, status: _st, ...registration } = (source.registration ?? {}) as Record<string, unknown>;
  const copy = createEvent(
    tenant,
    {
      title: numberedTitle(tenant, override.title ?? source.title ?? 'Event'),
      shortDescription: override.shortDescription ?? source.shortDescription,
      location: structuredClone(override.location ?? source.location),
      dateAndTimeSettings: { ...structuredClone(dates), startDate: shift(dates.startDate), endDate: shift(dates.endDate), ...override.dateAndTimeSettings },
      registration: structuredClone(registration) as WixEvent['registration'],
      ...(source.categories ? { categories: source.categories } : {}),
      status: options.draft === true ? 'DRAFT' : 'UPCOMING',
    },
    { emit: true },
  );
  action(tenant, 'cloned', copy, {
    location: copy.location,
    dateAndTimeSettings: copy.dateAndTimeSettings,
    title: copy.title,
    status: copy.status,
    derivedFromInstanceId: tenant.instanceId,
    derivedFromEventId: source.id,
  });
  return copy;
}

/** Removes the event, with event_deleted carrying only the id. */
export function deleteEvent(tenant: Tenant, eventId: string): void {
  getEvent(tenant, eventId);
  tenant.db.events.delete(eventId);
  tenant.emit({ entityFqdn: ENTITY_FQDN.event, slug: 'deleted', entityId: eventId, deletedEvent: { movedToTrash: true } });
}

/** Cancels every event the filter (the query spec's fields) matches that can be canceled; answers how many. */
export function cancelEventsByFilter(tenant: Tenant, filter: unknown, spec: QuerySpec): number {
  const events = matching(tenant, filter, spec).filter((e) => e.status !== 'CANCELED' && e.status !== 'ENDED');
  for (const e of events) cancelEvent(tenant, e.id!);
  return events.length;
}

/** Deletes every event the filter matches; answers how many. */
export function deleteEventsByFilter(tenant: Tenant, filter: unknown, spec: QuerySpec): number {
  const events = matching(tenant, filter, spec);
  for (const e of events) deleteEvent(tenant, e.id!);
  return events.length;
}

/** STARTED (or UPCOMING) -> ENDED, with event_ended and event_updated (Wix does this on the clock). */
export function endEvent(tenant: Tenant, eventId: string): WixEvent {
  const event = getEvent(tenant, eventId);
  if (event.status !== 'STARTED' && event.status !== 'UPCOMING') {
    throw failedPrecondition('INVALID_EVENT_STATUS_TRANSITION', `Event ${eventId} is ${event.status}`, { eventId, status: event.status });
  }
  event.status = 'ENDED';
  event.updatedDate = now();
  action(tenant, 'ended', event, { hasGuests: guestsOf(tenant, eventId).length > 0 });
  emitEventUpdated(tenant, event);
  return event;
}

/** event_reminder with `startsIn` (Wix sends 6 reminders on the clock: 7, 3 and 1 days, 1 hour, 30 minutes, now). */
export function remindEvent(tenant: Tenant, eventId: string, startsIn: { days?: number; hours?: number; minutes?: number }): WixEvent {
  const event = getEvent(tenant, eventId);
  action(tenant, 'reminder', event, {
    location: event.location,
    dateAndTimeSettings: event.dateAndTimeSettings,
    title: event.title,
    startsIn,
    hasGuests: guestsOf(tenant, eventId).length > 0,
  });
  return event;
}

// Private helpers: the action-event envelope, the filter the bulk routes share, the clone's title.

function action(tenant: Tenant, slug: string, event: WixEvent, body: Record<string, unknown>): void {
  tenant.emit({ entityFqdn: ENTITY_FQDN.event, slug, entityId: event.id!, actionEvent: { body: { timestamp: now(), eventId: event.id, ...body } } });
}

function matching(tenant: Tenant, filter: unknown, spec: QuerySpec): WixEvent[] {
  if (!filter || typeof filter !== 'object' || Array.isArray(filter)) {
    throw invalidArgument({ field: 'filter.filter', description: `expected a filter object, got ${JSON.stringify(filter)}` });
  }
  validateFilter(filter, spec, 'filter.filter');
  return [...tenant.db.events.values()].filter((e) => matchesFilter(e, filter as Record<string, unknown>, spec));
}

/** "If an event with the same title already exists, the new event's title gets a sequence number." */
function numberedTitle(tenant: Tenant, title: string): string {
  const base = title.replace(/ \(\d+\)$/, '');
  const taken = new Set([...tenant.db.events.values()].map((e) => e.title));
  if (!taken.has(base)) return base;
  for (let n = 1; ; n++) if (!taken.has(`${base} (${n})`)) return `${base} (${n})`;
}
