/**
 * Every upstream field of every object is reachable: for one object of each type, every leaf value the upstream
 * REST API returns (with all fieldsets) appears in the graph's answer when all of the type's own fields are selected.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startStack, type Stack } from './support/stack.js';

let stack: Stack;
let types: Map<string, any>;

beforeAll(async () => {
  stack = await startStack();
  const res = await stack.gql(`{ __schema { types { name kind interfaces { name } fields { name args { name type { kind } } type { kind name ofType { kind name ofType { kind name ofType { kind name } } } } } } } }`);
  types = new Map(res.data.__schema.types.map((t: any) => [t.name, t]));
});
afterAll(() => stack?.stop());

function named(type: any): any {
  while (type.ofType) type = type.ofType;
  return types.get(type.name);
}

/** Every field of the type itself and of its value objects; links to other nodes and connections are left out. */
function selection(typeName: string, depth = 0): string {
  const type = types.get(typeName);
  const fields = type.fields
    .filter((f: any) => f.args.every((a: any) => a.type.kind !== 'NON_NULL'))
    .flatMap((f: any) => {
      const target = named(f.type);
      if (target.kind === 'SCALAR' || target.kind === 'ENUM') return [f.name];
      if (target.kind !== 'OBJECT' || depth > 3) return [];
      const isNode = target.interfaces?.some((i: any) => i.name === 'Node');
      if (isNode || target.name.endsWith('Connection') || target.name === 'RsvpSummary' || target.name === 'AttendanceSummary' || target.name === 'CheckInStats') return [];
      if (target.name === 'RsvpGuest') return [`${f.name} { ${selection('RsvpGuest', depth + 1).replace(/\brsvp\b[^}]*/, '')} }`];
      return [`${f.name} { ${selection(target.name, depth + 1)} }`];
    });
  return fields.join(' ');
}

function leaves(value: unknown, out = new Set<string>()): Set<string> {
  if (value === null || value === undefined) return out;
  if (Array.isArray(value)) value.forEach((v) => leaves(v, out));
  else if (typeof value === 'object') Object.values(value).forEach((v) => leaves(v, out));
  else out.add(String(value));
  return out;
}

async function compare(typeName: string, queryField: string, id: string, wire: unknown) {
  const res = await stack.gql(`query ($id: ID!) { ${queryField}(id: $id) { ${selection(typeName)} } }`, { id });
  expect(res.errors).toBeUndefined();
  const graph = leaves(res.data[queryField]);
  const missing = [...leaves(wire)].filter((v) => !graph.has(v));
  expect(missing, `${typeName}: upstream values not reachable in the graph`).toEqual([]);
}

describe('every upstream field is reachable', () => {
  it('Rsvp (all three fieldsets) and its guest list', async () => {
    const [rsvp] = (await stack.upstream('POST', '/events/v2/rsvps/query', { query: { cursorPaging: { limit: 1 } }, fields: ['DETAILS', 'FORM', 'CONTACT_DETAILS'] })).body.rsvps;
    await compare('Rsvp', 'rsvp', rsvp.id, rsvp);
  });

  it('Guest (GUEST_DETAILS and GUEST_TOTAL)', async () => {
    const [guest] = (await stack.upstream('POST', '/events/v2/guests/query', { query: { paging: { limit: 1 } }, fields: ['GUEST_DETAILS', 'GUEST_TOTAL'] })).body.guests;
    await compare('Guest', 'guest', guest.id, guest);
  });

  it('Event (DETAILS, REGISTRATION and DASHBOARD)', async () => {
    const [event] = (await stack.upstream('POST', '/events/v3/events/query', { query: { paging: { limit: 1 } }, fields: ['DETAILS', 'REGISTRATION', 'DASHBOARD'] })).body.events;
    await compare('Event', 'event', event.id, event);
  });

  it('Session', async () => {
    const [session] = (await stack.upstream('POST', '/calendar/v3/events/query', { query: { cursorPaging: { limit: 1 } } })).body.events;
    await compare('Session', 'session', session.id, session);
  });

  it('Participation', async () => {
    const [p] = (await stack.upstream('POST', '/calendar/v3/participations/query', { query: { cursorPaging: { limit: 1 } } })).body.participations;
    await compare('Participation', 'participation', p.id, p);
  });

  it('Attendance', async () => {
    const [a] = (await stack.upstream('POST', '/bookings/v2/attendance/query', { query: { cursorPaging: { limit: 1 } } })).body.attendances;
    await compare('Attendance', 'attendance', a.id, a);
  });

  it('Booking (with its attendance)', async () => {
    const [b] = (await stack.upstream('POST', '/bookings/bookings-reader/v2/extended-bookings/query', { query: { paging: { limit: 1 } } })).body.extendedBookings;
    await compare('Booking', 'booking', b.booking.id, b.booking);
  });
});
