/**
 * RSVP mutations through the gateway against the sandbox: every effect is read back from the upstream, and every
 * refused input is shown to leave the upstream untouched (read back, and no write call in the sandbox stats).
 * Each test works in its own tenant (a fresh token), so the demo data never gets in the way.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSandboxClient } from './support/sandbox-client.js';
import { REVISION_CONFLICTS, withRevisionConflict } from './support/revision-conflicts.js';
import { startStack, type Stack } from './support/stack.js';
import { ERROR_FIELDS } from './support/queries.js';

/** The sandbox's control API (/__sandbox/…). */
const control = (base: string, method: string, path: string, body?: unknown) => createSandboxClient(base, null).control(method, path, body);

let stack: Stack;
beforeAll(async () => {
  stack = await startStack({ webhooks: false });
});
afterAll(async () => {
  await stack?.stop();
});


const CREATE = `mutation($input: CreateRsvpInput!) { createRsvp(input: $input) { ${ERROR_FIELDS} ... on RsvpPayload { rsvp { id rsvpId revision status firstName } } } }`;
const UPDATE = `mutation($input: UpdateRsvpInput!) { updateRsvp(input: $input) { ${ERROR_FIELDS} ... on RsvpPayload { rsvp { id rsvpId revision status firstName } } } }`;
const DELETE = `mutation($input: DeleteRsvpInput!) { deleteRsvp(input: $input) { ${ERROR_FIELDS} ... on DeleteRsvpPayload { deletedRsvpId } } }`;
const GUESTS = `
  ${ERROR_FIELDS}
  ... on RsvpGuestsPayload {
    successCount failureCount
    rsvps { rsvpId checkedInGuestCount fullyCheckedIn }
    results { rsvpId guestId success error { __typename code message upstreamCode retryable } }
  }`;
const CHECK_IN = `mutation($input: RsvpGuestsInput!) { checkInRsvpGuests(input: $input) { ${GUESTS} } }`;
const CANCEL = `mutation($input: RsvpGuestsInput!) { cancelRsvpGuestsCheckIn(input: $input) { ${GUESTS} } }`;
const PROMOTE = `mutation($eventId: ID!) { promoteWaitlist(input: { eventId: $eventId }) {
  ${ERROR_FIELDS}
  ... on PromoteWaitlistPayload { promoted { rsvpId status } freeSpots waitingRsvps }
} }`;

/** A fresh tenant with one RSVP event. */
async function tenantWithEvent(rsvp: { limit?: number | null; waitlistEnabled?: boolean } = {}) {
  const token = `mutations-rsvp-${randomUUID()}`;
  const created = await stack.upstream('POST', '/events/v3/events', { event: { title: 'Open day', registration: { initialType: 'RSVP', rsvp } } }, token);
  expect(created.status).toBe(200);
  return { token, eventId: created.body.event.id as string };
}

async function upstreamRsvp(token: string, id: string) {
  return stack.upstream('GET', `/events/v2/rsvps/${id}?fields=DETAILS&fields=CONTACT_DETAILS`, undefined, token);
}

async function createUpstreamRsvp(token: string, eventId: string, guestCount = 0, status = 'YES') {
  const res = await stack.upstream(
    'POST',
    '/events/v2/rsvps',
    {
      rsvp: { eventId, firstName: 'Ada', lastName: `Guest ${randomUUID().slice(0, 4)}`, email: `${randomUUID().slice(0, 8)}@example.com`, status, additionalGuestDetails: { guestCount } },
      fields: ['DETAILS'],
    },
    token,
  );
  expect(res.status).toBe(200);
  return res.body.rsvp as { id: string; revision: string; status: string; totalGuests: number };
}

function writes(byRoute: Record<string, number>): Record<string, number> {
  return Object.fromEntries(Object.entries(byRoute).filter(([route]) => !/^GET |\/query$|\/search$|\/count$|^POST \/oauth2/.test(route)));
}

