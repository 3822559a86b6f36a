import { createSandbox } from '../src/sandbox/sandbox.js';
import { PATHS } from '../src/wire/paths.js';
const sb = await createSandbox({ port: 0 });
await fetch(`${sb.url}/__sandbox/seed`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ token: 't100', seed: 1, size: { events: 100, rsvpsPerEvent: 12, sessions: 0, participationsPerSession: 0, bookings: 0 } }) });
for (const [path, body] of [[PATHS.events.query, { query: { paging: { limit: 100 } } }], [PATHS.guests.query, { query: { paging: { limit: 1000 } } }], [PATHS.rsvps.query, { query: { cursorPaging: { limit: 100 } }, fields: ['DETAILS'] }]] as const) {
  const res = await fetch(sb.url + path, { method: 'POST', headers: { 'content-type': 'application/json', authorization: 't100' }, body: JSON.stringify(body) });
  const buf = Buffer.from(await res.arrayBuffer());
  let hi = 0; let first = -1; for (let i = 0; i < buf.length; i++) if (buf[i]! > 127) { hi++; if (first < 0) first = i; }
  console.log(path, buf.length, 'non-ascii bytes', hi, first >= 0 ? JSON.stringify(buf.subarray(first - 30, first + 10).toString()) : '');
}
process.exit(0);
