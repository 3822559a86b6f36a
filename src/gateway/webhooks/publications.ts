/**
 * Which topics a verified webhook feeds (docs/upstream.md §2.5, §3.4, §3.6, §4.4, §5.6). Every topic id starts with the
 * envelope's instanceId, so only subscribers of that site hear it (§1.9).
 */
import type { Attendance, CalendarEvent, EventGuest, Participation, Rsvp } from '../../wire/types.js';
import { WEBHOOK_EVENT_TYPES as T } from '../../wire/types.js';
import { attendanceSessionId } from '../live/attendance.js';
import { siteTopicId, siteWideTopicId } from '../live/site.js';
import type { ChangeKind, EntityChange, GatewayPubSub, TopicName, Topics } from '../pubsub.js';
import { attendanceParent, guestParent, participationParent, rsvpParent, type Parent, type ParentEntry, type ParentKind } from './parents.js';
import type { VerifiedWebhook } from './verify.js';

/** One publish the webhook causes. */
export type Publication = { [K in TopicName]: { topic: K; id: Topics[K][0]; payload: Topics[K][1] } }[TopicName];

const KNOWN = new Set<string>(Object.values(T));

export function isKnownEventType(eventType: string): boolean {
  return KNOWN.has(eventType);
}

/** Which parent kind a webhook's entity has, for the event types that concern one. */
export function parentKindOf(eventType: string): ParentKind | undefined {
  switch (eventType) {
    case T.rsvpCreated:
    case T.rsvpUpdated:
    case T.rsvpDeleted:
      return 'rsvp';
    case T.guestCreated:
    case T.guestUpdated:
    case T.guestDeleted:
    case T.guestCheckedIn:
      return 'guest';
    case T.participationCreated:
    case T.participationUpdated:
    case T.participationDeleted:
      return 'participation';
    case T.attendanceDeleted:
      return 'attendance';
    default:
      return undefined;
  }
}

/** The parent the webhook's own body names (created/updated entities, a check-in's guest); none for a bare deletion. */
export function parentFromBody(hook: VerifiedWebhook): ParentEntry | undefined {
  const { envelope, body } = hook;
  if (!body) return undefined;
  switch (parentKindOf(envelope.eventType)) {
    case 'rsvp':
      return rsvpParent(body as Rsvp);
    case 'guest':
      return guestParent((envelope.eventType === T.guestCheckedIn ? body.guest : body) as EventGuest);
    case 'participation':
      return participationParent(body as Participation);
    case 'attendance':
      return attendanceParent(body as Attendance);
    default:
      return undefined;
  }
}

/**
 * The publishes for one webhook; empty when it concerns nothing a subscription shows (e.g. booking_updated).
 * `known` is the parent the gateway remembered (webhooks/parents.ts) for a webhook whose body does not name it. A
 * deletion whose parent nobody knows still reaches every subscriber of that kind on the site (the site-wide topic
 * id) and makes every live counter of the site re-read, so no subscriber misses it and counters end equal to the
 * upstream (docs/fidelity.md).
 */
export function publicationsFor(hook: VerifiedWebhook, known?: Parent): Publication[] {
  const { envelope, event, body } = hook;
  const site = (key: string) => siteTopicId(envelope.instanceId, key);
  const anywhere = siteWideTopicId(envelope.instanceId);
  const eventTime = event.eventTime ?? new Date().toISOString();
  const change = <E>(kind: ChangeKind, entity: E | null): EntityChange<E> => ({
    kind,
    entityId: event.entityId,
    entity,
    eventTime,
    changeId: event.id,
    ...(known && !entity ? { parent: known } : {}),
  });
  const kindOf = (): ChangeKind => (event.deletedEvent ? 'DELETED' : event.createdEvent ? 'CREATED' : 'UPDATED');
  const checkIns = (eventId: string | undefined): Publication[] =>
    eventId ? [{ topic: 'checkIns:changed', id: site(eventId), payload: { eventId, eventTime } }] : [];
  const everyCounter: Publication = { topic: 'checkIns:changed', id: anywhere, payload: { eventId: '', eventTime } };

  switch (envelope.eventType) {
    case T.rsvpCreated:
    case T.rsvpUpdated:
    case T.rsvpDeleted: {
      const rsvp = body as Rsvp | null;
      const eventId = rsvp?.eventId ?? known?.eventId;
      if (eventId) return [{ topic: 'rsvp:changed', id: site(eventId), payload: change(kindOf(), rsvp) }, ...checkIns(eventId)];
      if (kindOf() !== 'DELETED') return [];
      return [{ topic: 'rsvp:changed', id: anywhere, payload: change<never>('DELETED', null) }, everyCounter];
    }
    case T.guestCreated:
    case T.guestUpdated:
    case T.guestDeleted: {
      const guest = body as EventGuest | null;
      const eventId = guest?.eventId ?? known?.eventId;
      if (eventId) return [{ topic: 'guest:changed', id: site(eventId), payload: change(kindOf(), guest) }, ...checkIns(eventId)];
      if (kindOf() !== 'DELETED') return [];
      return [{ topic: 'guest:changed', id: anywhere, payload: change<never>('DELETED', null) }, everyCounter];
    }
    case T.guestCheckedIn: {
      const guest = (body?.guest ?? null) as EventGuest | null;
      if (!guest?.eventId) return [];
      return [
        { topic: 'guest:checkedIn', id: site(guest.eventId), payload: { eventId: guest.eventId, guest, eventTime, changeId: event.id } },
        ...checkIns(guest.eventId),
      ];
    }
    case T.participationCreated:
    case T.participationUpdated:
    case T.participationDeleted: {
      const participation = body as Participation | null;
      const sessionId = participation?.eventId ?? known?.sessionId;
      const scheduleId = participation?.scheduleId ?? known?.scheduleId;
      const payload = change(kindOf(), participation);
      const out: Publication[] = [];
      if (sessionId) {
        out.push({ topic: 'participation:changed', id: site(`session:${sessionId}`), payload });
        out.push({ topic: 'session:capacity', id: site(sessionId), payload: { sessionId, event: null, eventTime } });
      }
      if (scheduleId) out.push({ topic: 'participation:changed', id: site(`schedule:${scheduleId}`), payload });
      if (out.length === 0 && kindOf() === 'DELETED') {
        out.push({ topic: 'participation:changed', id: anywhere, payload });
        out.push({ topic: 'session:capacity', id: anywhere, payload: { sessionId: '', event: null, eventTime } });
      }
      return out;
    }
    case T.calendarEventUpdated: {
      const session = body as CalendarEvent | null;
      const sessionId = session?.id ?? event.entityId;
      return [{ topic: 'session:capacity', id: site(sessionId), payload: { sessionId, event: session ?? null, eventTime } }];
    }
    case T.attendanceDeleted: {
      const attendance = body as Attendance | null;
      const sessionId = attendanceSessionId(attendance) ?? known?.sessionId;
      return [{ topic: 'attendance:changed', id: sessionId ? site(sessionId) : anywhere, payload: change('DELETED', attendance) }];
    }
    default:
      return [];
  }
}

export async function publishAll(pubsub: GatewayPubSub, publications: Publication[], dedupId?: string): Promise<void> {
  await pubsub.publishAll(publications as never, dedupId);
}
