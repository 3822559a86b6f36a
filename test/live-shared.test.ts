/**
 * Shared subscription execution (live/shared.ts) over real graphql-ws sockets: subscribers holding the same
 * operation, variables and site get one execution per event; a selection that reads the upstream is executed once
 * per distinct credentials, so a caller never receives what its own credentials could not read.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createContext } from '../src/gateway/context.js';
import { startStack, type Stack } from './support/stack.js';
import { createRsvp, wsClient, wsSubscribe } from './support/live.js';

let stack: Stack;
let eventId: string;
let otherEventId: string;

beforeAll(async () => {
  stack = await startStack();
  const res = await stack.upstream('POST', '/events/v3/events/query', { query: { paging: { limit: 100 } }, fields: ['REGISTRATION'] });
  const open = res.body.events.filter(
    (e: any) => e.registration?.type === 'RSVP' && e.registration?.initialType === 'RSVP' && ['UPCOMING', 'STARTED'].includes(e.status) && e.registration?.status !== 'CLOSED_MANUALLY',
  );
  [eventId, otherEventId] = [open[0].id, open[1].id];
});
afterAll(() => stack?.stop());

/** Barrier on gateway state: polls `check` until it holds (fails after 10 s). */
async function until(check: () => boolean): Promise<void> {
  const deadline = Date.now() + 10_000;
  while (!check()) {
    if (Date.now() > deadline) throw new Error('condition not reached');
    await new Promise((r) => setTimeout(r, 10));
  }
}

const PLAIN = `subscription ($e: ID!) { rsvpChanged(eventId: $e) { kind rsvpId } }`;
const READS_UPSTREAM = `subscription ($e: ID!) { rsvpChanged(eventId: $e) { rsvpId rsvp { event { title } } } }`;

describe('shared subscription execution', () => {
  it('subscribers of the same operation on separate sockets share one execution per event and each gets it under its own id', async () => {
    const clients = [0, 1, 2].map(() => wsClient(stack.gatewayUrl, stack.token));
    const subs = clients.map((c) => wsSubscribe(c, PLAIN, { e: eventId }, 'rsvpChanged'));
    const elsewhere = wsClient(stack.gatewayUrl, stack.token);
    const other = wsSubscribe(elsewhere, PLAIN, { e: otherEventId }, 'rsvpChanged');
    await until(() => stack.gateway.shared.stats().members === 4);
    expect(stack.gateway.shared.stats().groups).toBe(2);
    const before = stack.gateway.shared.stats().executions;

    const rsvp = await createRsvp(stack, eventId, 1);
    for (const s of subs) await s.until((m) => m.some((x) => x.rsvpId === rsvp.id));
    await stack.webhooksIdle();

    expect(stack.gateway.shared.stats().executions - before).toBe(1);
    for (const s of subs) expect(s.messages.filter((x) => x.rsvpId === rsvp.id)).toEqual([{ kind: 'CREATED', rsvpId: rsvp.id }]);
    expect(other.messages).toEqual([]);

    // One subscriber leaves: the others still hear the group; when all leave the group is gone.
    await clients[0].dispose();
    await until(() => stack.gateway.shared.stats().members === 3);
    const second = await createRsvp(stack, eventId, 1);
    for (const s of subs.slice(1)) await s.until((m) => m.some((x) => x.rsvpId === second.id));
    await Promise.all([...clients.slice(1), elsewhere].map((c) => c.dispose()));
    await until(() => stack.gateway.shared.stats().groups === 0);
  });

  it('a selection that reads the upstream is executed per credentials: a second token of the site sees only what its own credentials read', async () => {
    // A second token of the same site whose credentials read different data: the sandbox gives every token its own
    // tenant, so the gateway is told (its token -> site cache) that this token belongs to the demo site.
    const site = await createContext(stack.gateway.services, stack.token).site();
    const otherToken = `same-site-${Math.random().toString(36).slice(2)}`;
    stack.gateway.services.siteCache.set(otherToken, { site: Promise.resolve(site), expires: Date.now() + 60_000 });
    const title = (await stack.gql(`query ($id: ID!) { event(id: $id) { title } }`, { id: eventId })).data.event.title;
    expect(title).toBeTruthy();

    const mine = [wsClient(stack.gatewayUrl, stack.token), wsClient(stack.gatewayUrl, stack.token)];
    const theirs = wsClient(stack.gatewayUrl, otherToken);
    const mineReads = mine.map((c) => wsSubscribe(c, READS_UPSTREAM, { e: eventId }, 'rsvpChanged'));
    const theirReads = wsSubscribe(theirs, READS_UPSTREAM, { e: eventId }, 'rsvpChanged');
    const minePlain = wsSubscribe(mine[0], PLAIN, { e: eventId }, 'rsvpChanged');
    const theirPlain = wsSubscribe(theirs, PLAIN, { e: eventId }, 'rsvpChanged');
    await until(() => stack.gateway.shared.stats().members === 5);
    expect(stack.gateway.shared.stats().groups).toBe(2);
    const before = stack.gateway.shared.stats().executions;

    const rsvp = await createRsvp(stack, eventId, 1);
    const ours = (m: any[]) => m.some((x) => x.rsvpId === rsvp.id);
    for (const s of [...mineReads, theirReads, minePlain, theirPlain]) await s.until(ours);
    await stack.webhooksIdle();

    for (const s of mineReads) expect(s.messages.find((x) => x.rsvpId === rsvp.id)).toEqual({ rsvpId: rsvp.id, rsvp: { event: { title } } });
    // Their credentials cannot read the demo tenant's event: they get null, never the title read with ours.
    expect(theirReads.messages.find((x) => x.rsvpId === rsvp.id)).toEqual({ rsvpId: rsvp.id, rsvp: { event: null } });
    // The webhook-only selection is shared site-wide: same payload, one execution.
    expect(theirPlain.messages.find((x) => x.rsvpId === rsvp.id)).toEqual(minePlain.messages.find((x) => x.rsvpId === rsvp.id));
    // Upstream-reading group: one execution per credentials (2); webhook-only group: one.
    expect(stack.gateway.shared.stats().executions - before).toBe(3);
    await Promise.all([...mine, theirs].map((c) => c.dispose()));
    await until(() => stack.gateway.shared.stats().groups === 0);
  });
});
