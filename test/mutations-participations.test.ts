/**
 * Participation mutations through the gateway against the sandbox's Calendar v3 API: effects read back from the
 * upstream, refused inputs shown to write nothing, and a create that the upstream applied but failed to answer
 * retried into exactly one participation thanks to its idempotency key.
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
let sessionId: string;
beforeAll(async () => {
  stack = await startStack({ webhooks: false });
  sessionId = await roomySession(stack);
});

/** A demo session with room for the party sizes below (or no capacity limit at all). */
async function roomySession(s: Stack): Promise<string> {
  const sessions = await s.upstream('POST', '/calendar/v3/events/query', { query: { cursorPaging: { limit: 50 } } });
  expect(sessions.status).toBe(200);
  const roomy = sessions.body.events.find((e: any) => e.remainingCapacity == null || e.remainingCapacity >= 20);
  expect(roomy).toBeDefined();
  return roomy.id;
}
afterAll(async () => {
  await stack?.stop();
});

const CREATE = `mutation($input: CreateParticipationInput!) { createParticipation(input: $input) {
  ${ERROR_FIELDS} ... on CreateParticipationPayload { idempotencyKey participation { id participationId partySize revision } } } }`;
const UPDATE = `mutation($input: UpdateParticipationInput!) { updateParticipation(input: $input) {
  ${ERROR_FIELDS} ... on UpdateParticipationPayload { participation { id participationId partySize revision } } } }`;
const DELETE = `mutation($input: DeleteParticipationInput!) { deleteParticipation(input: $input) {
  ${ERROR_FIELDS} ... on DeleteParticipationPayload { deletedParticipationId } } }`;

async function byExternalId(externalId: string): Promise<any[]> {
  const res = await stack.upstream('POST', '/calendar/v3/participations/query', { query: { filter: { externalId }, cursorPaging: { limit: 10 } } });
  expect(res.status).toBe(200);
  return res.body.participations;
}

function fault(rule: Record<string, unknown>) {
  return stack.faults({ rules: [rule] });
}

const createRoute = 'POST /calendar/v3/participations';

describe('createParticipation', () => {
  it('creates the participation upstream and returns the key it used', async () => {
    const externalId = randomUUID();
    const res = await stack.gql(CREATE, { input: { eventId: sessionId, externalId, partySize: 3, participant: { name: 'Ada Lovelace', email: 'ada@example.com' } } });
    expect(res.errors).toBeUndefined();
    expect(res.data.createParticipation.__typename).toBe('CreateParticipationPayload');
    expect(res.data.createParticipation.idempotencyKey).toMatch(/^[0-9a-f-]{36}$/);
    const stored = await byExternalId(externalId);
    expect(stored).toHaveLength(1);
    expect(stored[0]).toMatchObject({ id: res.data.createParticipation.participation.participationId, eventId: sessionId, partySize: 3, participant: { name: 'Ada Lovelace' } });
  });

  it('makes exactly one participation when the upstream applied the create but its answer never arrived', async () => {
    // The sandbox handles a request after its injected latency even if the caller has gone; with the gateway's
    // upstream timeout below that latency, the first attempt is applied but answers no one, and the retry (same
    // body, same idempotency key) must not make a second participation.
    const slow = await startStack({ webhooks: false, config: { upstreamTimeoutMs: 250 } });
    try {
      const externalId = randomUUID();
      const session = await roomySession(slow);
      await slow.faults({ rules: [{ route: createRoute, latencyMs: 400, times: 1 }] });
      const res = await slow.gql(CREATE, { input: { eventId: session, externalId, partySize: 2 } });
      expect(res.data.createParticipation.__typename).toBe('CreateParticipationPayload');
      expect((await slow.stats()).byRoute[createRoute]).toBe(2);
      await new Promise((resolve) => setTimeout(resolve, 300)); // let the abandoned first attempt finish upstream
      const stored = await slow.upstream('POST', '/calendar/v3/participations/query', { query: { filter: { externalId }, cursorPaging: { limit: 10 } } });
      expect(stored.body.participations).toHaveLength(1);
      expect(stored.body.participations[0].id).toBe(res.data.createParticipation.participation.participationId);
    } finally {
      await slow.stop();
    }
  });

  it('retries a create whose connection was dropped and still makes one', async () => {
    const externalId = randomUUID();
    await fault({ route: createRoute, drop: true, times: 1 });
    await stack.resetStats();
    const res = await stack.gql(CREATE, { input: { eventId: sessionId, externalId } });
    expect(res.data.createParticipation.__typename).toBe('CreateParticipationPayload');
    expect((await stack.stats()).byRoute[createRoute]).toBe(2);
    expect(await byExternalId(externalId)).toHaveLength(1);
  });

  it('retries a create refused with 503 and still makes one', async () => {
    const externalId = randomUUID();
    await fault({ route: createRoute, status: 503, times: 1 });
    await stack.resetStats();
    const res = await stack.gql(CREATE, { input: { eventId: sessionId, externalId } });
    expect(res.data.createParticipation.__typename).toBe('CreateParticipationPayload');
    expect((await stack.stats()).byRoute[createRoute]).toBe(2);
    expect(await byExternalId(externalId)).toHaveLength(1);
  });

  it("reuses the client's key: the same mutation sent twice makes one participation", async () => {
    const externalId = randomUUID();
    const idempotencyKey = randomUUID();
    const input = { eventId: sessionId, externalId, idempotencyKey };
    const first = await stack.gql(CREATE, { input });
    const second = await stack.gql(CREATE, { input });
    expect(second.data.createParticipation.idempotencyKey).toBe(idempotencyKey);
    expect(second.data.createParticipation.participation.participationId).toBe(first.data.createParticipation.participation.participationId);
    expect(await byExternalId(externalId)).toHaveLength(1);
  });

  it("answers a party larger than the session's remaining capacity with CapacityExceededError", async () => {
    const sessions = await stack.upstream('POST', '/calendar/v3/events/query', { query: { cursorPaging: { limit: 100 } } });
    const limited = sessions.body.events.find((e: any) => typeof e.remainingCapacity === 'number' && e.remainingCapacity < 1000);
    expect(limited).toBeDefined();
    const externalId = randomUUID();
    const requested = limited.remainingCapacity + 1;
    const res = await stack.gql(CREATE, { input: { eventId: limited.id, externalId, partySize: requested } });
    expect(res.data.createParticipation).toMatchObject({
      __typename: 'CapacityExceededError',
      code: 'CAPACITY_EXCEEDED',
      field: 'input.partySize',
      requested,
      available: limited.remainingCapacity,
    });
    expect(await byExternalId(externalId)).toHaveLength(0);
  });

  it.each([
    ['input.partySize', { partySize: 0 }, 'RANGE'],
    ['input.partySize', { partySize: 1001 }, 'RANGE'],
    ['input.eventId', { eventId: 'too-short' }, 'FORMAT'],
    ['input.eventId', { eventId: 'x'.repeat(251) }, 'FORMAT'],
    ['input.scheduleId', { scheduleId: randomUUID() }, 'CONTRADICTION'],
    ['input.externalId', { externalId: 'booking-1' }, 'FORMAT'],
    ['input.idempotencyKey', { idempotencyKey: 'retry-1' }, 'FORMAT'],
    ['input.participant.email', { participant: { email: 'nobody' } }, 'FORMAT'],
  ])('refuses %s (%j) before calling upstream', async (field, override, rule) => {
    const externalId = randomUUID();
    await stack.resetStats();
    const res = await stack.gql(CREATE, { input: { eventId: sessionId, externalId, ...override } });
    expect(res.data.createParticipation).toMatchObject({ __typename: 'ValidationError', code: 'VALIDATION_FAILED', field, rule });
    expect((await stack.stats()).total).toBe(0);
    expect(await byExternalId(externalId)).toHaveLength(0);
  });
});