describe('createRsvp', () => {
  it('creates the RSVP upstream with its additional guests', async () => {
    const { token, eventId } = await tenantWithEvent();
    const res = await stack.gql(
      CREATE,
      { input: { eventId, firstName: 'Grace', lastName: 'Hopper', email: 'grace@example.com', guestCount: 2, guestNames: ['Ada', 'Alan'] } },
      token,
    );
    expect(res.errors).toBeUndefined();
    expect(res.data.createRsvp.__typename).toBe('RsvpPayload');
    const stored = await upstreamRsvp(token, res.data.createRsvp.rsvp.rsvpId);
    expect(stored.status).toBe(200);
    expect(stored.body.rsvp).toMatchObject({ eventId, firstName: 'Grace', lastName: 'Hopper', email: 'grace@example.com', status: 'YES', totalGuests: 3 });
    expect(stored.body.rsvp.guestList.guests.map((g: any) => g.fullName)).toEqual(['Grace Hopper', 'Ada', 'Alan']);
  });

  it.each([
    ['input.firstName', { firstName: '' }, 'MIN_LENGTH'],
    ['input.lastName', { lastName: 'x'.repeat(51) }, 'MAX_LENGTH'],
    ['input.email', { email: 'not-an-email' }, 'FORMAT'],
    ['input.guestCount', { guestCount: 11 }, 'RANGE'],
    ['input.guestNames', { guestCount: 1, guestNames: ['A', 'B'] }, 'CONTRADICTION'],
    ['input.eventId', { eventId: 'event-1' }, 'FORMAT'],
  ])('refuses %s before calling upstream', async (field, override, rule) => {
    const { token, eventId } = await tenantWithEvent();
    await stack.resetStats();
    const res = await stack.gql(CREATE, { input: { eventId, firstName: 'Grace', lastName: 'Hopper', email: 'grace@example.com', ...override } }, token);
    expect(res.data.createRsvp).toMatchObject({ __typename: 'ValidationError', code: 'VALIDATION_FAILED', field, rule });
    expect((await stack.stats()).total).toBe(0);
    const count = await stack.upstream('POST', '/events/v2/rsvps/count', { filter: { eventId } }, token);
    expect(count.body.count).toBe(0);
  });

  it('reports an unknown event as NotFoundError', async () => {
    const { token } = await tenantWithEvent();
    const missing = randomUUID();
    const res = await stack.gql(CREATE, { input: { eventId: missing, firstName: 'Grace', lastName: 'Hopper', email: 'grace@example.com' } }, token);
    expect(res.data.createRsvp).toMatchObject({ __typename: 'NotFoundError', resource: 'Event', id: missing });
  });

  it('reports a full event without a waitlist as CapacityExceededError', async () => {
    const { token, eventId } = await tenantWithEvent({ limit: 2, waitlistEnabled: false });
    const res = await stack.gql(CREATE, { input: { eventId, firstName: 'Grace', lastName: 'Hopper', email: 'grace@example.com', guestCount: 2 } }, token);
    expect(res.data.createRsvp).toMatchObject({ __typename: 'CapacityExceededError', code: 'CAPACITY_EXCEEDED', available: 2 });
    const count = await stack.upstream('POST', '/events/v2/rsvps/count', { filter: { eventId } }, token);
    expect(count.body.count).toBe(0);
  });
});

