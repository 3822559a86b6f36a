/**
 * The official Wix SDK packages against the running sandbox: @wix/sdk's createClient with a fetch that sends the
 * requests meant for https://www.wixapis.com to the sandbox instead (docs/upstream.md §1.1: with no `host` the SDK
 * calls the wixapis paths). If the sandbox's wire shapes drift from the SDK's, these round trips break.
 */
import { ApiKeyStrategy, createClient } from '@wix/sdk';
import * as guests from '@wix/auto_sdk_events_guests';
import * as rsvps from '@wix/auto_sdk_events_rsvp-v-2';
import * as wixEvents from '@wix/auto_sdk_events_wix-events-v-2';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEventsSandbox, type EventsSandbox } from './support/events-sandbox.js';

let sb: EventsSandbox;
let client: ReturnType<typeof makeClient>;
const paths: string[] = [];

function makeClient(base: string, token: string) {
  return createClient({
    modules: { rsvps, guests, wixEvents },
    auth: ApiKeyStrategy({ apiKey: token, siteId: 'sandbox-site' }),
    fetch: (input: RequestInfo | URL, init?: RequestInit) => {
      const url = new URL(input instanceof Request ? input.url : String(input));
      paths.push(`${init?.method ?? (input instanceof Request ? input.method : 'GET')} ${url.pathname}`);
      return fetch(`${base}${url.pathname}${url.search}`, init ?? (input as Request));
    },
  });
}

beforeAll(async () => {
  sb = await startEventsSandbox();
  client = makeClient(sb.url, sb.token);
});
afterAll(async () => {
  await sb?.stop();
});

async function newEvent(rsvp: Record<string, unknown> = {}): Promise<string> {
  const res = await sb.call('POST', '/events/v3/events', { event: { title: 'SDK evening', registration: { initialType: 'RSVP', rsvp } } });
  return res.body.event.id;
}

describe('@wix/auto_sdk_events_rsvp-v-2', () => {
  it('round-trips create, get, query, update and check-in', async () => {
    const eventId = await newEvent();
    const created = await client.rsvps.createRsvp(
      { eventId, firstName: 'Ada', lastName: 'Lovelace', email: 'ada@example.com', status: 'YES', additionalGuestDetails: { guestCount: 1, guestNames: ['Byron'] } },
      { fields: ['DETAILS', 'CONTACT_DETAILS'] },
    );
    expect(created._id).toMatch(/^[0-9a-f-]{36}$/);
    expect(created._createdDate).toBeInstanceOf(Date);
    expect(created.guestList?.guests?.map((g) => [g.guestId, g.fullName])).toEqual([
      [1, 'Ada Lovelace'],
      [2, 'Byron'],
    ]);

    const got = await client.rsvps.getRsvp(created._id!, { fields: ['DETAILS'] });
    expect(got).toMatchObject({ _id: created._id, firstName: 'Ada', totalGuests: 2, revision: '1' });

    const page = await client.rsvps.queryRsvps({ fields: ['DETAILS'] }).eq('eventId', eventId).descending('_createdDate').limit(10).find();
    expect(page.items.map((r) => r._id)).toEqual([created._id]);

    const updated = await client.rsvps.updateRsvp(created._id!, { revision: got.revision, status: 'NO' }, { fields: ['DETAILS'] });
    expect(updated).toMatchObject({ status: 'NO', revision: '2' });

    const checked = await client.rsvps.checkInRsvpGuests(created._id!, { guestIds: [2], fields: ['DETAILS'] });
    expect(checked.rsvp?.checkedInGuestCount).toBe(1);
    expect(checked.rsvp?.guestList?.guests?.[1]?.checkInDetails?.checkedIn).toBe(true);

    const canceled = await client.rsvps.cancelRsvpGuestsCheckIn(created._id!, { fields: ['DETAILS'] });
    expect(canceled.rsvp?.checkedInGuestCount).toBe(0);

    const summaries = await client.rsvps.listRsvpSummary([eventId]);
    expect(summaries.summaries).toEqual([{ eventId, yesGuestCount: 0, noGuestCount: 2, waitlistGuestCount: 0, totalRsvpCount: 1 }]);

    expect(paths).toContain(`GET /events/v2/rsvps/${created._id}`);
    expect(paths).toContain('POST /events/v2/rsvps/query');
  });

  it('surfaces the sandbox errors as SDK errors with their application codes', async () => {
    const eventId = await newEvent();
    const created = await client.rsvps.createRsvp({ eventId, firstName: 'B', lastName: 'C', email: 'b@example.com', status: 'YES', additionalGuestDetails: { guestCount: 0 } });
    await client.rsvps.checkInRsvpGuests(created._id!, {});
    const err: any = await client.rsvps.checkInRsvpGuests(created._id!, { guestIds: [1] }).catch((e) => e);
    expect(err).toBeInstanceOf(Error);
    expect(err.details?.applicationError?.code).toBe('GUEST_ALREADY_CHECKED_IN');
    const stale: any = await client.rsvps.updateRsvp(created._id!, { revision: '1', status: 'NO' }).catch((e) => e);
    expect(stale.details?.applicationError?.code).toBe('REVISION_MISMATCH');
  });

  it('pages a cursor query with next() the way the SDK sends it (cursor only)', async () => {
    const eventId = await newEvent();
    for (let i = 0; i < 25; i++) {
      await client.rsvps.createRsvp({ eventId, firstName: `N${i}`, lastName: 'X', email: 'n@example.com', status: 'YES', additionalGuestDetails: { guestCount: 0 } });
    }
    const ids: string[] = [];
    let page = await client.rsvps.queryRsvps().eq('eventId', eventId).limit(10).find();
    ids.push(...page.items.map((r) => r._id!));
    while (page.hasNext()) {
      page = await page.next();
      ids.push(...page.items.map((r) => r._id!));
    }
    expect(ids).toHaveLength(25);
    expect(new Set(ids).size).toBe(25);
  });
});

