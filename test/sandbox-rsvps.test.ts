/**
 * The sandbox's RSVP v2 API over real HTTP (docs/upstream.md §5, seed 004): create/get/update/delete, query, search,
 * count, bulk update, delete by filter, check-in and cancel check-in, summaries, and the webhooks they emit.
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

async function newEvent(rsvp: Record<string, unknown> = {}, initialType = 'RSVP'): Promise<string> {
  const res = await sb.call('POST', '/events/v3/events', { event: { title: 'Evening talk', registration: { initialType, rsvp } } });
  expect(res.status).toBe(200);
  return res.body.event.id;
}

function rsvpInput(eventId: string, extra: Record<string, unknown> = {}) {
  return {
    eventId,
    firstName: 'Ada',
    lastName: 'Lovelace',
    email: 'ada@example.com',
    status: 'YES',
    additionalGuestDetails: { guestCount: 0 },
    ...extra,
  };
}

async function createRsvp(eventId: string, extra: Record<string, unknown> = {}, fields: string[] = ['DETAILS']) {
  const res = await sb.call('POST', '/events/v2/rsvps', { rsvp: rsvpInput(eventId, extra), fields });
  if (res.status !== 200) throw new Error(`create RSVP answered ${res.status}: ${JSON.stringify(res.body)}`);
  return res.body.rsvp;
}

describe('create', () => {
  it('creates an RSVP with one guest per person, guestIds from 1 and indexes from 0', async () => {
    const eventId = await newEvent();
    const rsvp = await createRsvp(eventId, { additionalGuestDetails: { guestCount: 2, guestNames: ['Grace Hopper', 'Alan Turing'] } });
    expect(rsvp).toMatchObject({ eventId, status: 'YES', revision: '1', totalGuests: 3, checkedInGuestCount: 0, fullyCheckedIn: false });
    expect(rsvp.guestList.guests.map((g: any) => [g.index, g.guestId, g.fullName])).toEqual([
      [0, 1, 'Ada Lovelace'],
      [1, 2, 'Grace Hopper'],
      [2, 3, 'Alan Turing'],
    ]);
  });

  it('answers only the base projection without fieldsets, and adds email / form per fieldset', async () => {
    const eventId = await newEvent();
    const base = (await sb.call('POST', '/events/v2/rsvps', { rsvp: rsvpInput(eventId) })).body.rsvp;
    expect(Object.keys(base).sort()).toEqual(['anonymized', 'contactId', 'eventId', 'id', 'revision', 'status']);
    const full = (await sb.call('POST', '/events/v2/rsvps', { rsvp: rsvpInput(eventId), fields: ['CONTACT_DETAILS', 'FORM'] })).body.rsvp;
    expect(full.email).toBe('ada@example.com');
    expect(full.form.inputValues.map((v: any) => v.inputName)).toEqual(['firstName', 'lastName', 'email']);
    expect(full.firstName).toBeUndefined();
  });

  it('refuses a create missing the SDK-required fields with one violation per field', async () => {
    const res = await sb.call('POST', '/events/v2/rsvps', { rsvp: { eventId: randomUUID() } });
    expect(res.status).toBe(400);
    const fields = res.body.details.validationError.fieldViolations.map((v: any) => v.field).sort();
    expect(fields).toEqual(['rsvp.additionalGuestDetails.guestCount', 'rsvp.email', 'rsvp.firstName', 'rsvp.lastName', 'rsvp.status']);
  });

  it('refuses names over 50 characters, bad emails and more than 10 additional guests', async () => {
    const eventId = await newEvent();
    for (const extra of [{ firstName: 'x'.repeat(51) }, { email: 'not-an-email' }, { additionalGuestDetails: { guestCount: 11 } }]) {
      const res = await sb.call('POST', '/events/v2/rsvps', { rsvp: rsvpInput(eventId, extra) });
      expect(res.status).toBe(400);
      expect(res.body.details.validationError.fieldViolations).toHaveLength(1);
    }
  });

  it('answers 404 EVENT_NOT_FOUND for an unknown event and 400 INVALID_EVENT_TYPE for a ticketed one', async () => {
    const missing = await sb.call('POST', '/events/v2/rsvps', { rsvp: rsvpInput(randomUUID()) });
    expect(missing.status).toBe(404);
    expect(missing.body.details.applicationError.code).toBe('EVENT_NOT_FOUND');
    const ticketed = await newEvent({}, 'TICKETING');
    const wrong = await sb.call('POST', '/events/v2/rsvps', { rsvp: rsvpInput(ticketed) });
    expect(wrong.status).toBe(400);
    expect(wrong.body.details.applicationError.code).toBe('INVALID_EVENT_TYPE');
  });

  it('puts an RSVP that does not fit on the waitlist when the event has one', async () => {
    const eventId = await newEvent({ limit: 3, waitlistEnabled: true });
    const first = await createRsvp(eventId, { additionalGuestDetails: { guestCount: 1 } });
    const second = await createRsvp(eventId, { additionalGuestDetails: { guestCount: 1 } });
    const third = await createRsvp(eventId);
    expect([first.status, second.status, third.status]).toEqual(['YES', 'WAITLIST', 'YES']);
    const event = (await sb.call('GET', `/events/v3/events/${eventId}?fields=DASHBOARD&fields=REGISTRATION`)).body.event;
    expect(event.summaries.rsvps).toEqual({ totalCount: 3, yesCount: 3, noCount: 0, waitlistCount: 2 });
    expect(event.registration.status).toBe('OPEN_RSVP_WAITLIST_ONLY');
  });

  it('refuses an RSVP that does not fit when the event has no waitlist (428 GUEST_LIMIT_EXCEEDED)', async () => {
    const eventId = await newEvent({ limit: 2, waitlistEnabled: false });
    await createRsvp(eventId);
    const res = await sb.call('POST', '/events/v2/rsvps', { rsvp: rsvpInput(eventId, { additionalGuestDetails: { guestCount: 1 } }) });
    expect(res.status).toBe(428);
    expect(res.body.details.applicationError).toMatchObject({ code: 'GUEST_LIMIT_EXCEEDED', data: { maxRsvpSize: 1 } });
    const waitlist = await sb.call('POST', '/events/v2/rsvps', { rsvp: rsvpInput(eventId, { status: 'WAITLIST' }) });
    expect(waitlist.status).toBe(428);
    expect(waitlist.body.details.applicationError.code).toBe('WAITING_LIST_UNAVAILABLE');
    const summary = (await sb.call('GET', `/events/v2/rsvps/summaries?eventId=${eventId}`)).body.summaries[0];
    expect(summary).toEqual({ eventId, yesGuestCount: 1, noGuestCount: 0, waitlistGuestCount: 0, totalRsvpCount: 1 });
  });

  it('refuses a NO on an event set to "Yes only" (seed 004: the RSVP options are "Yes only" or "Yes and No")', async () => {
    const eventId = await newEvent({ responseType: 'YES_ONLY' });
    const no = await sb.call('POST', '/events/v2/rsvps', { rsvp: rsvpInput(eventId, { status: 'NO' }) });
    expect(no.status).toBe(400);
    expect(no.body.details.applicationError.code).toBe('UNEXPECTED_RSVP_STATUS');
    expect((await sb.call('POST', '/events/v2/rsvps', { rsvp: rsvpInput(eventId) })).status).toBe(200);
    const open = await newEvent({ responseType: 'YES_AND_NO' });
    expect((await sb.call('POST', '/events/v2/rsvps', { rsvp: rsvpInput(open, { status: 'NO' }) })).status).toBe(200);
  });

  it('lets options.ignoreLimits override the limit', async () => {
    const eventId = await newEvent({ limit: 1 });
    await createRsvp(eventId);
    const res = await sb.call('POST', '/events/v2/rsvps', { rsvp: rsvpInput(eventId), options: { ignoreLimits: true } });
    expect(res.body.rsvp.status).toBe('YES');
  });
});

describe('get', () => {
  it('reads an RSVP with repeated fields params and ignores the redundant rsvpId param the SDK sends', async () => {
    const eventId = await newEvent();
    const created = await createRsvp(eventId);
    const res = await sb.call('GET', `/events/v2/rsvps/${created.id}?rsvpId=${created.id}&fields=DETAILS&fields=CONTACT_DETAILS`);
    expect(res.status).toBe(200);
    expect(res.body.rsvp).toMatchObject({ id: created.id, firstName: 'Ada', email: 'ada@example.com', revision: '1' });
    expect(res.body.rsvp.form).toBeUndefined();
  });

  it('answers 404 RSVP_NOT_FOUND for an unknown id, 400 for an unknown fieldset', async () => {
    const res = await sb.call('GET', `/events/v2/rsvps/${randomUUID()}`);
    expect(res.status).toBe(404);
    expect(res.body.details.applicationError.code).toBe('RSVP_NOT_FOUND');
    const bad = await sb.call('GET', `/events/v2/rsvps/${randomUUID()}?fields=EVERYTHING`);
    expect(bad.status).toBe(400);
  });

  it('routes the literal /summaries and /current segments before the {rsvpId} capture', async () => {
    const eventId = await newEvent();
    await createRsvp(eventId, { additionalGuestDetails: { guestCount: 2 } });
    await createRsvp(eventId, { status: 'NO' });
    const other = randomUUID();
    const res = await sb.call('GET', `/events/v2/rsvps/summaries?eventId=${eventId}&eventId=${other}`);
    expect(res.status).toBe(200);
    expect(res.body.summaries).toEqual([
      { eventId, yesGuestCount: 3, noGuestCount: 1, waitlistGuestCount: 0, totalRsvpCount: 2 },
      { eventId: other, yesGuestCount: 0, noGuestCount: 0, waitlistGuestCount: 0, totalRsvpCount: 0 },
    ]);
    expect((await sb.call('GET', '/events/v2/rsvps/summaries')).status).toBe(400);
    const current = await sb.call('GET', `/events/v2/rsvps/current?eventId=${eventId}`);
    expect(current.status).toBe(428);
    expect(current.body.details.applicationError.code).toBe('MEMBER_IDENTITY_NOT_FOUND');
  });
});

describe('update and delete', () => {
  it('updates with the current revision and increments it', async () => {
    const eventId = await newEvent();
    const created = await createRsvp(eventId);
    const res = await sb.call('PATCH', `/events/v2/rsvps/${created.id}`, { rsvp: { id: created.id, revision: '1', status: 'NO' }, fields: ['DETAILS'] });
    expect(res.status).toBe(200);
    expect(res.body.rsvp).toMatchObject({ status: 'NO', revision: '2', firstName: 'Ada' });
  });

  it('refuses a stale revision with 409 REVISION_MISMATCH and changes nothing', async () => {
    const eventId = await newEvent();
    const created = await createRsvp(eventId);
    await sb.call('PATCH', `/events/v2/rsvps/${created.id}`, { rsvp: { id: created.id, revision: '1', firstName: 'Augusta' } });
    const stale = await sb.call('PATCH', `/events/v2/rsvps/${created.id}`, { rsvp: { id: created.id, revision: '1', status: 'NO', firstName: 'Nobody' } });
    expect(stale.status).toBe(409);
    expect(stale.body.details.applicationError.code).toBe('REVISION_MISMATCH');
    const after = (await sb.call('GET', `/events/v2/rsvps/${created.id}?fields=DETAILS`)).body.rsvp;
    expect(after).toMatchObject({ revision: '2', status: 'YES', firstName: 'Augusta' });
    const missing = await sb.call('PATCH', `/events/v2/rsvps/${created.id}`, { rsvp: { id: created.id, status: 'NO' } });
    expect(missing.status).toBe(400);
    expect(missing.body.details.validationError.fieldViolations[0].field).toBe('rsvp.revision');
  });

  it('re-checks the limit when a status changes to YES', async () => {
    const eventId = await newEvent({ limit: 1, waitlistEnabled: true });
    await createRsvp(eventId);
    const waiting = await createRsvp(eventId);
    expect(waiting.status).toBe('WAITLIST');
    const res = await sb.call('PATCH', `/events/v2/rsvps/${waiting.id}`, { rsvp: { id: waiting.id, revision: '1', status: 'YES' } });
    expect(res.status).toBe(428);
    expect(res.body.details.applicationError.code).toBe('GUEST_LIMIT_EXCEEDED');
    const raised = await sb.call('PATCH', `/events/v3/events/${eventId}`, { event: { id: eventId, registration: { rsvp: { limit: 2 } } } });
    expect(raised.status).toBe(200);
    const promoted = await sb.call('PATCH', `/events/v2/rsvps/${waiting.id}`, { rsvp: { id: waiting.id, revision: '1', status: 'YES' } });
    expect(promoted.body.rsvp).toMatchObject({ status: 'YES', revision: '2' });
  });

  it('deletes an RSVP and its guest; a second delete answers 404', async () => {
    const eventId = await newEvent();
    const created = await createRsvp(eventId);
    expect((await sb.call('DELETE', `/events/v2/rsvps/${created.id}`)).body).toEqual({});
    expect((await sb.call('GET', `/events/v2/rsvps/${created.id}`)).status).toBe(404);
    expect((await sb.call('DELETE', `/events/v2/rsvps/${created.id}`)).status).toBe(404);
    const guests = await sb.call('POST', '/events/v2/guests/query', { query: { filter: { rsvpId: created.id } } });
    expect(guests.body.guests).toEqual([]);
  });
});

describe('query, search and count', () => {
  let eventId: string;
  const total = 500;
  beforeAll(async () => {
    eventId = await newEvent();
    await sb.unheard(async () => {
      for (let i = 0; i < total; i += 50) {
        await Promise.all(
          Array.from({ length: Math.min(50, total - i) }, (_, j) =>
            createRsvp(eventId, { firstName: `P${i + j}`, status: (i + j) % 5 === 0 ? 'NO' : 'YES' }),
          ),
        );
      }
    });
  });

  it('pages 500 RSVPs by cursor (limit 100) without loss or repetition, newest first', async () => {
    const seen: any[] = [];
    let res = await sb.call('POST', '/events/v2/rsvps/query', { query: { filter: { eventId }, cursorPaging: { limit: 100 } }, fields: ['DETAILS'] });
    for (;;) {
      expect(res.status).toBe(200);
      seen.push(...res.body.rsvps);
      expect(res.body.pagingMetadata.count).toBe(res.body.rsvps.length);
      const next = res.body.pagingMetadata.cursors?.next;
      if (!res.body.pagingMetadata.hasNext) break;
      res = await sb.call('POST', '/events/v2/rsvps/query', { query: { cursorPaging: { limit: 100, cursor: next } }, fields: ['DETAILS'] });
    }
    expect(seen).toHaveLength(total);
    expect(new Set(seen.map((r) => r.id)).size).toBe(total);
    const dates = seen.map((r) => r.createdDate);
    expect([...dates].sort().reverse()).toEqual(dates);
  });

  it('defaults to 50 and refuses limits over 100, offset paging and filters outside the SDK query spec', async () => {
    const page = await sb.call('POST', '/events/v2/rsvps/query', { query: { filter: { eventId } } });
    expect(page.body.rsvps).toHaveLength(50);
    expect((await sb.call('POST', '/events/v2/rsvps/query', { query: { cursorPaging: { limit: 101 } } })).status).toBe(400);
    expect((await sb.call('POST', '/events/v2/rsvps/query', { query: { paging: { limit: 10 } } })).status).toBe(400);
    const badOp = await sb.call('POST', '/events/v2/rsvps/query', { query: { filter: { status: { $startsWith: 'Y' } } } });
    expect(badOp.status).toBe(400);
    const badField = await sb.call('POST', '/events/v2/rsvps/query', { query: { filter: { firstName: 'P1' } } });
    expect(badField.status).toBe(400);
  });

  it('counts and filters by status', async () => {
    const count = await sb.call('POST', '/events/v2/rsvps/count', { filter: { eventId, status: 'NO' } });
    expect(count.body).toEqual({ count: 100 });
    const yes = await sb.call('POST', '/events/v2/rsvps/query', { query: { filter: { eventId, status: { $in: ['YES'] } }, cursorPaging: { limit: 5 } } });
    expect(yes.body.rsvps.every((r: any) => r.status === 'YES')).toBe(true);
  });

  it('searches free text over names and pages the search by cursor', async () => {
    const hit = await sb.call('POST', '/events/v2/rsvps/search', {
      search: { filter: { eventId }, search: { expression: 'p42' }, cursorPaging: { limit: 100 } },
      fields: ['DETAILS'],
    });
    expect(hit.status).toBe(200);
    // P42, P420..P429 and nothing else
    expect(hit.body.rsvps.map((r: any) => r.firstName).sort()).toEqual(['P42', ...Array.from({ length: 10 }, (_, i) => `P42${i}`)].sort());
    const firstPage = await sb.call('POST', '/events/v2/rsvps/search', {
      search: { filter: { eventId }, search: { expression: 'p1' }, sort: [{ fieldName: 'firstName', order: 'ASC' }], cursorPaging: { limit: 60 } },
      fields: ['DETAILS'],
    });
    const second = await sb.call('POST', '/events/v2/rsvps/search', {
      search: { cursorPaging: { limit: 60, cursor: firstPage.body.pagingMetadata.cursors.next } },
      fields: ['DETAILS'],
    });
    const names = [...firstPage.body.rsvps, ...second.body.rsvps].map((r: any) => r.firstName);
    // P1, P10..P19, P100..P199 = 111 matches
    expect(names).toHaveLength(111);
    expect(new Set(names).size).toBe(111);
    expect(names.every((n) => n.startsWith('P1'))).toBe(true);
    expect(await sb.call('POST', '/events/v2/rsvps/count', { filter: { eventId }, search: { expression: 'p1' } })).toMatchObject({ body: { count: 111 } });
  });

  it("serves search at /events-rsvps/v2/rsvps/search, where seed 004's example calls it", async () => {
    const res = await sb.call('POST', '/events-rsvps/v2/rsvps/search', { search: { filter: { eventId }, search: { expression: 'p42' }, cursorPaging: { limit: 100 } }, fields: ['DETAILS'] });
    expect(res.status).toBe(200);
    expect(res.body.rsvps).toHaveLength(11);
  });

  it('answers a VALUE aggregation over the matched set', async () => {
    const res = await sb.call('POST', '/events/v2/rsvps/search', {
      search: { filter: { eventId }, cursorPaging: { limit: 1 }, aggregations: [{ name: 'byStatus', type: 'VALUE', fieldPath: 'status' }] },
    });
    expect(res.body.aggregationData.results[0]).toEqual({
      name: 'byStatus',
      type: 'VALUE',
      fieldPath: 'status',
      values: { results: [{ value: 'YES', count: 400 }, { value: 'NO', count: 100 }] },
    });
  });
});

describe('bulk update and delete by filter', () => {
  it('updates item by item, reporting RSVP_NOT_FOUND and revision conflicts in itemMetadata', async () => {
    const eventId = await newEvent();
    const a = await createRsvp(eventId);
    const b = await createRsvp(eventId);
    const missing = randomUUID();
    const res = await sb.call('PATCH', '/events/v2/bulk/rsvps/update', {
      rsvps: [
        { rsvp: { id: a.id, revision: '1', status: 'NO', firstName: 'Masked' }, fieldMask: 'status' },
        { rsvp: { id: missing, revision: '1', status: 'NO' } },
        { rsvp: { id: b.id, revision: '7', status: 'NO' } },
      ],
      returnEntity: true,
      fields: ['DETAILS'],
    });
    expect(res.status).toBe(200);
    expect(res.body.bulkActionMetadata).toEqual({ totalSuccesses: 1, totalFailures: 2, undetailedFailures: 0 });
    const [ok, notFound, conflict] = res.body.results;
    expect(ok.itemMetadata).toEqual({ id: a.id, originalIndex: 0, success: true });
    expect(ok.rsvp).toMatchObject({ status: 'NO', revision: '2', firstName: 'Ada' });
    expect(notFound.itemMetadata).toMatchObject({ id: missing, originalIndex: 1, success: false, error: { code: 'RSVP_NOT_FOUND' } });
    expect(conflict.itemMetadata).toMatchObject({ originalIndex: 2, success: false, error: { code: 'REVISION_MISMATCH' } });
    expect((await sb.call('GET', `/events/v2/rsvps/${b.id}`)).body.rsvp).toMatchObject({ status: 'YES', revision: '1' });
  });

  it('refuses an empty or oversized bulk update', async () => {
    expect((await sb.call('PATCH', '/events/v2/bulk/rsvps/update', { rsvps: [] })).status).toBe(400);
    const many = Array.from({ length: 101 }, () => ({ rsvp: { id: randomUUID(), revision: '1' } }));
    expect((await sb.call('PATCH', '/events/v2/bulk/rsvps/update', { rsvps: many })).status).toBe(400);
  });

  it('deletes by filter and refuses an empty filter with EMPTY_FILTER', async () => {
    const eventId = await newEvent();
    await Promise.all([createRsvp(eventId), createRsvp(eventId, { status: 'NO' }), createRsvp(eventId, { status: 'NO' })]);
    const empty = await sb.call('POST', '/events/v2/bulk/rsvps/delete-by-filter', { filter: {} });
    expect(empty.status).toBe(400);
    expect(empty.body.details.applicationError.code).toBe('EMPTY_FILTER');
    const res = await sb.call('POST', '/events/v2/bulk/rsvps/delete-by-filter', { filter: { eventId, status: 'NO' } });
    expect(res.status).toBe(200);
    expect(res.body.jobId).toMatch(/^[0-9a-f-]{36}$/);
    expect((await sb.call('POST', '/events/v2/rsvps/count', { filter: { eventId } })).body.count).toBe(1);
  });
});

describe('check-in', () => {
  it('checks in chosen guests, bumps the revision and mirrors it on the event guest', async () => {
    const eventId = await newEvent();
    const rsvp = await createRsvp(eventId, { additionalGuestDetails: { guestCount: 2, guestNames: ['B', 'C'] } });
    const res = await sb.call('POST', `/events/v2/rsvps/${rsvp.id}/check-in`, { guestIds: [1, 3], fields: ['DETAILS'] });
    expect(res.status).toBe(200);
    expect(res.body.rsvp).toMatchObject({ revision: '2', checkedInGuestCount: 2, fullyCheckedIn: false });
    expect(res.body.rsvp.guestList.guests.map((g: any) => g.checkInDetails.checkedIn)).toEqual([true, false, true]);
    expect(typeof res.body.rsvp.guestList.guests[0].checkInDetails.checkInDate).toBe('string');
    const guest = (await sb.call('POST', '/events/v2/guests/query', { query: { filter: { rsvpId: rsvp.id } }, fields: ['GUEST_DETAILS'] })).body.guests[0];
    expect(guest.guestDetails.checkedIn).toBe(true);
    expect(guest.guestDetails.checkInDetails.map((d: any) => [d.fullName, d.checkedIn])).toEqual([
      ['Ada Lovelace', true],
      ['B', false],
      ['C', true],
    ]);
  });

  it('refuses 12 guest ids (400), unknown guests (400 GUEST_NOT_FOUND) and a second check-in (428)', async () => {
    const eventId = await newEvent();
    const rsvp = await createRsvp(eventId, { additionalGuestDetails: { guestCount: 1 } });
    const twelve = await sb.call('POST', `/events/v2/rsvps/${rsvp.id}/check-in`, { guestIds: Array.from({ length: 12 }, (_, i) => i + 1) });
    expect(twelve.status).toBe(400);
    expect(twelve.body.details.validationError.fieldViolations[0].field).toBe('guestIds');
    const unknown = await sb.call('POST', `/events/v2/rsvps/${rsvp.id}/check-in`, { guestIds: [3] });
    expect(unknown.status).toBe(400);
    expect(unknown.body.details.applicationError.code).toBe('GUEST_NOT_FOUND');
    expect((await sb.call('POST', `/events/v2/rsvps/${rsvp.id}/check-in`, {})).body.rsvp.revision).toBe('2');
    const again = await sb.call('POST', `/events/v2/rsvps/${rsvp.id}/check-in`, { guestIds: [2] });
    expect(again.status).toBe(428);
    expect(again.body.details.applicationError.code).toBe('GUEST_ALREADY_CHECKED_IN');
    expect((await sb.call('POST', `/events/v2/rsvps/${randomUUID()}/check-in`, {})).status).toBe(404);
  });

  it('cancels check-ins: one guest, then all with an empty body, then refuses with GUEST_NOT_CHECKED_IN', async () => {
    const eventId = await newEvent();
    const rsvp = await createRsvp(eventId, { additionalGuestDetails: { guestCount: 1 } });
    await sb.call('POST', `/events/v2/rsvps/${rsvp.id}/check-in`, {});
    const one = await sb.call('POST', `/events/v2/rsvps/${rsvp.id}/cancel-check-in`, { guestIds: [2], fields: ['DETAILS'] });
    expect(one.body.rsvp).toMatchObject({ checkedInGuestCount: 1, fullyCheckedIn: false, revision: '3' });
    expect(one.body.rsvp.guestList.guests[1].checkInDetails).toMatchObject({ checkedIn: false, checkInDate: null });
    const all = await sb.call('POST', `/events/v2/rsvps/${rsvp.id}/cancel-check-in`, {});
    expect(all.status).toBe(200);
    const none = await sb.call('POST', `/events/v2/rsvps/${rsvp.id}/cancel-check-in`, { guestIds: [1] });
    expect(none.status).toBe(428);
    expect(none.body.details.applicationError.code).toBe('GUEST_NOT_CHECKED_IN');
  });
});

describe('webhooks', () => {
  it('emits rsvp, guest and event webhooks for a create and a check-in', async () => {
    const eventId = await newEvent({ limit: 10 });
    const rsvp = await createRsvp(eventId, { additionalGuestDetails: { guestCount: 1 } });
    await sb.call('POST', `/events/v2/rsvps/${rsvp.id}/check-in`, { guestIds: [1] });
    const events = await sb.webhooks();
    const mine = events.filter((e) => e.entityId === rsvp.id || e.entityId === eventId || e.entity?.rsvpId === rsvp.id);
    // Deliveries are concurrent, so only the per-entity order (entityEventSequence) is guaranteed.
    expect(mine.map((e) => e.eventType).sort()).toEqual(
      [
        'wix.events.v3.event_created', // the event itself, made through the API
        'wix.events.v2.rsvp_created',
        'wix.events.guests.v1.guest_created',
        'wix.events.guests.v1.guest_updated', // seed 003: always with guest_created
        'wix.events.v3.event_updated',
        'wix.events.v2.rsvp_updated',
        'wix.events.guests.v1.guest_updated',
        'wix.events.guests.v1.guest_guest_checked_in',
      ].sort(),
    );
    const byType = (t: string) => mine.find((e) => e.eventType === t)!;
    const created = byType('wix.events.v2.rsvp_created');
    expect(created.domainEvent.createdEvent.entity).toMatchObject({ id: rsvp.id, totalGuests: 2, email: 'ada@example.com' });
    const eventUpdated = byType('wix.events.v3.event_updated');
    expect(eventUpdated.domainEvent.updatedEvent.currentEntity).toMatchObject({
      id: eventId,
      registration: { rsvp: { limit: 10 } },
      summaries: { rsvps: { yesCount: 2, totalCount: 1 } },
    });
    const checkedIn = byType('wix.events.guests.v1.guest_guest_checked_in');
    // Seed 003's example: the body as `bodyAsJson`, an object.
    expect(checkedIn.domainEvent.actionEvent.bodyAsJson.guest).toMatchObject({ rsvpId: rsvp.id, guestDetails: { checkedIn: true } });
    expect(checkedIn.domainEvent.actionEvent.bodyAsJson.eventDetails).toMatchObject({ title: 'Evening talk' });
    expect(byType('wix.events.v2.rsvp_updated').domainEvent.updatedEvent.currentEntity.revision).toBe('2');
  });
});

describe('aliases', () => {
  it('serves the /_api/events-rsvps/v2 paths the SDK calls on non-wixapis hosts', async () => {
    const eventId = await newEvent();
    const created = await sb.call('POST', '/_api/events-rsvps/v2/rsvps', { rsvp: rsvpInput(eventId) });
    expect(created.status).toBe(200);
    const got = await sb.call('GET', `/_api/events-rsvps/v2/rsvps/${created.body.rsvp.id}`);
    expect(got.body.rsvp.id).toBe(created.body.rsvp.id);
    const checked = await sb.call('POST', `/_api/events-rsvps/v2/rsvps/${created.body.rsvp.id}/check-in`, {});
    expect(checked.status).toBe(200);
  });
});
