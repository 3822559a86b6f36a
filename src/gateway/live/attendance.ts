/**
 * Attendance changes for attendanceChanged(sessionId). The upstream only sends attendance_deleted (docs/upstream.md §2.5),
 * so the gateway's own setAttendance mutations report created/updated changes through publishAttendanceChanged.
 * A change made through another client of the upstream (not this gateway) reaches subscribers only when deleted.
 */
import { randomUUID } from 'node:crypto';
import type { Attendance } from '../../wire/types.js';
import type { SiteScope } from '../context.js';
import type { ChangeKind, GatewayPubSub } from '../pubsub.js';
import { siteTopicId } from './site.js';

/**
 * Tell attendanceChanged subscribers of the attendance's session. Resolves once published (across replicas with
 * Redis). An attendance without eventId/sessionId cannot be routed to a session and is not published.
 */
export async function publishAttendanceChanged(
  pubsub: GatewayPubSub,
  site: SiteScope,
  attendance: Attendance,
  kind: ChangeKind,
): Promise<void> {
  const sessionId = attendanceSessionId(attendance);
  if (!sessionId) return;
  await pubsub.publishConfirmed('attendance:changed', siteTopicId(site.instanceId, sessionId), {
    kind,
    entityId: attendance.id ?? '',
    entity: attendance,
    eventTime: attendance.updatedDate ?? new Date().toISOString(),
    changeId: `gateway:${randomUUID()}`,
  });
}

/** eventId is the current name; sessionId its deprecated alias (docs/upstream.md §2.2). */
export function attendanceSessionId(attendance: Attendance | null | undefined): string | undefined {
  return attendance?.eventId ?? attendance?.sessionId ?? undefined;
}
