/**
 * Live updates end to end: the sandbox changes something, signs a webhook, the gateway verifies and publishes it,
 * and subscribers on graphql-ws and on SSE see it, scoped to their site. Plus the exact check-in counter under
 * duplicated and reordered webhooks.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { publishAttendanceChanged } from '../src/gateway/live/attendance.js';
import { startStack, type Stack } from './support/stack.js';
import { createRsvp, instanceIdOf, publishMarker, registrations, sseSubscribe, upstreamCount, wsClient, wsSubscribe } from './support/live.js';

let stack: Stack;
let eventId: string;

const RSVP_CHANGED = `subscription ($eventId: ID!) { rsvpChanged(eventId: $eventId) { kind rsvpId eventId rsvp { rsvpId checkedInGuestCount } } }`;
const GUEST_CHECKED_IN = `subscription ($eventId: ID!) { guestCheckedIn(eventId: $eventId) { eventId guestId } }`;
const COUNTER = `subscription ($eventId: ID!) { checkInCounter(eventId: $eventId) { eventId checkedIn asOf } }`;

/** An RSVP event of the demo tenant that takes RSVPs. */
async function rsvpEventId(s: Stack): Promise<string> {
  const res = await s.upstream('POST', '/events/v3/events/query', { query: { paging: { limit: 100 } }, fields: ['REGISTRATION'] });
  const event = res.body.events.find(
    (e: any) => e.registration?.type === 'RSVP' && e.registration?.initialType === 'RSVP' && ['UPCOMING', 'STARTED'].includes(e.status) && e.registration?.status !== 'CLOSED_MANUALLY',
  );
  if (!event) throw new Error('the demo data has no open RSVP event');
  return event.id;
}

beforeAll(async () => {
  stack = await startStack({ config: { counterCoalesceMs: 100 } });
  eventId = await rsvpEventId(stack);
});
afterAll(() => stack?.stop());