describe('updateRsvp', () => {
  it('updates with the current revision and returns the fresh RSVP', async () => {
    const { token, eventId } = await tenantWithEvent();
    const rsvp = await createUpstreamRsvp(token, eventId);
    const res = await stack.gql(UPDATE, { input: { rsvpId: rsvp.id, revision: rsvp.revision, firstName: 'Katherine' } }, token);
    expect(res.data.updateRsvp.__typename).toBe('RsvpPayload');
    const stored = await upstreamRsvp(token, rsvp.id);
    expect(stored.body.rsvp).toMatchObject({ firstName: 'Katherine', revision: String(Number(rsvp.revision) + 1) });
  });

  it.each(REVISION_CONFLICTS)('answers a stale revision (upstream $status $code) with RevisionConflictError carrying the current one, and changes nothing', (conflict) =>
    withRevisionConflict(stack.sandboxUrl, conflict, async () => {
    const { token, eventId } = await tenantWithEvent();
    const rsvp = await createUpstreamRsvp(token, eventId);
    const first = await stack.gql(UPDATE, { input: { rsvpId: rsvp.id, revision: rsvp.revision, firstName: 'First' } }, token);
    expect(first.data.updateRsvp.__typename).toBe('RsvpPayload');
    const stale = await stack.gql(UPDATE, { input: { rsvpId: rsvp.id, revision: rsvp.revision, firstName: 'Second' } }, token);
    const current = (await upstreamRsvp(token, rsvp.id)).body.rsvp;
    expect(stale.data.updateRsvp).toMatchObject({
      __typename: 'RevisionConflictError',
      code: 'REVISION_CONFLICT',
      sentRevision: rsvp.revision,
      currentRevision: current.revision,
    });
    expect(current.firstName).toBe('First');
    // The revision from the error is what a retry needs.
    const retry = await stack.gql(UPDATE, { input: { rsvpId: rsvp.id, revision: stale.data.updateRsvp.currentRevision, firstName: 'Second' } }, token);
    expect(retry.data.updateRsvp.__typename).toBe('RsvpPayload');
    expect((await upstreamRsvp(token, rsvp.id)).body.rsvp.firstName).toBe('Second');
  }));

  it('refuses a bad field or a missing change without a write', async () => {
    const { token, eventId } = await tenantWithEvent();
    const rsvp = await createUpstreamRsvp(token, eventId);
    await stack.resetStats();
    const long = await stack.gql(UPDATE, { input: { rsvpId: rsvp.id, revision: rsvp.revision, lastName: 'y'.repeat(51) } }, token);
    expect(long.data.updateRsvp).toMatchObject({ __typename: 'ValidationError', field: 'input.lastName' });
    const badRevision = await stack.gql(UPDATE, { input: { rsvpId: rsvp.id, revision: 'latest', firstName: 'X' } }, token);
    expect(badRevision.data.updateRsvp).toMatchObject({ __typename: 'ValidationError', field: 'input.revision' });
    const nothing = await stack.gql(UPDATE, { input: { rsvpId: rsvp.id, revision: rsvp.revision } }, token);
    expect(nothing.data.updateRsvp).toMatchObject({ __typename: 'ValidationError', field: 'input' });
    expect((await stack.stats()).total).toBe(0);
    expect((await upstreamRsvp(token, rsvp.id)).body.rsvp.revision).toBe(rsvp.revision);
  });
});

describe('deleteRsvp', () => {
  it('deletes upstream; a second delete is NotFoundError', async () => {
    const { token, eventId } = await tenantWithEvent();
    const rsvp = await createUpstreamRsvp(token, eventId);
    const res = await stack.gql(DELETE, { input: { rsvpId: rsvp.id } }, token);
    expect(res.data.deleteRsvp).toEqual({ __typename: 'DeleteRsvpPayload', deletedRsvpId: rsvp.id });
    expect((await upstreamRsvp(token, rsvp.id)).status).toBe(404);
    const again = await stack.gql(DELETE, { input: { rsvpId: rsvp.id } }, token);
    expect(again.data.deleteRsvp).toMatchObject({ __typename: 'NotFoundError', resource: 'Rsvp', id: rsvp.id });
  });
});

