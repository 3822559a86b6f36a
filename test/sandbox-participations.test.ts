/**
 * The sandbox's Calendar Participations v3 (docs/upstream.md §3; seed 002) over real HTTP: writes, their effect on the
 * calendar event's capacity, webhooks, idempotency, optimistic concurrency, query.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { collectWebhooks, startSandbox, type Received, type TestSandbox } from './support/sandbox.js';

let t: TestSandbox;
let hooks: Awaited<ReturnType<typeof collectWebhooks>>;
let sessions: any[];

beforeAll(async () => {
  t = await startSandbox({ seed: 3 });
  hooks = await collectWebhooks(t);
  sessions = (await t.call('POST', '/calendar/v3/events/query', { query: { cursorPaging: { limit: 100 } } })).body.events;
});
beforeEach(() => settle());
afterAll(async () => {
  await hooks?.stop();
  await t?.stop();
});

/** Waits for the webhooks in flight, then forgets them. */
async function settle(): Promise<void> {
  await hooks.received();
  hooks.clear();
}
/** Webhooks by eventType, each expected once: deliveries are concurrent, so arrival order is not asserted. */
function byType(list: Received[]): Record<string, Received> {
  const out: Record<string, Received> = {};
  for (const h of list) {
    if (out[h.eventType]) throw new Error(`${h.eventType} arrived twice`);
    out[h.eventType] = h;
  }
  return out;
}
const session = async (id: string) => (await t.call('GET', `/calendar/v3/events/${id}`)).body.event;
/** A session with a capacity and at least `room` places left. */
function withRoom(room: number): any {
  const s = sessions.find((x) => x.totalCapacity != null && x.remainingCapacity >= room && !x.used);
  if (!s) throw new Error(`no demo session with ${room} places`);
  s.used = true;
  return s;
}
const create = (participation: unknown, idempotencyKey?: string) =>
  t.call('POST', '/calendar/v3/participations', { participation, ...(idempotencyKey ? { idempotencyKey } : {}) });

describe('create', () => {
  it('creates a CONFIRMED participation at revision 1, lowers the session’s remaining capacity and emits both webhooks', async () => {
    const s = withRoom(3);
    const before = await session(s.id);
    const res = await create({ eventId: s.id, partySize: 3, participant: { name: 'Ada Lovelace', email: 'ada@example.com' }, externalId: randomUUID() });
    expect(res.status).toBe(200);
    const p = res.body.participation;
    expect(p).toMatchObject({ id: expect.stringMatching(/^[0-9a-f-]{36}$/), eventId: s.id, partySize: 3, status: 'CONFIRMED', revision: '1', appId: expect.any(String) });
    expect(p.createdDate).toBe(p.updatedDate);
    const after = await session(s.id);
    expect(after.remainingCapacity).toBe(before.remainingCapacity - 3);
    expect(after.participants.total).toBe(before.participants.total + 3);
    expect(BigInt(after.revision)).toBe(BigInt(before.revision) + 1n);

    const got = byType(await hooks.received());
    expect(Object.keys(got).sort()).toEqual(['wix.calendar.v3.event_updated', 'wix.calendar.v3.participation_created']);
    expect(got['wix.calendar.v3.participation_created']!.entity).toEqual(p);
    expect(got['wix.calendar.v3.event_updated']!.entity).toEqual(after);
  });

  it('returns the same participation for a repeated idempotencyKey, without a second write or webhook', async () => {
    const s = withRoom(2);
    const key = randomUUID();
    const first = await create({ eventId: s.id, partySize: 2 }, key);
    const again = await create({ eventId: s.id, partySize: 2 }, key);
    expect(again.status).toBe(200);
    expect(again.body.participation).toEqual(first.body.participation);
    const query = await t.call('POST', '/calendar/v3/participations/query', { query: { filter: { eventId: s.id } } });
    expect(query.body.participations.filter((p: any) => p.id === first.body.participation.id)).toHaveLength(1);
    expect((await session(s.id)).remainingCapacity).toBe(s.remainingCapacity - 2);
    expect((await hooks.received()).filter((h) => h.eventType.endsWith('participation_created'))).toHaveLength(1);
    expect((await create({ eventId: s.id }, 'not-a-guid')).status).toBe(400);
  });

  it('links to a schedule instead of an event, without touching any session', async () => {
    const scheduleId = sessions[0].scheduleId;
    const res = await create({ scheduleId, partySize: 1 });
    expect(res.body.participation).toMatchObject({ scheduleId, partySize: 1 });
    expect(res.body.participation.eventId).toBeUndefined();
    expect((await hooks.received()).map((h) => h.eventType)).toEqual(['wix.calendar.v3.participation_created']);
  });

  it('does not count PENDING_CONFIRMATION against capacity', async () => {
    const s = withRoom(1);
    const res = await create({ eventId: s.id, partySize: s.remainingCapacity + 5, status: 'PENDING_CONFIRMATION' });
    expect(res.status).toBe(200);
    expect((await session(s.id)).remainingCapacity).toBe(s.remainingCapacity);
  });

  it.each([
    ['partySize 0', { partySize: 0 }, 'participation.partySize'],
    ['partySize 1001', { partySize: 1001 }, 'participation.partySize'],
    ['both eventId and scheduleId', { scheduleId: randomUUID() }, 'participation.eventId'],
    ['a bad status', { status: 'MAYBE' }, 'participation.status'],
    ['a non-GUID externalId', { externalId: 'ext-1' }, 'participation.externalId'],
    ['an eventId shorter than 36 characters', { eventId: 'x'.repeat(35) }, 'participation.eventId'],
  ])('refuses %s with a 400 naming the field', async (_name, extra, field) => {
    const res = await create({ eventId: sessions[0].id, partySize: 1, ...extra });
    expect(res.status).toBe(400);
    expect(res.body.details.validationError.fieldViolations.map((v: any) => v.field)).toContain(field);
  });

  it('refuses a participation with neither eventId nor scheduleId, and one for an unknown event (404)', async () => {
    expect((await create({ partySize: 1 })).status).toBe(400);
    const missing = await create({ eventId: 'q'.repeat(40), partySize: 1 });
    expect(missing.status).toBe(404);
    expect(missing.body.details.applicationError.code).toBe('EVENT_NOT_FOUND');
  });

  it('refuses to go over capacity with 428 CAPACITY_EXCEEDED and changes nothing', async () => {
    const s = withRoom(1);
    const res = await create({ eventId: s.id, partySize: s.remainingCapacity + 1 });
    expect(res.status).toBe(428);
    expect(res.body.details.applicationError).toMatchObject({ code: 'CAPACITY_EXCEEDED', data: { remainingCapacity: s.remainingCapacity } });
    expect((await session(s.id)).remainingCapacity).toBe(s.remainingCapacity);
    expect(await hooks.received()).toEqual([]);
  });
});

