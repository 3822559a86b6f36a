/**
 * The nested query at 100 events over real HTTP: upstream guest pages of ~0.5-1 MB are parsed in pieces and the
 * 0.3 MB+ answer is written in pieces (upstream/json-body.ts, json-answer.ts). The answer must be the join a client
 * would make from the REST API itself, byte for byte the same JSON, with guests whose names are written to look like
 * the cuts.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startStack, type Stack } from './support/stack.js';

let stack: Stack;
const TOKEN = 'large-bodies-token';
// Each <= 50 characters (the RSVP form's limit): text that looks like the separators the parser cuts at.
const NAMES = ['"},{"id":"x"}],"pagingMetadata":{}}', '},{"id":', '\\"},{\\"id\\":', 'Zoë 日本 😀 },{', '{"guests":[{"id":"y"}]}'];

beforeAll(async () => {
  stack = await startStack({ seed: null });
  await stack.seed(TOKEN, 1, { events: 100, rsvpsPerEvent: 12, sessions: 0, participationsPerSession: 0, bookings: 0 });
  const events = (await stack.upstream('POST', '/events/v3/events/query', { query: { paging: { limit: 100 } }, fields: ['REGISTRATION'] }, TOKEN)).body.events;
  const open = events.filter((e: any) => e.registration?.type === 'RSVP' && e.registration?.status === 'OPEN_RSVP');
  for (const [i, name] of NAMES.entries()) {
    const made = await stack.upstream(
      'POST',
      '/events/v2/rsvps',
      { rsvp: { eventId: open[i % open.length].id, status: 'YES', firstName: name, lastName: name.slice(0, 20), email: `cut${i}@example.com`, additionalGuestDetails: { guestCount: 0 } }, options: { ignoreLimits: true } },
      TOKEN,
    );
    expect(made.status, JSON.stringify(made.body)).toBe(200);
  }
});
afterAll(() => stack?.stop());

const QUERY = `query ($n: Int!) { events(first: $n) { edges { node { eventId title guests(first: 1000) { edges { node {
  guestId attendanceStatus guestDetails { firstName lastName } rsvp { rsvpId status totalGuests firstName } } } } } } } }`;

/** The same join by hand over the REST API: events, their guests by eventId $in (pages of 1000), RSVPs by id $in. */
async function byHand(): Promise<unknown> {
  const { events } = (await stack.upstream('POST', '/events/v3/events/query', { query: { paging: { limit: 100, offset: 0 } } }, TOKEN)).body;
  const guests: any[] = [];
  for (let offset = 0; ; ) {
    const page = (
      await stack.upstream(
        'POST',
        '/events/v2/guests/query',
        { query: { filter: { eventId: { $in: events.map((e: any) => e.id) } }, paging: { limit: 1000, offset } }, fields: ['GUEST_DETAILS'] },
        TOKEN,
      )
    ).body;
    guests.push(...page.guests);
    offset += page.guests.length;
    if (page.guests.length === 0 || offset >= page.pagingMetadata.total) break;
  }
  const rsvps = new Map<string, any>();
  const ids = [...new Set(guests.map((g) => g.rsvpId).filter(Boolean))];
  for (let i = 0; i < ids.length; i += 100) {
    const page = (await stack.upstream('POST', '/events/v2/rsvps/query', { query: { filter: { id: { $in: ids.slice(i, i + 100) } }, cursorPaging: { limit: 100 } }, fields: ['DETAILS'] }, TOKEN)).body;
    for (const r of page.rsvps) rsvps.set(r.id, r);
  }
  return {
    data: {
      events: {
        edges: events.map((e: any) => ({
          node: {
            eventId: e.id,
            title: e.title ?? null,
            guests: {
              edges: guests
                .filter((g) => g.eventId === e.id)
                .map((g) => {
                  const r = g.rsvpId ? rsvps.get(g.rsvpId) : undefined;
                  return {
                    node: {
                      guestId: g.id,
                      attendanceStatus: g.attendanceStatus ?? null,
                      guestDetails: g.guestDetails ? { firstName: g.guestDetails.firstName ?? null, lastName: g.guestDetails.lastName ?? null } : null,
                      rsvp: r ? { rsvpId: r.id, status: r.status ?? null, totalGuests: r.totalGuests ?? null, firstName: r.firstName ?? null } : null,
                    },
                  };
                }),
            },
          },
        })),
      },
    },
  };
}

describe('the nested query over large upstream bodies', () => {
  it('answers the hand-made join, byte for byte as JSON.stringify writes it, with a matching Content-Length', async () => {
    const res = await fetch(`${stack.gatewayUrl}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/json', authorization: TOKEN },
      body: JSON.stringify({ query: QUERY, variables: { n: 100 } }),
    });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('application/json; charset=utf-8');
    const bytes = Buffer.from(await res.arrayBuffer());
    expect(Number(res.headers.get('content-length'))).toBe(bytes.length);
    // Large enough for both paths: an answer over 128 KB and guest pages over 96 KB.
    expect(bytes.length).toBeGreaterThan(300_000);
    const answer = JSON.parse(bytes.toString('utf8'));
    const want = await byHand();
    expect(answer).toEqual(want);
    expect(bytes.toString('utf8')).toBe(JSON.stringify(want));
    const guests = answer.data.events.edges.flatMap((e: any) => e.node.guests.edges);
    expect(guests.length).toBeGreaterThan(1700);
    const names = guests.map((g: any) => g.node.guestDetails?.firstName);
    for (const name of NAMES) expect(names).toContain(name);
  });
});