describe('checkInRsvpGuests', () => {
  it('checks in 25 guests of three RSVPs in one mutation with ceil(25/11) = 3 upstream check-in calls', async () => {
    const { token, eventId } = await tenantWithEvent();
    const parties = [await createUpstreamRsvp(token, eventId, 10), await createUpstreamRsvp(token, eventId, 10), await createUpstreamRsvp(token, eventId, 2)];
    const guests = parties.flatMap((r) => Array.from({ length: r.totalGuests }, (_, i) => ({ rsvpId: r.id, guestId: i + 1 })));
    expect(guests).toHaveLength(25);
    await stack.resetStats();
    const res = await stack.gql(CHECK_IN, { input: { guests } }, token);
    expect(res.errors).toBeUndefined();
    expect(res.data.checkInRsvpGuests).toMatchObject({ __typename: 'RsvpGuestsPayload', successCount: 25, failureCount: 0 });
    const stats = await stack.stats();
    expect(stats.byRoute['POST /events/v2/rsvps/{rsvpId}/check-in']).toBe(3);
    for (const party of parties) {
      const stored = (await upstreamRsvp(token, party.id)).body.rsvp;
      expect(stored).toMatchObject({ fullyCheckedIn: true, checkedInGuestCount: party.totalGuests });
    }
  });

  it('takes rsvpId with guestIds, and rsvpId alone for the whole party', async () => {
    const { token, eventId } = await tenantWithEvent();
    const a = await createUpstreamRsvp(token, eventId, 3);
    const b = await createUpstreamRsvp(token, eventId, 2);
    const some = await stack.gql(CHECK_IN, { input: { rsvpId: a.id, guestIds: [2, 4] } }, token);
    expect(some.data.checkInRsvpGuests.results).toEqual([
      { rsvpId: a.id, guestId: 2, success: true, error: null },
      { rsvpId: a.id, guestId: 4, success: true, error: null },
    ]);
    const stored = (await upstreamRsvp(token, a.id)).body.rsvp;
    expect(stored.guestList.guests.map((g: any) => g.checkInDetails.checkedIn)).toEqual([false, true, false, true]);
    const all = await stack.gql(CHECK_IN, { input: { rsvpId: b.id } }, token);
    expect(all.data.checkInRsvpGuests.successCount).toBe(3);
    expect((await upstreamRsvp(token, b.id)).body.rsvp.fullyCheckedIn).toBe(true);
  });

  it('reports guests already checked in per guest and checks in the rest', async () => {
    const { token, eventId } = await tenantWithEvent();
    const rsvp = await createUpstreamRsvp(token, eventId, 2);
    await stack.upstream('POST', `/events/v2/rsvps/${rsvp.id}/check-in`, { guestIds: [1] }, token);
    const res = await stack.gql(CHECK_IN, { input: { rsvpId: rsvp.id, guestIds: [1, 2, 3] } }, token);
    const results = res.data.checkInRsvpGuests.results;
    expect(results[0]).toMatchObject({ guestId: 1, success: false, error: { __typename: 'ItemError', code: 'FAILED_PRECONDITION', upstreamCode: 'GUEST_ALREADY_CHECKED_IN' } });
    expect(results.slice(1).map((r: any) => r.success)).toEqual([true, true]);
    expect((await upstreamRsvp(token, rsvp.id)).body.rsvp.fullyCheckedIn).toBe(true);
  });

  it('reports per-guest failures when one upstream call fails, keeping the others applied', async () => {
    const { token, eventId } = await tenantWithEvent();
    const a = await createUpstreamRsvp(token, eventId, 10);
    const b = await createUpstreamRsvp(token, eventId, 1);
    await fault({ route: 'POST /events/v2/rsvps/{rsvpId}/check-in', status: 503, times: 1 });
    // Sequential RSVPs would make the failing one deterministic; the fault hits whichever call comes first, so
    // the assertion is on the shape: exactly one RSVP's guests failed, with a retryable UpstreamError each.
    const res = await stack.gql(CHECK_IN, { input: { guests: [...guestKeys(a.id, 11), ...guestKeys(b.id, 2)] } }, token);
    const payload = res.data.checkInRsvpGuests;
    const failed = payload.results.filter((r: any) => !r.success);
    const failedRsvps = new Set(failed.map((r: any) => r.rsvpId));
    expect(failedRsvps.size).toBe(1);
    expect(failed[0].error).toMatchObject({ __typename: 'ItemError', code: 'UPSTREAM_UNAVAILABLE', retryable: true });
    const [failedId] = [...failedRsvps];
    const okId = failedId === a.id ? b.id : a.id;
    expect((await upstreamRsvp(token, failedId as string)).body.rsvp.checkedInGuestCount).toBe(0);
    expect((await upstreamRsvp(token, okId)).body.rsvp.fullyCheckedIn).toBe(true);
    expect(payload.failureCount).toBe(failed.length);
  });

  it('refuses unknown guests and RSVPs before any check-in call', async () => {
    const { token, eventId } = await tenantWithEvent();
    const rsvp = await createUpstreamRsvp(token, eventId, 1);
    await stack.resetStats();
    const unknownGuest = await stack.gql(CHECK_IN, { input: { rsvpId: rsvp.id, guestIds: [1, 3] } }, token);
    expect(unknownGuest.data.checkInRsvpGuests).toMatchObject({ __typename: 'ValidationError', field: 'input.guests', rule: 'NOT_FOUND' });
    const outOfRange = await stack.gql(CHECK_IN, { input: { rsvpId: rsvp.id, guestIds: [0] } }, token);
    expect(outOfRange.data.checkInRsvpGuests).toMatchObject({ __typename: 'ValidationError', field: 'input.guestIds[0]', rule: 'RANGE' });
    const missing = randomUUID();
    const unknownRsvp = await stack.gql(CHECK_IN, { input: { guests: [{ rsvpId: rsvp.id, guestId: 1 }, { rsvpId: missing, guestId: 1 }] } }, token);
    expect(unknownRsvp.data.checkInRsvpGuests).toMatchObject({ __typename: 'NotFoundError', resource: 'Rsvp', id: missing });
    expect(writes((await stack.stats()).byRoute)).toEqual({});
    expect((await upstreamRsvp(token, rsvp.id)).body.rsvp.checkedInGuestCount).toBe(0);
  });
});