describe('get, update, delete', () => {
  it('updates with the current revision (+1) and refuses a stale one with 409 REVISION_MISMATCH, changing nothing', async () => {
    const s = withRoom(4);
    const p = (await create({ eventId: s.id, partySize: 1 })).body.participation;
    const updated = await t.call('PATCH', `/calendar/v3/participations/${p.id}`, { participation: { id: p.id, partySize: 4, revision: '1' } });
    expect(updated.status).toBe(200);
    expect(updated.body.participation).toMatchObject({ id: p.id, partySize: 4, revision: '2' });
    expect((await session(s.id)).remainingCapacity).toBe(s.remainingCapacity - 4);
    await settle();

    const stale = await t.call('PATCH', `/calendar/v3/participations/${p.id}`, { participation: { partySize: 2, revision: '1' } });
    expect(stale.status).toBe(409);
    expect(stale.body.details.applicationError).toMatchObject({ code: 'REVISION_MISMATCH', data: { currentRevision: '2' } });
    expect((await t.call('GET', `/calendar/v3/participations/${p.id}`)).body.participation).toEqual(updated.body.participation);
    expect((await session(s.id)).remainingCapacity).toBe(s.remainingCapacity - 4);
    expect(await hooks.received()).toEqual([]);

    const noRevision = await t.call('PATCH', `/calendar/v3/participations/${p.id}`, { participation: { partySize: 2 } });
    expect(noRevision.status).toBe(400);
  });

  it('emits participation_updated and event_updated on update, and refuses moving to another event', async () => {
    const s = withRoom(2);
    const p = (await create({ eventId: s.id, partySize: 2 })).body.participation;
    await settle();
    const res = await t.call('PATCH', `/calendar/v3/participations/${p.id}`, { participation: { status: 'PENDING_CONFIRMATION', revision: p.revision } });
    expect(res.body.participation.status).toBe('PENDING_CONFIRMATION');
    const got = byType(await hooks.received());
    expect(Object.keys(got).sort()).toEqual(['wix.calendar.v3.event_updated', 'wix.calendar.v3.participation_updated']);
    expect(got['wix.calendar.v3.event_updated']!.entity.remainingCapacity).toBe(s.remainingCapacity);
    const move = await t.call('PATCH', `/calendar/v3/participations/${p.id}`, { participation: { eventId: sessions.find((x) => x.id !== s.id).id, revision: '2' } });
    expect(move.status).toBe(400);
  });

  it('re-checks capacity when an update grows the party', async () => {
    const s = withRoom(1);
    const p = (await create({ eventId: s.id, partySize: 1 })).body.participation;
    const res = await t.call('PATCH', `/calendar/v3/participations/${p.id}`, { participation: { partySize: s.remainingCapacity + 1, revision: '1' } });
    expect(res.status).toBe(428);
    expect((await t.call('GET', `/calendar/v3/participations/${p.id}`)).body.participation.revision).toBe('1');
  });

  it('deletes, restoring capacity, emitting participation_deleted as seed 002 shows it (no entity) and event_updated; then 404', async () => {
    const s = withRoom(2);
    const p = (await create({ eventId: s.id, partySize: 2 })).body.participation;
    await settle();
    expect((await t.call('DELETE', `/calendar/v3/participations/${p.id}`)).body).toEqual({});
    expect((await session(s.id)).remainingCapacity).toBe(s.remainingCapacity);
    const got = byType(await hooks.received());
    expect(Object.keys(got).sort()).toEqual(['wix.calendar.v3.event_updated', 'wix.calendar.v3.participation_deleted']);
    expect(got['wix.calendar.v3.participation_deleted']!.entityId).toBe(p.id);
    expect(got['wix.calendar.v3.participation_deleted']!.domainEvent.deletedEvent).toEqual({ movedToTrash: null, deletedEntity: null });
    const gone = await t.call('GET', `/calendar/v3/participations/${p.id}`);
    expect(gone.status).toBe(404);
    expect(gone.body.details.applicationError.code).toBe('PARTICIPATION_NOT_FOUND');
    expect((await t.call('DELETE', `/calendar/v3/participations/${p.id}`)).status).toBe(404);
    expect((await t.call('PATCH', `/calendar/v3/participations/${p.id}`, { participation: { revision: '1', partySize: 1 } })).status).toBe(404);
  });
});