describe('@wix/auto_sdk_events_guests', () => {
  it('queries guests with fields and builder filters, and pages with next()', async () => {
    const eventId = await newEvent();
    const r = await client.rsvps.createRsvp({ eventId, firstName: 'G', lastName: 'H', email: 'g@example.com', status: 'YES', additionalGuestDetails: { guestCount: 2 } });
    for (let i = 0; i < 4; i++) {
      await client.rsvps.createRsvp({ eventId, firstName: `G${i}`, lastName: 'H', email: 'g@example.com', status: 'NO', additionalGuestDetails: { guestCount: 0 } });
    }
    await client.rsvps.checkInRsvpGuests(r._id!, { guestIds: [1] });

    const attending = await client.guests.queryGuests({ fields: ['GUEST_DETAILS', 'GUEST_TOTAL'] }).eq('eventId', eventId).eq('attendanceStatus', 'ATTENDING').find();
    expect(attending.items).toHaveLength(1);
    expect(attending.items[0]).toMatchObject({ rsvpId: r._id, totalGuests: 3, guestType: 'RSVP', guestDetails: { checkedIn: true } });
    expect(attending.items[0]!._createdDate).toBeInstanceOf(Date);

    const ids: string[] = [];
    let page = await client.guests.queryGuests().eq('eventId', eventId).limit(2).find();
    ids.push(...page.items.map((g) => g._id!));
    while (page.hasNext()) {
      page = await page.next();
      ids.push(...page.items.map((g) => g._id!));
    }
    expect(new Set(ids).size).toBe(5);
  });
});

describe('@wix/auto_sdk_events_wix-events-v-2 (Events v3)', () => {
  it('gets an event with REGISTRATION and DASHBOARD and queries events', async () => {
    const eventId = await newEvent({ limit: 7, waitlistEnabled: true });
    await client.rsvps.createRsvp({ eventId, firstName: 'E', lastName: 'F', email: 'e@example.com', status: 'YES', additionalGuestDetails: { guestCount: 1 } });
    const event = await client.wixEvents.getEvent(eventId, { fields: ['REGISTRATION', 'DASHBOARD'] });
    expect(event).toMatchObject({
      _id: eventId,
      registration: { type: 'RSVP', rsvp: { limit: 7, waitlistEnabled: true } },
      summaries: { rsvps: { yesCount: 2, totalCount: 1 } },
    });
    const found = await client.wixEvents.queryEvents().eq('_id', eventId).find();
    expect(found.items.map((e) => e._id)).toEqual([eventId]);
  });
});
