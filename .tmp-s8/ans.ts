import { createSandbox } from '../src/sandbox/sandbox.js';
import { createGateway } from '../src/gateway/gateway.js';
import { DEFAULT_CONFIG } from '../src/gateway/config.js';
const sb = await createSandbox({ port: 0 });
await fetch(`${sb.url}/__sandbox/seed`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ token: 't100', seed: 1, size: { events: 100, rsvpsPerEvent: 12, sessions: 0, participationsPerSession: 0, bookings: 0 } }) });
const gw = await createGateway({ ...DEFAULT_CONFIG, upstreamUrl: sb.url, logLevel: 'silent', graphiql: false, development: false });
const url = await gw.start(0, '127.0.0.1');
const q = 'query Q($n: Int!) { events(first: $n) { edges { node { eventId title guests(first: 1000) { edges { node { guestId attendanceStatus rsvp { rsvpId status totalGuests } } } } } } } }';
const res = await fetch(url.endsWith("/graphql") ? url : url + "/graphql", { method: 'POST', headers: { 'content-type': 'application/json', authorization: 't100' }, body: JSON.stringify({ query: q, variables: { n: 100 } }) });
const text = await res.text();
let wide = 0; for (let i = 0; i < text.length; i++) if (text.charCodeAt(i) > 255) { wide++; if (wide < 4) console.log('wide char', JSON.stringify(text.slice(i - 20, i + 5))); }
console.log('length', text.length, 'bytes', Buffer.byteLength(text), 'wide', wide, 'headers', [...res.headers]);
process.exit(0);
