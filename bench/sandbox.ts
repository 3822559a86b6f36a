/**
 * Sandbox latency: a 100-item query on each list endpoint over real HTTP (keep-alive), p50/p95 of 200 runs each.
 */
import { Pool } from 'undici';
import { createSandbox } from '../src/sandbox/sandbox.js';
import { createSandboxClient } from '../test/support/sandbox-client.js';

export async function run(): Promise<object> {
  const sandbox = await createSandbox({ port: 0 });
  const token = 'bench-sandbox';
  await createSandboxClient(sandbox.url, null).control('POST', 'seed', { token, seed: 7, size: { events: 40, rsvpsPerEvent: 20, sessions: 40, participationsPerSession: 10, bookings: 400 } });
  const pool = new Pool(sandbox.url, { connections: 4 });
  const cases: [string, string, unknown][] = [
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
