/**
 * Selection-aware reads: each upstream call asks only for the fieldsets (docs/upstream.md §4.1, §5.2, §6.2) the
 * operation's selection needs, merged over the fields one batch serves; a row read with fewer fieldsets is not
 * reused for a selection that needs more. Upstream calls are observed on the wire (the gateway's per-attempt hook)
 * and counted by the sandbox; answers are checked against the upstream's own rows.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { UpstreamRequest } from '../src/gateway/upstream/http.js';
import { startStack, type Stack } from './support/stack.js';

describe('selection-aware reads', () => {
  let stack: Stack;
  const calls: UpstreamRequest[] = [];
  beforeAll(async () => {
    stack = await startStack({ gateway: { onUpstreamAttempt: (req) => calls.push(req) } });
  });
  afterAll(async () => {
    await stack?.stop();
  });

  async function run(query: string) {
    calls.length = 0;
    await stack.resetStats();
    const res = await stack.gql(query);
    expect(res.errors).toBeUndefined();
    const fields = (path: string) => calls.filter((c) => c.path === path).map((c) => (c.body as { fields?: string[] }).fields ?? []);
    return { data: res.data, fields, stats: await stack.stats() };
  }

  it('asks each list for only the fieldsets its selection reads', async () => {
    const { data, fields, stats } = await run(
      `{ events(first: 20) { edges { node { eventId title guests(first: 100) { edges { node { guestId attendanceStatus rsvp { rsvpId status totalGuests } } } } } } } }`,
    );
    expect(fields('/events/v3/events/query')).toEqual([[]]); // id and title are in the base projection
    expect(fields('/events/v2/guests/query')).toEqual([[]]); // attendanceStatus and rsvpId too
    expect(fields('/events/v2/rsvps/query')).toEqual([['DETAILS']]); // totalGuests is DETAILS (§5.2)
    expect(stats.total).toBe(3);
    // and the answer is the upstream's
    const rsvps = (await stack.upstream('POST', '/events/v2/rsvps/query', { query: { cursorPaging: { limit: 100 } }, fields: ['DETAILS'] })).body.rsvps;
    const byId = new Map(rsvps.map((r: any) => [r.id, r]));
    const seen = data.events.edges.flatMap((e: any) => e.node.guests.edges.map((g: any) => g.node.rsvp).filter(Boolean));
    expect(seen.length).toBeGreaterThan(0);
    for (const r of seen) expect(r.totalGuests).toBe((byId.get(r.rsvpId) as any).totalGuests);
  });

  it('reads a row again when a later selection needs a fieldset the first read did not ask for', async () => {
    const { data, fields, stats } = await run(
      `{ events(first: 5) { edges { node { eventId title rsvps { edges { node { rsvpId event { eventId registration { type status } } } } } } } } }`,
    );
    // The root list primed the events without REGISTRATION, so the RSVPs' events are read once more, with it.
    expect(fields('/events/v3/events/query')).toEqual([[], ['REGISTRATION']]);
    expect(stats.byRoute['POST /events/v3/events/query']).toBe(2);
    const upstreamEvents = (await stack.upstream('POST', '/events/v3/events/query', { query: { paging: { limit: 100 } }, fields: ['REGISTRATION'] })).body.events;
    const registration = new Map(upstreamEvents.map((e: any) => [e.id, e.registration]));
    const linked = data.events.edges.flatMap((e: any) => e.node.rsvps.edges.map((r: any) => r.node.event));
    expect(linked.length).toBeGreaterThan(0);
    for (const e of linked) expect(e.registration).toEqual({ type: (registration.get(e.eventId) as any).type, status: (registration.get(e.eventId) as any).status });
  });

  it('reuses a primed row when its fieldsets are enough', async () => {
    const { stats } = await run(`{ events(first: 5) { edges { node { eventId registration { type } rsvps { edges { node { event { title registration { status } } } } } } } } }`);
    expect(stats.byRoute['POST /events/v3/events/query']).toBe(1);
  });

  it('merges the fieldsets of the fields one batch serves into one call', async () => {
    const { data, fields, stats } = await run(
      `{ events(first: 5) { edges { node { eventId checkInStats { attending } rsvps { edges { node { email } } } } } } }`,
    );
    // checkInStats reads DETAILS, the email selection CONTACT_DETAILS: one RSVP call with both
    expect(stats.byRoute['POST /events/v2/rsvps/query']).toBe(1);
    expect(fields('/events/v2/rsvps/query').map((f) => [...f].sort())).toEqual([['CONTACT_DETAILS', 'DETAILS']]);
    const emails = data.events.edges.flatMap((e: any) => e.node.rsvps.edges.map((r: any) => r.node.email));
    expect(emails.length).toBeGreaterThan(0);
    expect(emails.every((m: unknown) => typeof m === 'string' && m.includes('@'))).toBe(true);
  });
});
