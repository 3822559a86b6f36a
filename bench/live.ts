/**
 * Live-update figures on one gateway process:
 *  1. webhook-to-client latency, p50/p99, with 1,000 graphql-ws subscribers (100 sockets x 10 subscriptions) of one
 *     event's rsvpChanged: signed webhooks are POSTed straight to /webhooks/wix and each client notes when the
 *     change arrives (the sandbox's own dispatch delay is left out);
 *  2. upstream calls per burst of 100 check-ins with 50 checkInCounter subscribers of that event: re-reads are
 *     coalesced per COUNTER_COALESCE_MS and shared by the subscribers, so it is a handful rather than 100 x 50.
 */
import { exportSPKI, generateKeyPair, SignJWT } from 'jose';
import { createRsvp, upstreamCount, wsClient } from '../test/support/live.js';
import { startStack } from '../test/support/stack.js';

const SOCKETS = 100;
const PER_SOCKET = 10;
const WEBHOOKS = 40;
const COUNTER_SUBSCRIBERS = 50;
const BURST = 100;

export async function run(): Promise<object> {
  const stack = await startStack();
  try {
    const { privateKey, publicKey } = await generateKeyPair('RS256');
    // The bench signs its own webhooks too; the receiver reads the key list on its first webhook.
    stack.gateway.services.config.webhookPublicKeys.push(await exportSPKI(publicKey));
    const info = (await stack.upstream('POST', '/oauth2/token-info', { token: stack.token })).body;
    const instanceId: string = info.instanceId ?? info.siteId;
    const events = await stack.upstream('POST', '/events/v3/events/query', { query: { paging: { limit: 100 } }, fields: ['REGISTRATION'] });
    const eventId: string = events.body.events.find((e: any) => e.registration?.type === 'RSVP' && ['UPCOMING', 'STARTED'].includes(e.status)).id;

    // 1. Latency
    const sentAt = new Map<string, number>();
    const latencies: number[] = [];
    const clients = Array.from({ length: SOCKETS }, () => wsClient(stack.gatewayUrl, stack.token));
    let ready = 0;
    for (const client of clients) {
      for (let i = 0; i < PER_SOCKET; i++) {
        client.subscribe(
          { query: `subscription ($e: ID!) { rsvpChanged(eventId: $e) { rsvpId } }`, variables: { e: eventId } },
          {
            next: (m: any) => {
              const t = sentAt.get(m.data?.rsvpChanged?.rsvpId);
              if (t !== undefined) latencies.push(performance.now() - t);
            },
            error: (e) => console.error('subscription error', e),
            complete: () => {},
          },
        );
        ready++;
      }
    }
    await new Promise((r) => setTimeout(r, 1500));
    for (let i = 0; i < WEBHOOKS; i++) {
      const entityId = `bench-rsvp-${i}`;
      const domainEvent = {
        id: `bench-${i}-${Math.random()}`,
        entityFqdn: 'wix.events.v2.rsvp',
        slug: 'updated',
        entityId,
        eventTime: new Date().toISOString(),
        entityEventSequence: '1',
        updatedEvent: { currentEntity: { id: entityId, eventId, status: 'YES' } },
      };
      const jwt = await new SignJWT({ data: JSON.stringify({ eventType: 'wix.events.v2.rsvp_updated', instanceId, data: JSON.stringify(domainEvent) }) })
        .setProtectedHeader({ alg: 'RS256' })
        .sign(privateKey);
      sentAt.set(entityId, performance.now());
      const res = await fetch(`${stack.gatewayUrl}/webhooks/wix`, { method: 'POST', body: jwt });
      if (res.status !== 200) throw new Error(`webhook answered ${res.status}`);
      await new Promise((r) => setTimeout(r, 25));
    }
    const deadline = Date.now() + 10_000;
    while (latencies.length < WEBHOOKS * ready && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    latencies.sort((a, b) => a - b);
    const pct = (p: number) => latencies[Math.min(latencies.length - 1, Math.floor((p / 100) * latencies.length))] ?? NaN;
    await Promise.all(clients.map((c) => c.dispose()));

    // 2. Upstream calls per burst of check-ins
    const rsvps = [];
    for (let made = 0; made < BURST; made += 11) rsvps.push(await createRsvp(stack, eventId, Math.min(11, BURST - made)));
    await stack.webhooksIdle();
    const counterClients = Array.from({ length: 5 }, () => wsClient(stack.gatewayUrl, stack.token));
    const lastCount: number[] = [];
    for (let i = 0; i < COUNTER_SUBSCRIBERS; i++) {
      counterClients[i % counterClients.length].subscribe(
        { query: `subscription ($e: ID!) { checkInCounter(eventId: $e) { checkedIn } }`, variables: { e: eventId } },
        { next: (m: any) => (lastCount[i] = m.data?.checkInCounter?.checkedIn), error: (e) => console.error(e), complete: () => {} },
      );
    }
    while (lastCount.filter((x) => x !== undefined).length < COUNTER_SUBSCRIBERS) await new Promise((r) => setTimeout(r, 20));
    await stack.resetStats();
    const started = performance.now();
    for (const rsvp of rsvps) for (const guestId of rsvp.guestIds) await stack.upstream('POST', `/events/v2/rsvps/${rsvp.id}/check-in`, { guestIds: [guestId] });
    await stack.webhooksIdle();
    const truth = await upstreamCount(stack, eventId);
    const settleDeadline = Date.now() + 10_000;
    while (lastCount.some((c) => c !== truth) && Date.now() < settleDeadline) await new Promise((r) => setTimeout(r, 20));
    const burstMs = performance.now() - started;
    const stats = await stack.stats();
    // The bench's own truth read above is one of these; subtract it.
    const counterReads = (stats.byRoute['POST /events/v2/rsvps/query'] ?? 0) - 1;
    await Promise.all(counterClients.map((c) => c.dispose()));

    const figures = {
      subscribers: ready,
      sockets: SOCKETS,
      webhooks: WEBHOOKS,
      deliveries: latencies.length,
      latencyP50Ms: round(pct(50)),
      latencyP99Ms: round(pct(99)),
      burstCheckIns: BURST,
      counterSubscribers: COUNTER_SUBSCRIBERS,
      coalesceMs: stack.gateway.services.config.counterCoalesceMs,
      upstreamReadsPerBurst: counterReads,
      burstMs: round(burstMs),
      countersExact: lastCount.every((c) => c === truth),
    };
    console.table([
      { measure: `webhook -> client p50 (${ready} subscribers)`, value: `${figures.latencyP50Ms} ms` },
      { measure: `webhook -> client p99 (${ready} subscribers)`, value: `${figures.latencyP99Ms} ms` },
      { measure: 'deliveries measured', value: `${figures.deliveries} / ${WEBHOOKS * ready}` },
      { measure: `upstream re-reads for ${BURST} check-ins (${COUNTER_SUBSCRIBERS} counter subscribers)`, value: String(counterReads) },
      { measure: 'counters equal upstream at the end', value: String(figures.countersExact) },
    ]);
    return figures;
  } finally {
    await stack.stop();
  }
}

function round(n: number): number {
  return Math.round(n * 10) / 10;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  await run();
  process.exit(0);
}
