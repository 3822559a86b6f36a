/**
 * Export over real HTTP: the same /graphql answers `Accept: text/csv` (a header row of leaf paths, one row per edge)
 * and `Accept: application/x-ndjson` (one JSON object per edge) for a query whose result is one connection or one
 * list, paging the connection 100 edges per execution up to EXPORT_MAX_ROWS.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startStack, type Stack } from './support/stack.js';

let stack: Stack;
let small: Stack;
beforeAll(async () => {
  stack = await startStack();
  // 20 events with up to 20 RSVPs each: more than two upstream pages of 100.
  await stack.seed(stack.token, 1, { rsvpsPerEvent: 20 });
  small = await startStack({ config: { exportMaxRows: 30 } });
});
afterAll(async () => {
  await stack?.stop();
  await small?.stop();
});

const RSVPS = `{ rsvps { edges { node { rsvpId status firstName lastName totalGuests guests { guestId } } } } }`;

async function download(s: Stack, accept: string, query: string, variables?: Record<string, unknown>) {
  const res = await fetch(`${s.gatewayUrl}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept, authorization: s.token },
    body: JSON.stringify({ query, variables }),
  });
  return { status: res.status, headers: res.headers, text: await res.text() };
}

/** Every RSVP of the demo tenant, as the graph's JSON answer gives them (paged by hand, 1000 at a time). */
async function allRsvps(s: Stack): Promise<any[]> {
  const rows: any[] = [];
  let after: string | null = null;
  do {
    const res: any = await s.gql(`query ($after: String) { rsvps(first: 1000, after: $after) { edges { node { rsvpId status firstName lastName totalGuests guests { guestId } } } pageInfo { hasNextPage endCursor } } }`, { after });
    expect(res.errors).toBeUndefined();
    rows.push(...res.data.rsvps.edges.map((e: any) => e.node));
    after = res.data.rsvps.pageInfo.hasNextPage ? res.data.rsvps.pageInfo.endCursor : null;
  } while (after);
  return rows;
}

/** RFC 4180 parsing, enough for the assertions. */
function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let cell = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') (cell += '"'), i++;
      else if (c === '"') quoted = false;
      else cell += c;
    } else if (c === '"') quoted = true;
    else if (c === ',') row.push(cell), (cell = '');
    else if (c === '\r' && text[i + 1] === '\n') {
      row.push(cell), rows.push(row), (row = []), (cell = ''), i++;
    } else cell += c;
  }
  return rows;
}

