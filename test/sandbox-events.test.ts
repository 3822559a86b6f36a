/**
 * The sandbox's Events v3 API over real HTTP (docs/upstream.md §6.2): fieldsets, offset-paged query, the RSVP
 * settings update, event_updated webhooks, and the docs' waitlist promotion flow (§7.2) run end to end.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEventsSandbox, type EventsSandbox } from './support/events-sandbox.js';

let sb: EventsSandbox;
beforeAll(async () => {
  sb = await startEventsSandbox();
});
afterAll(async () => {
  await sb?.stop();
});

async function newEvent(event: Record<string, unknown> = {}, extra: Record<string, unknown> = {}) {
  const res = await sb.call('POST', '/events/v3/events', {
    event: { title: 'Launch party', shortDescription: 'Cake', registration: { initialType: 'RSVP', rsvp: {} }, ...event },
    fields: ['REGISTRATION', 'DASHBOARD', 'DETAILS'],
    ...extra,
  });
  expect(res.status).toBe(200);
  return res.body.event;
}

async function rsvp(eventId: string, guestCount = 0, status = 'YES') {
  const res = await sb.call('POST', '/events/v2/rsvps', {
    rsvp: { eventId, firstName: 'Guest', lastName: String(guestCount), email: 'g@example.com', status, additionalGuestDetails: { guestCount } },
    fields: ['DETAILS'],
  });
  expect(res.status).toBe(200);
  return res.body.rsvp;
}

describe('get', () => {
  it('returns only the requested fieldsets: REGISTRATION adds registration, DASHBOARD adds summaries', async () => {
    const created = await newEvent({ registration: { initialType: 'RSVP', rsvp: { limit: 20, waitlistEnabled: true } } });
    const bare = (await sb.call('GET', `/events/v3/events/${created.id}`)).body.event;
    expect(bare).toMatchObject({ id: created.id, title: 'Launch party', status: 'UPCOMING' });
    expect(bare.registration).toBeUndefined();
    expect(bare.summaries).toBeUndefined();
    expect(bare.shortDescription).toBeUndefined();

    const reg = (await sb.call('GET', `/events/v3/events/${created.id}?eventId=${created.id}&fields=REGISTRATION`)).body.event;
    expect(reg.registration).toMatchObject({ type: 'RSVP', initialType: 'RSVP', status: 'OPEN_RSVP', rsvp: { limit: 20, waitlistEnabled: true } });
    expect(reg.summaries).toBeUndefined();

    const both = (await sb.call('GET', `/events/v3/events/${created.id}?fields=REGISTRATION&fields=DASHBOARD&fields=DETAILS`)).body.event;
    expect(both.summaries).toEqual({ rsvps: { totalCount: 0, yesCount: 0, noCount: 0, waitlistCount: 0 } });
    expect(both.shortDescription).toBe('Cake');
  });

  it('answers 404 EVENT_NOT_FOUND for an unknown id and 400 for an unknown fieldset', async () => {
    const res = await sb.call('GET', `/events/v3/events/${randomUUID()}`);
    expect(res.status).toBe(404);
    expect(res.body.details.applicationError.code).toBe('EVENT_NOT_FOUND');
    const created = await newEvent();
    expect((await sb.call('GET', `/events/v3/events/${created.id}?fields=EVERYTHING`)).status).toBe(400);
  });

  it('serves the /_api/events-events-v3-adapter alias', async () => {
    const created = await newEvent();
    const res = await sb.call('GET', `/_api/events-events-v3-adapter/v3/events/${created.id}?fields=DASHBOARD`);
    expect(res.status).toBe(200);
    expect(res.body.event.summaries.rsvps.totalCount).toBe(0);
  });
});

describe('query', () => {
  const titles: string[] = [];
  beforeAll(async () => {
    for (let i = 0; i < 120; i++) {
      const ticketed = i % 4 === 0;
      const start = new Date(Date.UTC(2031, 0, 1 + i)).toISOString();
      const ev = await newEvent({
        title: `Q${i}`,
        dateAndTimeSettings: { startDate: start, endDate: start, timeZoneId: 'Etc/UTC' },
        registration: { initialType: ticketed ? 'TICKETING' : 'RSVP' },
      });
      titles.push(ev.title);
    }
    await newEvent({ title: 'Q-draft' }, { draft: true });
  });

  it('pages by offset with PagingMetadataV2, 50 by default, newest first, drafts left out', async () => {
    // The SDK spec gives title comparisons, not $startsWith: the Q titles sort between 'Q' and 'R'.
    const filter = { title: { $gte: 'Q', $lt: 'R' } };
    const seen: string[] = [];
    for (let offset = 0; ; offset += 50) {
      const res = await sb.call('POST', '/events/v3/events/query', { query: { filter, paging: { offset } } });
      expect(res.status).toBe(200);
      expect(res.body.pagingMetadata).toMatchObject({ count: res.body.events.length, offset, total: 120 });
      seen.push(...res.body.events.map((e: any) => e.title));
      if (res.body.events.length < 50) break;
    }
    expect(seen).toEqual([...titles].reverse());
    const withDrafts = await sb.call('POST', '/events/v3/events/query', { query: { filter }, includeDrafts: true });
    expect(withDrafts.body.pagingMetadata.total).toBe(121);
  });

  it('filters on registration.initialType, status and a start-date range, and sorts by start date', async () => {
    const res = await sb.call('POST', '/events/v3/events/query', {
      query: {
        filter: {
          'registration.initialType': 'TICKETING',
          status: { $in: ['UPCOMING', 'STARTED'] },
          'dateAndTimeSettings.startDate': { $gte: '2031-01-01T00:00:00.000Z', $lt: '2031-01-21T00:00:00.000Z' },
        },
        sort: [{ fieldName: 'dateAndTimeSettings.startDate', order: 'ASC' }],
      },
      fields: ['REGISTRATION'],
    });
    expect(res.body.events.map((e: any) => e.title)).toEqual(['Q0', 'Q4', 'Q8', 'Q12', 'Q16']);
    expect(res.body.events.every((e: any) => e.registration.type === 'TICKETING')).toBe(true);
  });

  it('accepts exactly the SDK query spec: slug, end date, title ranges, sort by id; refuses what it does not list', async () => {
    const q = (query: unknown) => sb.call('POST', '/events/v3/events/query', { query });
    const [first] = (await q({ filter: { title: 'Q7' } })).body.events;
    expect((await q({ filter: { slug: first.slug } })).body.events.map((e: any) => e.id)).toEqual([first.id]);
    expect((await q({ filter: { 'dateAndTimeSettings.endDate': { $lt: '2031-01-03T00:00:00.000Z' }, title: { $gte: 'Q' } } })).body.events.map((e: any) => e.title).sort()).toEqual(['Q0', 'Q1']);
    const byId = (await q({ filter: { title: { $gte: 'Q', $lt: 'R' } }, sort: [{ fieldName: 'id', order: 'ASC' }], paging: { limit: 1000 } })).body.events.map((e: any) => e.id);
    expect(byId).toEqual([...byId].sort());
    for (const filter of [
      { 'registration.type': 'RSVP' },
      { 'registration.status': { $in: ['OPEN_RSVP'] } },
      { 'registration.initialType': { $in: ['RSVP'] } },
      { status: { $nin: ['DRAFT'] } },
      { status: { $exists: true } },
      { id: { $nin: [first.id] } },
      { title: { $startsWith: 'Q' } },
    ]) {
      const res = await q({ filter });
      expect(res.status, JSON.stringify(filter)).toBe(400);
    }
    expect((await q({ sort: [{ fieldName: 'status', order: 'ASC' }] })).status).toBe(400);
  });

  it('refuses unknown filter fields, limits over 1000 and cursor paging', async () => {
    expect((await sb.call('POST', '/events/v3/events/query', { query: { filter: { colour: 'red' } } })).status).toBe(400);
    expect((await sb.call('POST', '/events/v3/events/query', { query: { paging: { limit: 1001 } } })).status).toBe(400);
    expect((await sb.call('POST', '/events/v3/events/query', { query: { cursorPaging: { limit: 10 } } })).status).toBe(400);
  });
});

describe('update and event_updated', () => {
  it('changes the RSVP limit and announces it with registration and summaries', async () => {
    const ev = await newEvent({ registration: { initialType: 'RSVP', rsvp: { limit: 2 } } });
    await rsvp(ev.id, 1);
    const res = await sb.call('PATCH', `/events/v3/events/${ev.id}`, { event: { id: ev.id, registration: { rsvp: { limit: 5, waitlistEnabled: true } } }, fields: ['REGISTRATION'] });
    expect(res.status).toBe(200);
    expect(res.body.event.registration.rsvp).toMatchObject({ limit: 5, waitlistEnabled: true });
    expect(res.body.event.registration.status).toBe('OPEN_RSVP');
    const updates = (await sb.webhooks()).filter((w) => w.eventType === 'wix.events.v3.event_updated' && w.entityId === ev.id);
    // one for the RSVP's summary change (which also closed registration: 2 of 2), one for the PATCH
    expect(updates.map((u) => [u.entity.registration.rsvp.limit, u.entity.registration.status, u.entity.summaries.rsvps.yesCount])).toEqual([
      [2, 'CLOSED_AUTOMATICALLY', 2],
      [5, 'OPEN_RSVP', 2],
    ]);
    const bad = await sb.call('PATCH', `/events/v3/events/${ev.id}`, { event: { registration: { rsvp: { limit: -1 } } } });
    expect(bad.status).toBe(400);
    expect((await sb.call('PATCH', `/events/v3/events/${randomUUID()}`, { event: { title: 'x' } })).status).toBe(404);
  });

  it('runs the docs waitlist promotion flow: a cancellation frees spots that the first waiting RSVP takes', async () => {
    const ev = await newEvent({ registration: { initialType: 'RSVP', rsvp: { limit: 3, waitlistEnabled: true } } });
    const holder = await rsvp(ev.id, 2); // 3 guests: full
    const waitingPair = await rsvp(ev.id, 1); // 2 guests -> waitlist
    const waitingSolo = await rsvp(ev.id, 0); // 1 guest -> waitlist
    expect([holder.status, waitingPair.status, waitingSolo.status]).toEqual(['YES', 'WAITLIST', 'WAITLIST']);

    await sb.call('PATCH', `/events/v2/rsvps/${holder.id}`, { rsvp: { id: holder.id, revision: holder.revision, status: 'NO' } });
    const last = (await sb.webhooks()).filter((w) => w.eventType === 'wix.events.v3.event_updated' && w.entityId === ev.id).at(-1)!;
    const free = last.entity.registration.rsvp.limit - last.entity.summaries.rsvps.yesCount;
    expect(free).toBe(3);

    const waiting = await sb.call('POST', '/events/v2/rsvps/search', {
      search: { filter: { eventId: ev.id, status: 'WAITLIST' }, sort: [{ fieldName: 'createdDate', order: 'ASC' }] },
      fields: ['DETAILS'],
    });
    expect(waiting.body.rsvps.map((r: any) => r.id)).toEqual([waitingPair.id, waitingSolo.id]);
    let spots = free;
    for (const candidate of waiting.body.rsvps) {
      if (candidate.totalGuests > spots) continue;
      const res = await sb.call('PATCH', `/events/v2/rsvps/${candidate.id}`, { rsvp: { id: candidate.id, revision: candidate.revision, status: 'YES' } });
      expect(res.status).toBe(200);
      spots -= candidate.totalGuests;
    }
    const summary = (await sb.call('GET', `/events/v3/events/${ev.id}?fields=DASHBOARD`)).body.event.summaries.rsvps;
    expect(summary).toEqual({ totalCount: 3, yesCount: 3, noCount: 3, waitlistCount: 0 });
  });
});
