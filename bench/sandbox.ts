/**
 * Sandbox latency over real HTTP (keep-alive), p50/p95 of 200 runs each: the `$in` lookups the gateway's loaders
 * make (100 ids; an event page's guests), and a 100-item page of each list endpoint.
 */
import { Pool } from 'undici';
import { createSandbox } from '../src/sandbox/sandbox.js';
import { createSandboxClient } from '../test/support/sandbox-client.js';

export async function run(): Promise<object> {
  const sandbox = await createSandbox({ port: 0 });
  const token = 'bench-sandbox';
  await createSandboxClient(sandbox.url, null).control('POST', 'seed', { token, seed: 7, size: { events: 40, rsvpsPerEvent: 20, sessions: 40, participationsPerSession: 10, bookings: 400 } });
  const pool = new Pool(sandbox.url, { connections: 4 });
  const read = async (path: string, body: unknown) =>
    (await (await pool.request({ method: 'POST', path, headers: { authorization: token, 'content-type': 'application/json' }, body: JSON.stringify(body) })).body.json()) as Record<string, { id: string; eventId: string }[]>;
  // The lookups the gateway's loaders make: 100 ids at a time, and an event page's guests by eventId.
  const guests = (await read('/events/v2/guests/query', { query: { paging: { limit: 1000 } } })).guests!;
  const rsvps = (await read('/events/v2/rsvps/query', { query: { cursorPaging: { limit: 100 } } })).rsvps!;
  const ids = (rows: { id: string }[]) => rows.slice(0, 100).map((r) => r.id);
  const eventIds = [...new Set(guests.map((g) => g.eventId))].slice(0, 20);
  const cases: [string, string, unknown][] = [
    ['Guests id $in (100 ids)', '/events/v2/guests/query', { query: { filter: { id: { $in: ids(guests) } }, paging: { limit: 100 } } }],
    ['Guests eventId $in (20 events)', '/events/v2/guests/query', { query: { filter: { eventId: { $in: eventIds } }, paging: { limit: 1000 } } }],
    ['RSVP id $in (100 ids)', '/events/v2/rsvps/query', { query: { filter: { id: { $in: ids(rsvps) } }, cursorPaging: { limit: 100 } }, fields: ['DETAILS'] }],
    ['RSVP query (100)', '/events/v2/rsvps/query', { query: { cursorPaging: { limit: 100 } }, fields: ['DETAILS'] }],
    ['Guests query (100)', '/events/v2/guests/query', { query: { cursorPaging: { limit: 100 } }, fields: ['GUEST_DETAILS', 'GUEST_TOTAL'] }],
    ['Participations query (100)', '/calendar/v3/participations/query', { query: { cursorPaging: { limit: 100 } } }],
    ['Attendance query (100)', '/bookings/v2/attendance/query', { query: { cursorPaging: { limit: 100 } } }],
    ['Bookings query (100)', '/bookings/bookings-reader/v2/extended-bookings/query', { query: { paging: { limit: 100 } }, withBookingAttendanceInfo: true }],
  ];
  const rows: Record<string, { items: number; p50ms: number; p95ms: number }> = {};
  for (const [name, path, body] of cases) {
    const times: number[] = [];
    let items = 0;
    for (let i = 0; i < 220; i++) {
      const t = performance.now();
      const res = await pool.request({ method: 'POST', path, headers: { authorization: token, 'content-type': 'application/json' }, body: JSON.stringify(body) });
      const json = (await res.body.json()) as Record<string, unknown>;
      if (i >= 20) times.push(performance.now() - t); // the first 20 warm up the JIT and the connections
      items = Object.values(json).find(Array.isArray)?.length ?? 0;
    }
    times.sort((a, b) => a - b);
    rows[name] = { items, p50ms: round(times[Math.floor(times.length * 0.5)]!), p95ms: round(times[Math.floor(times.length * 0.95)]!) };
  }
  console.table(rows);
  await pool.close();
  await sandbox.stop();
  return rows;
}

function round(n: number): number {
  return Math.round(n * 100) / 100;
}