describe('the rest of the operation after a write', () => {
  it('reads the new state: a second check-in in the same operation sees the first through the loaders', async () => {
    const { token, eventId } = await tenantWithEvent();
    const rsvp = await createUpstreamRsvp(token, eventId, 2);
    // The first field loads the event's RSVP list (a per-request loader); the second check-in must clear it, or the
    // second selection would repeat the first one's numbers.
    const selection = `... on RsvpGuestsPayload { rsvp { event { rsvps { edges { node { rsvpId checkedInGuestCount } } } } } }`;
    const res = await stack.gql(
      `mutation($id: ID!) {
        first: checkInRsvpGuests(input: { rsvpId: $id, guestIds: [1] }) { ${selection} }
        second: checkInRsvpGuests(input: { rsvpId: $id, guestIds: [2, 3] }) { ${selection} }
      }`,
      { id: rsvp.id },
      token,
    );
    expect(res.errors).toBeUndefined();
    const counts = (field: string) => res.data[field].rsvp.event.rsvps.edges.map((e: any) => e.node.checkedInGuestCount);
    expect(counts('first')).toEqual([1]);
    expect(counts('second')).toEqual([3]);
  });

  it('accepts the graph\'s global ids as well as upstream ids', async () => {
    const { token, eventId } = await tenantWithEvent();
    const rsvp = await createUpstreamRsvp(token, eventId);
    const global = Buffer.from(`Rsvp:${rsvp.id}`).toString('base64');
    const res = await stack.gql(UPDATE, { input: { rsvpId: global, revision: rsvp.revision, lastName: 'Global' } }, token);
    expect(res.data.updateRsvp).toMatchObject({ __typename: 'RsvpPayload', rsvp: { id: global, rsvpId: rsvp.id } });
    expect((await upstreamRsvp(token, rsvp.id)).body.rsvp.lastName).toBe('Global');
  });
});