describe('CSV', () => {
  it('a connection: a header of leaf paths and one row per edge, every edge, paged 100 per upstream call', async () => {
    const want = await allRsvps(stack);
    expect(want.length).toBeGreaterThan(200);
    await stack.resetStats();
    const res = await download(stack, 'text/csv', RSVPS);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/csv/);
    expect(res.headers.get('content-disposition')).toBe('attachment; filename="rsvps.csv"');
    const [header, ...rows] = parseCsv(res.text);
    expect(header).toEqual(['rsvpId', 'status', 'firstName', 'lastName', 'totalGuests', 'guests']);
    expect(rows).toEqual(
      want.map((r) => [r.rsvpId, r.status, r.firstName ?? '', r.lastName ?? '', String(r.totalGuests), JSON.stringify(r.guests)]),
    );
    expect((await stack.stats()).byRoute['POST /events/v2/rsvps/query']).toBe(Math.ceil(want.length / 100));
  });

  it('nested objects become dotted columns; commas, quotes and formulas are written safely', async () => {
    const events = await stack.upstream('POST', '/events/v3/events/query', { query: { paging: { limit: 100 } }, fields: ['REGISTRATION'] });
    const event = events.body.events.find((e: any) => e.registration?.type === 'RSVP' && e.registration?.status === 'OPEN_RSVP');
    const made = await stack.upstream('POST', '/events/v2/rsvps', {
      rsvp: { eventId: event.id, status: 'YES', firstName: 'Ann, "Jr"', lastName: '=HYPERLINK("x")', email: 'ann.export@example.com', additionalGuestDetails: { guestCount: 0, guestNames: [] } },
      options: { ignoreLimits: true },
    });
    expect(made.status, JSON.stringify(made.body)).toBe(200);
    const res = await download(stack, 'text/csv', `query ($id: ID!) { rsvps(filter: { id: { eq: $id } }) { edges { node { rsvpId firstName lastName event { title registration { type } } } } } }`, {
      id: made.body.rsvp.id,
    });
    expect(res.status).toBe(200);
    expect(res.text.split('\r\n')[0]).toBe('rsvpId,firstName,lastName,event.title,event.registration.type');
    expect(res.text.split('\r\n')[1]).toBe(`${made.body.rsvp.id},"Ann, ""Jr""","'=HYPERLINK(""x"")",${event.title},RSVP`);
  });

  it('a report as CSV: one row per group', async () => {
    const json = await stack.gql(`{ attendanceReport(groupBy: WEEK) { groups { key bookings noShowRate } } }`);
    const res = await download(stack, 'text/csv', `{ attendanceReport(groupBy: WEEK) { groups { key bookings noShowRate } } }`);
    expect(res.status).toBe(200);
    const [header, ...rows] = parseCsv(res.text);
    expect(header).toEqual(['key', 'bookings', 'noShowRate']);
    expect(rows).toEqual(json.data.attendanceReport.groups.map((g: any) => [g.key, String(g.bookings), g.noShowRate === null ? '' : String(g.noShowRate)]));
  });

  it('stops at EXPORT_MAX_ROWS (30 here) and says so in X-Export-Row-Limit, reading only what it writes', async () => {
    await small.resetStats();
    const res = await download(small, 'text/csv', RSVPS);
    expect(res.headers.get('x-export-row-limit')).toBe('30');
    expect(parseCsv(res.text)).toHaveLength(31);
    expect((await small.stats()).byRoute['POST /events/v2/rsvps/query']).toBe(1);
    const five = await download(small, 'text/csv', `{ rsvps(first: 5) { edges { node { rsvpId } } } }`);
    expect(five.headers.get('x-export-row-limit')).toBe('5');
    expect(parseCsv(five.text)).toHaveLength(6);
  });

  it('works as a GET link too (query in the URL)', async () => {
    const url = `${stack.gatewayUrl}/graphql?query=${encodeURIComponent('{ events(first: 3) { edges { node { eventId title } } } }')}`;
    const res = await fetch(url, { headers: { accept: 'text/csv', authorization: stack.token } });
    expect(res.status).toBe(200);
    expect(parseCsv(await res.text())).toHaveLength(4);
  });
});

describe('NDJSON', () => {
  it('one JSON object per edge, equal to the JSON answer', async () => {
    const want = await allRsvps(stack);
    const res = await download(stack, 'application/x-ndjson', RSVPS);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^application\/x-ndjson/);
    const lines = res.text.trimEnd().split('\n').map((l) => JSON.parse(l));
    expect(lines).toEqual(want);
  });
});

describe('refusals', () => {
  it('a mutation, a query with two lists and a bad query get a JSON error naming the problem, and no upstream call', async () => {
    await stack.resetStats();
    const mutation = await download(stack, 'text/csv', `mutation { deleteRsvp(input: { rsvpId: "x" }) { __typename } }`);
    expect(mutation.status).toBe(400);
    expect(JSON.parse(mutation.text).errors[0].message).toMatch(/only queries can be exported/);
    const two = await download(stack, 'text/csv', `{ events { edges { node { eventId } } } rsvps { edges { node { rsvpId } } } }`);
    expect(two.status).toBe(400);
    expect(JSON.parse(two.text).errors[0].message).toMatch(/exactly one connection or list/);
    const bad = await download(stack, 'text/csv', `{ rsvps { edges { node { noSuchField } } } }`);
    expect(JSON.parse(bad.text).errors[0].message).toMatch(/noSuchField/);
    expect((await stack.stats()).total).toBe(0);
  });

  it('without credentials the export is refused as the JSON request would be', async () => {
    const res = await fetch(`${stack.gatewayUrl}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'text/csv' },
      body: JSON.stringify({ query: RSVPS }),
    });
    const body = await res.json();
    expect(body.errors[0].extensions.code).toBe('UNAUTHENTICATED');
  });
});
