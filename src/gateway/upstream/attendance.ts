/** Bookings Attendance v2 client (docs/upstream.md §2). */
import { PATHS } from '../../wire/paths.js';
import type {
  Attendance,
  BulkActionMetadata,
  BulkAttendanceResult,
  BulkSetAttendanceRequest,
  BulkSetAttendanceResponse,
  Filter,
  ItemMetadata,
  QueryAttendanceResponse,
  QueryV2,
  SetAttendanceRequest,
} from '../../wire/types.js';
import type { Credentials, UpstreamHttp } from './http.js';

export function createAttendanceClient(http: UpstreamHttp, creds: Credentials) {
  return {
    get: (id: string) =>
      http.request<{ attendance: Attendance }>(creds, { method: 'GET', path: PATHS.attendance.get(id) }).then((r) => r.attendance),
    query: (query: QueryV2) =>
      http.request<QueryAttendanceResponse>(creds, { method: 'POST', path: PATHS.attendance.query, body: { query } }),
    count: (filter?: Filter) =>
      http.request<{ count: number }>(creds, { method: 'POST', path: PATHS.attendance.count, body: { filter } }).then((r) => r.count),
    /** Set is an upsert keyed on (booking, session), so resending it is safe (docs/upstream.md §2.1). */
    set: (req: SetAttendanceRequest) =>
      http
        .request<{ attendance: Attendance }>(creds, { method: 'POST', path: PATHS.attendance.set, body: req, idempotent: true })
        .then((r) => r.attendance),
    /** At most 8 entries per call (docs/upstream.md §2.1); callers chunk. */
    bulkSet: (req: BulkSetAttendanceRequest) =>
      http.request<BulkSetAttendanceResponse>(creds, { method: 'POST', path: PATHS.attendance.bulkSet, body: req, idempotent: true }),
    delete: (id: string) => http.request<object>(creds, { method: 'DELETE', path: PATHS.attendance.delete(id) }),
    bulkDelete: (attendanceIds: string[]) =>
      http.request<{ results: { itemMetadata: ItemMetadata }[]; bulkActionMetadata: BulkActionMetadata }>(creds, {
        method: 'POST',
        path: PATHS.attendance.bulkDelete,
        body: { attendanceIds },
      }),
  };
}
export type AttendanceClient = ReturnType<typeof createAttendanceClient>;
export type { BulkAttendanceResult };