describe('subscriptions over graphql-ws and SSE', () => {
  it('a REST check-in reaches a graphql-ws subscriber and an SSE subscriber of rsvpChanged, guestCheckedIn and checkInCounter', async () => {
    const rsvp = await createRsvp(stack, eventId, 2);
    await stack.webhooksIdle();
    const rsvpTopic = registrations(stack.gateway, 'rsvp:changed', eventId);
    const checkInTopic = registrations(stack.gateway, 'guest:checkedIn', eventId);
    const client = wsClient(stack.gatewayUrl, stack.token);
    const ws = wsSubscribe(client, RSVP_CHANGED, { eventId }, 'rsvpChanged');
    const wsCheckIns = wsSubscribe(client, GUEST_CHECKED_IN, { eventId }, 'guestCheckedIn');
    const wsCounter = wsSubscribe(client, COUNTER, { eventId }, 'checkInCounter');
    const sse = sseSubscribe(stack.gatewayUrl, stack.token, RSVP_CHANGED, { eventId }, 'rsvpChanged');
    const sseCounter = sseSubscribe(stack.gatewayUrl, stack.token, COUNTER, { eventId }, 'checkInCounter');
    const before = await upstreamCount(stack, eventId);
    await wsCounter.until((m) => m.length >= 1);
    await sseCounter.until((m) => m.length >= 1);
    expect(wsCounter.messages[0].checkedIn).toBe(before);
    expect(sseCounter.messages[0].checkedIn).toBe(before);
    // The counter's first message comes after it listens; the plain topics are awaited on their registration.
    await rsvpTopic.attached(2);
    await checkInTopic.attached(1);

    const res = await stack.upstream('POST', `/events/v2/rsvps/${rsvp.id}/check-in`, { guestIds: [1] });
    expect(res.status).toBe(200);

    const isOurs = (m: any) => m.rsvpId === rsvp.id && m.kind === 'UPDATED';
    await ws.until((m) => m.some(isOurs));
    await sse.until((m) => m.some(isOurs));
    expect(ws.messages.find(isOurs)).toEqual({ kind: 'UPDATED', rsvpId: rsvp.id, eventId, rsvp: { rsvpId: rsvp.id, checkedInGuestCount: 1 } });
    expect(sse.messages.find(isOurs)).toEqual(ws.messages.find(isOurs));
    await wsCheckIns.until((m) => m.some((x) => x.eventId === eventId));
    await wsCounter.until((m) => m.at(-1)?.checkedIn === before + 1);
    await sseCounter.until((m) => m.at(-1)?.checkedIn === before + 1);
    for (const c of [ws, wsCheckIns, wsCounter, sse, sseCounter]) c.stop();
    await client.dispose();
  });

  it('a subscriber of another site hears nothing of this site', async () => {
    const rsvp = await createRsvp(stack, eventId, 1);
    await stack.webhooksIdle();
    const otherToken = `other-site-${Math.random().toString(36).slice(2)}`;
    const other = wsClient(stack.gatewayUrl, otherToken);
    const mine = wsClient(stack.gatewayUrl, stack.token);
    const rsvpTopic = registrations(stack.gateway, 'rsvp:changed', eventId);
    const theirs = wsSubscribe(other, RSVP_CHANGED, { eventId }, 'rsvpChanged');
    const ours = wsSubscribe(mine, RSVP_CHANGED, { eventId }, 'rsvpChanged');
    await rsvpTopic.attached(2);
    await stack.upstream('POST', `/events/v2/rsvps/${rsvp.id}/check-in`, { guestIds: [1] });
    await ours.until((m) => m.some((x) => x.rsvpId === rsvp.id));
    await stack.webhooksIdle();
    // Absence, proven: a marker on the other site's topic, sent after our change, is all they heard.
    await publishMarker(stack.gateway, 'rsvp:changed', await instanceIdOf(stack, otherToken), eventId, 'marker');
    await theirs.until((m) => m.length >= 1);
    expect(theirs.messages).toEqual([{ kind: 'UPDATED', rsvpId: 'marker', eventId: null, rsvp: null }]);
    expect(theirs.errors).toEqual([]);
    await Promise.all([other.dispose(), mine.dispose()]);
  });

  it('a subscription without credentials is refused with UNAUTHENTICATED', async () => {
    const res = await fetch(`${stack.gatewayUrl}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'text/event-stream' },
      body: JSON.stringify({ query: RSVP_CHANGED, variables: { eventId } }),
    });
    const text = await res.text();
    expect(text).toContain('UNAUTHENTICATED');
  });

  it('attendance set through the gateway reaches attendanceChanged subscribers of that session', async () => {
    const client = wsClient(stack.gatewayUrl, stack.token);
    const sessionId = 'session-live-test-0000000000000000000001';
    const attendanceTopic = registrations(stack.gateway, 'attendance:changed', sessionId);
    const sub = wsSubscribe(client, `subscription ($id: ID!) { attendanceChanged(sessionId: $id) { kind attendanceId } }`, { id: sessionId }, 'attendanceChanged');
    await attendanceTopic.attached(1);
    const site = { instanceId: await instanceIdOf(stack, stack.token) };
    await publishAttendanceChanged(stack.gateway.services.pubsub, site, { id: 'att-1', eventId: sessionId, status: 'ATTENDED' }, 'UPDATED');
    await publishAttendanceChanged(stack.gateway.services.pubsub, { instanceId: 'someone-else' }, { id: 'att-2', eventId: sessionId }, 'UPDATED');
    // The other site's att-2 went out before this marker; once the marker is in, att-2 would be too.
    await publishMarker(stack.gateway, 'attendance:changed', site.instanceId, sessionId, 'marker');
    await sub.until((m) => m.some((x) => x.attendanceId === 'marker'));
    expect(sub.messages).toEqual([
      { kind: 'UPDATED', attendanceId: 'att-1' },
      { kind: 'UPDATED', attendanceId: 'marker' },
    ]);
    await client.dispose();
  });
});

describe('webhooks refused over real HTTP', () => {
  it('bad signature (401), malformed (400) and oversized (413) webhooks publish nothing', async () => {
    const rsvpTopic = registrations(stack.gateway, 'rsvp:changed', eventId);
    const client = wsClient(stack.gatewayUrl, stack.token);
    const sub = wsSubscribe(client, RSVP_CHANGED, { eventId }, 'rsvpChanged');
    await rsvpTopic.attached(1);
    const post = (body: string) => fetch(`${stack.gatewayUrl}/webhooks/wix`, { method: 'POST', body }).then((r) => r.status);
    const fake = Buffer.from(JSON.stringify({ alg: 'RS256' })).toString('base64url') + '.' +
      Buffer.from(JSON.stringify({ data: JSON.stringify({ eventType: 'wix.events.v2.rsvp_updated', instanceId: 'x', data: '{}' }) })).toString('base64url') + '.' +
      Buffer.from('not a signature').toString('base64url');
    expect(await post(fake)).toBe(401);
    expect(await post('{"hello":"world"}')).toBe(400);
    expect(await post('x'.repeat(stack.gateway.services.config.webhookMaxBytes + 1))).toBe(413);
    // Absence, proven: a real change made after the refused ones is the first and only thing heard.
    const later = await createRsvp(stack, eventId, 1);
    await sub.until((m) => m.length >= 1);
    await stack.webhooksIdle();
    expect(sub.messages.map((m) => [m.kind, m.rsvpId])).toEqual([['CREATED', later.id]]);
    await client.dispose();
  });
});

describe('checkInCounter is exact under duplicated and reordered webhooks', () => {
  it('200 single check-ins: the last message equals the upstream, and no message shows a count the upstream never had', async () => {
    const rsvps: { id: string; guestIds: number[] }[] = [];
    for (let made = 0; made < 200; made += 11) rsvps.push(await createRsvp(stack, eventId, Math.min(11, 200 - made)));
    await stack.webhooksIdle();
    const client = wsClient(stack.gatewayUrl, stack.token);
    const counter = wsSubscribe(client, COUNTER, { eventId }, 'checkInCounter');
    const base = await upstreamCount(stack, eventId);
    await counter.until((m) => m.length >= 1);
    expect(counter.messages[0].checkedIn).toBe(base);

    await stack.faults({ webhooks: { duplicateRate: 0.5, delayMs: 30, reorder: true, reorderWindowMs: 40 } });
    await stack.resetStats();
    const started = Date.now();
    const truth = new Set<number>([base]);
    let checkedIn = base;
    for (const rsvp of rsvps) {
      for (const guestId of rsvp.guestIds) {
        const res = await stack.upstream('POST', `/events/v2/rsvps/${rsvp.id}/check-in`, { guestIds: [guestId] });
        expect(res.status).toBe(200);
        truth.add(++checkedIn);
      }
    }
    expect(checkedIn).toBe(base + 200);
    await stack.webhooksIdle();
    const final = await upstreamCount(stack, eventId);
    expect(final).toBe(base + 200);
    await counter.until((m) => m.at(-1)?.checkedIn === final, 15_000);
    const counts = counter.messages.map((m) => m.checkedIn);
    expect(counts.filter((c) => !truth.has(c))).toEqual([]);
    // Consecutive identical counts are not repeated.
    expect(counts.some((c, i) => i > 0 && c === counts[i - 1])).toBe(false);
    const stats = await stack.stats();
    const reads = stats.byRoute['POST /events/v2/rsvps/query'] ?? 0;
    // Re-reads are coalesced (100 ms window): at most one per window while webhooks flow, plus the one after, and
    // fewer than the webhooks. Bounded by the time the burst took, since a loaded machine stretches the burst.
    const windows = Math.ceil((Date.now() - started) / 100);
    expect(reads).toBeLessThanOrEqual(windows + 2);
    expect(reads).toBeLessThan(200);
    await stack.faults({ webhooks: {} });
    await client.dispose();
    // 200 sequential REST check-ins and their webhooks: ~15 s on an idle 2-core machine, twice that under load.
  }, 90_000);
});