describe('query', () => {
  it('sorts by createdDate DESC by default, ASC on request, and pages by cursor without repeats', async () => {
    const all = await t.call('POST', '/calendar/v3/participations/query', { query: { cursorPaging: { limit: 100 } } });
    const dates = all.body.participations.map((p: any) => p.createdDate);
    expect(dates).toEqual([...dates].sort().reverse());
    const asc = await t.call('POST', '/calendar/v3/participations/query', { query: { sort: [{ fieldName: 'createdDate', order: 'ASC' }], cursorPaging: { limit: 100 } } });
    expect(asc.body.participations.map((p: any) => p.id)).toEqual([...all.body.participations].reverse().map((p: any) => p.id));

    const ids: string[] = [];
    let page = await t.call('POST', '/calendar/v3/participations/query', { query: { cursorPaging: { limit: 7 } } });
    expect(page.body.pagingMetadata).toMatchObject({ count: 7, hasNext: true });
    for (;;) {
      ids.push(...page.body.participations.map((p: any) => p.id));
      if (!page.body.pagingMetadata.cursors.next) break;
      page = await t.call('POST', '/calendar/v3/participations/query', { query: { cursorPaging: { cursor: page.body.pagingMetadata.cursors.next } } });
    }
    expect(ids).toEqual(all.body.participations.map((p: any) => p.id));
    const dflt = await t.call('POST', '/calendar/v3/participations/query', { query: {} });
    expect(dflt.body.participations).toHaveLength(Math.min(50, ids.length));
    expect((await t.call('POST', '/calendar/v3/participations/query', { query: { cursorPaging: { limit: 101 } } })).status).toBe(400);
  });

  it('filters by id $in, eventId, scheduleId and externalId, and refuses other fields and operators', async () => {
    const externalId = randomUUID();
    const s = withRoom(1);
    const p = (await create({ eventId: s.id, partySize: 1, externalId })).body.participation;
    const q = (filter: unknown) => t.call('POST', '/calendar/v3/participations/query', { query: { filter } });
    expect((await q({ externalId })).body.participations.map((x: any) => x.id)).toEqual([p.id]);
    expect((await q({ id: { $in: [p.id] } })).body.participations).toHaveLength(1);
    const bySession = (await q({ eventId: { $in: [s.id] } })).body.participations;
    expect(bySession.length).toBeGreaterThan(0);
    expect(bySession.every((x: any) => x.eventId === s.id)).toBe(true);
    const bySchedule = (await q({ scheduleId: sessions[0].scheduleId })).body.participations;
    expect(bySchedule.every((x: any) => x.scheduleId === sessions[0].scheduleId)).toBe(true);
    expect((await q({ id: p.id })).status).toBe(400); // id takes $in only (§3.3)
    expect((await q({ partySize: 1 })).status).toBe(400);
    expect((await q({ eventId: { $ne: s.id } })).status).toBe(400);
  });
});
