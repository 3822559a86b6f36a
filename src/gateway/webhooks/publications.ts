/**
 * Which topics a verified webhook feeds (docs/upstream.md §2.5, §3.4, §3.6, §4.4, §5.6). Every topic id starts with the
 * envelope's instanceId, so only subscribers of that site hear it (§1.9).
 */
import type { Attendance, CalendarEvent, EventGuest, Participation, Rsvp } from '../../wire/types.js';
import { WEBHOOK_EVENT_TYPES as T } from '../../wire/types.js';
import { attendanceSessionId } from '../live/attendance.js';
import { siteTopicId } from '../live/site.js';
import type { ChangeKind, EntityChange, GatewayPubSub, TopicName, Topics } from '../pubsub.js';
import type { VerifiedWebhook } from './verify.js';

/** One publish the webhook causes. */
export type Publication = { [K in TopicName]: { topic: K; id: Topics[K][0]; payload: Topics[K][1] } }[TopicName];

const KNOWN = new Set<string>(Object.values(T));

export function isKnownEventType(eventType: string): boolean {
  return KNOWN.has(eventType);
}

/** The publishes for one webhook; empty when it concerns nothing a subscription shows (e.g. booking_updated). */
export function publicationsFor(hook: VerifiedWebhook): Publication[] {
  const { envelope, event, body } = hook;
  const site = (key: string) => siteTopicId(envelope.instanceId, key);
  const eventTime = event.eventTime ?? new Date().toISOString();
  const change = <E>(kind: ChangeKind, entity: E | null): EntityChange<E> => ({
    kind,
    entityId: event.entityId,
    entity,
    eventTime,
    changeId: event.id,
  });
  const kindOf = (): ChangeKind => (event.deletedEvent ? 'DELETED' : event.createdEvent ? 'CREATED' : 'UPDATED');
  const checkIns = (eventId: string | undefined): Publication[] =>
    eventId ? [{ topic: 'checkIns:changed', id: site(eventId), payload: { eventId, eventTime } }] : [];

  switch (envelope.eventType) {
    case T.rsvpCreated:
    case T.rsvpUpdated:
    case T.rsvpDeleted: {
      const rsvp = body as Rsvp | null;
      if (!rsvp?.eventId) return [];
      return [{ topic: 'rsvp:changed', id: site(rsvp.eventId), payload: change(kindOf(), rsvp) }, ...checkIns(rsvp.eventId)];
    }
    case T.guestCreated:
    case T.guestUpdated:
    case T.guestDeleted: {
      const guest = body as EventGuest | null;
      if (!guest?.eventId) return [];
      return [{ topic: 'guest:changed', id: site(guest.eventId), payload: change(kindOf(), guest) }, ...checkIns(guest.eventId)];
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
      // The docs' deleted example carries no entity, so a deletion can be routed only when the sandbox (or a future
      // upstream) sends the deleted entity.
      const participation = body as Participation | null;
      if (!participation) return [];
      const payload = change(kindOf(), participation);
      const out: Publication[] = [];
      if (participation.eventId) {
        out.push({ topic: 'participation:changed', id: site(`session:${participation.eventId}`), payload });
        out.push({ topic: 'session:capacity', id: site(participation.eventId), payload: { sessionId: participation.eventId, event: null, eventTime } });
      }
      if (participation.scheduleId) out.push({ topic: 'participation:changed', id: site(`schedule:${participation.scheduleId}`), payload });
      return out;
    }
    case T.calendarEventUpdated: {
      const session = body as CalendarEvent | null;
      const sessionId = session?.id ?? event.entityId;
      return [{ topic: 'session:capacity', id: site(sessionId), payload: { sessionId, event: session ?? null, eventTime } }];
    }
    case T.attendanceDeleted: {
      const attendance = body as Attendance | null;
      const sessionId = attendanceSessionId(attendance);
      if (!sessionId) return [];
      return [{ topic: 'attendance:changed', id: site(sessionId), payload: change('DELETED', attendance) }];
    }
    default:
      return [];
  }
}

export async function publishAll(pubsub: GatewayPubSub, publications: Publication[]): Promise<void> {
  for (const p of publications) {
    await (pubsub.publishConfirmed as (t: string, i: string, x: unknown) => Promise<void>)(p.topic, p.id, p.payload);
  }
}