describe('cancelRsvpGuestsCheckIn', () => {
  it('cancels the check-in of the named guests only', async () => {
    const { token, eventId } = await tenantWithEvent();
    const rsvp = await createUpstreamRsvp(token, eventId, 2);
    await stack.gql(CHECK_IN, { input: { rsvpId: rsvp.id } }, token);
    const res = await stack.gql(CANCEL, { input: { rsvpId: rsvp.id, guestIds: [1, 3] } }, token);
    expect(res.data.cancelRsvpGuestsCheckIn).toMatchObject({ successCount: 2, failureCount: 0 });
    const stored = (await upstreamRsvp(token, rsvp.id)).body.rsvp;
    expect(stored.guestList.guests.map((g: any) => g.checkInDetails.checkedIn)).toEqual([false, true, false]);
    const again = await stack.gql(CANCEL, { input: { rsvpId: rsvp.id, guestIds: [1] } }, token);
    expect(again.data.cancelRsvpGuestsCheckIn.results[0]).toMatchObject({ success: false, error: { upstreamCode: 'GUEST_NOT_CHECKED_IN' } });
  });
});

describe('promoteWaitlist', () => {
  it('promotes the oldest waitlisted parties while the whole party fits, and stops at the first that does not', async () => {
    const { token, eventId } = await tenantWithEvent({ limit: 4, waitlistEnabled: true });
    const holder = await createUpstreamRsvp(token, eventId, 3); // 4 guests: the event is full
    expect(holder.status).toBe('YES');
    const first = await createUpstreamRsvp(token, eventId, 2); // 3 guests
    const second = await createUpstreamRsvp(token, eventId, 1); // 2 guests: would not fit after the first
    const third = await createUpstreamRsvp(token, eventId, 0); // 1 guest: would fit, but waits its turn
    expect([first.status, second.status, third.status]).toEqual(['WAITLIST', 'WAITLIST', 'WAITLIST']);

    const nothing = await stack.gql(PROMOTE, { eventId }, token);
    expect(nothing.data.promoteWaitlist).toMatchObject({ __typename: 'PromoteWaitlistPayload', promoted: [], freeSpots: 0, waitingRsvps: 3 });

    await stack.upstream('DELETE', `/events/v2/rsvps/${holder.id}`, undefined, token);
    const res = await stack.gql(PROMOTE, { eventId }, token);
    expect(res.data.promoteWaitlist).toMatchObject({ promoted: [{ rsvpId: first.id, status: 'YES' }], freeSpots: 1, waitingRsvps: 2 });
    const statuses = await Promise.all([first, second, third].map(async (r) => (await upstreamRsvp(token, r.id)).body.rsvp.status));
    expect(statuses).toEqual(['YES', 'WAITLIST', 'WAITLIST']);
  });

  it('refuses an id that is not a GUID and reports an unknown event', async () => {
    const { token } = await tenantWithEvent();
    const bad = await stack.gql(PROMOTE, { eventId: 'nope' }, token);
    expect(bad.data.promoteWaitlist).toMatchObject({ __typename: 'ValidationError', field: 'input.eventId' });
    const missing = randomUUID();
    const unknown = await stack.gql(PROMOTE, { eventId: missing }, token);
    expect(unknown.data.promoteWaitlist).toMatchObject({ __typename: 'NotFoundError', resource: 'Event', id: missing });
  });
});

function guestKeys(rsvpId: string, n: number) {
  return Array.from({ length: n }, (_, i) => ({ rsvpId, guestId: i + 1 }));
}

function fault(rule: Record<string, unknown>) {
  return stack.faults({ rules: [rule] });
}