describe('updateParticipation and deleteParticipation', () => {
  async function created() {
    const externalId = randomUUID();
    const res = await stack.gql(CREATE, { input: { eventId: sessionId, externalId, partySize: 1 } });
    const [stored] = await byExternalId(externalId);
    expect(stored.id).toBe(res.data.createParticipation.participation.participationId);
    return stored as { id: string; revision: string; externalId: string };
  }

  it('updates with the current revision', async () => {
    const p = await created();
    const res = await stack.gql(UPDATE, { input: { participationId: p.id, revision: p.revision, partySize: 4 } });
    expect(res.data.updateParticipation.__typename).toBe('UpdateParticipationPayload');
    const [stored] = await byExternalId(p.externalId);
    expect(stored).toMatchObject({ partySize: 4, revision: String(Number(p.revision) + 1) });
  });

  it.each(REVISION_CONFLICTS)('answers a stale revision (upstream $status $code) with the current one and changes nothing', (conflict) =>
    withRevisionConflict(stack.sandboxUrl, conflict, async () => {
    const p = await created();
    await stack.gql(UPDATE, { input: { participationId: p.id, revision: p.revision, partySize: 2 } });
    const stale = await stack.gql(UPDATE, { input: { participationId: p.id, revision: p.revision, partySize: 5 } });
    const [stored] = await byExternalId(p.externalId);
    expect(stale.data.updateParticipation).toMatchObject({ __typename: 'RevisionConflictError', sentRevision: p.revision, currentRevision: stored.revision });
    expect(stored.partySize).toBe(2);
  }));

  it('refuses a party size out of range without a write', async () => {
    const p = await created();
    await stack.resetStats();
    const res = await stack.gql(UPDATE, { input: { participationId: p.id, revision: p.revision, partySize: -1 } });
    expect(res.data.updateParticipation).toMatchObject({ __typename: 'ValidationError', field: 'input.partySize' });
    expect((await stack.stats()).total).toBe(0);
  });

  it('deletes upstream; deleting again is NotFoundError', async () => {
    const p = await created();
    const res = await stack.gql(DELETE, { input: { participationId: p.id } });
    expect(res.data.deleteParticipation).toEqual({ __typename: 'DeleteParticipationPayload', deletedParticipationId: p.id });
    expect(await byExternalId(p.externalId)).toHaveLength(0);
    const again = await stack.gql(DELETE, { input: { participationId: p.id } });
    expect(again.data.deleteParticipation).toMatchObject({ __typename: 'NotFoundError', resource: 'Participation', id: p.id });
  });
});
