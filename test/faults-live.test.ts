/**
 * The live rows of the fault table (issue 9): Redis stopped and restarted in the middle of 50 changes with
 * subscribers on two replicas, a replica killed (SIGKILL) in the middle of 50 changes and of a mutation, and SIGTERM
 * with an in-flight query and open WebSocket and SSE subscriptions on a gateway run as a child process. These start their own redis-server on a free port (never the shared one) and
 * stop it after. Waits are barriers: a message arriving, a process printing its URL, a socket closing.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer as createHttpServer } from 'node:http';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import WebSocket from 'ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createGateway, type Gateway } from '../src/gateway/gateway.js';
import { startStack, type Stack } from './support/stack.js';
import { redisRequired, wsClient, wsSubscribe } from './support/live.js';
import { startGatewayProcess, type GatewayProcess } from './support/gateway-process.js';

const REDIS_SERVER = '/usr/bin/redis-server';

async function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const srv = createServer().listen(0, '127.0.0.1', () => {
      const port = (srv.address() as { port: number }).port;
      srv.close(() => resolve(port));
    });
  });
}

/** A throwaway redis-server (append-only, so a restart keeps the stream, as a deployed Redis would). */
async function startRedis(port: number, dir: string): Promise<ChildProcess> {
  const child = spawn(REDIS_SERVER, ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'yes', '--dir', dir], { stdio: ['ignore', 'pipe', 'pipe'] });
  await new Promise<void>((resolve, reject) => {
    let out = '';
    child.stdout!.on('data', (d) => {
      out += d;
      if (out.includes('Ready to accept connections')) resolve();
    });
    child.once('exit', (code) => reject(new Error(`redis-server exited ${code}: ${out.slice(-500)}`)));
  });
  return child;
}

async function stopRedis(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null) return;
  const exited = new Promise((r) => child.once('exit', r));
  child.kill('SIGTERM');
  await exited;
}

/**
 * A load balancer in front of the replicas, as a deployment has: each request goes to the next replica in turn; a
 * replica that refuses the connection (gone) is skipped; one that dies mid-request gets the caller a 502, as from a
 * real balancer, so the sender retries (the upstream resends a webhook that was not answered 2xx).
 */
async function startBalancer(backends: string[]) {
  let next = 0;
  const counts = { forwarded: backends.map(() => 0), badGateway: 0 };
  const server = createHttpServer(async (req, res) => {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const body = Buffer.concat(chunks);
    const start = next++;
    for (let tried = 0; tried < backends.length; tried++) {
      const i = (start + tried) % backends.length;
      try {
        const answer = await fetch(backends[i] + req.url, { method: req.method, headers: { 'content-type': req.headers['content-type'] ?? 'text/plain' }, body });
        const bytes = Buffer.from(await answer.arrayBuffer());
        counts.forwarded[i]!++;
        res.writeHead(answer.status, { 'content-type': answer.headers.get('content-type') ?? 'text/plain' }).end(bytes);
        return;
      } catch (err) {
        if ((err as { cause?: { code?: string } }).cause?.code !== 'ECONNREFUSED') break;
      }
    }
    counts.badGateway++;
    res.writeHead(502).end();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as { port: number }).port}`,
    counts,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

let haveRedis = true;
beforeAll(async () => {
  const { existsSync } = await import('node:fs');
  haveRedis = existsSync(REDIS_SERVER);
  if (!haveRedis && redisRequired()) throw new Error(`${REDIS_SERVER} is required (REQUIRE_REDIS/CI) for the Redis fault tests`);
});

describe('Redis stopped and restarted in the middle of 50 changes', () => {
  let stack: Stack | undefined;
  let second: Gateway | undefined;
  let redis: ChildProcess | undefined;
  let port = 0;
  let dir = '';

  beforeAll(async () => {
    if (!haveRedis) return;
    port = await freePort();
    dir = mkdtempSync(join(tmpdir(), 'faults-redis-'));
    redis = await startRedis(port, dir);
    const redisUrl = `redis://127.0.0.1:${port}`;
    // The sandbox gives a webhook up after ~3 s of retries by default; 10 attempts (~50 s) keep a loaded machine's
    // slow Redis restart inside the retry window, so what is measured is the gateway losing nothing it answered.
    stack = await startStack({ config: { redisUrl, redisPrefix: 'faults:' }, webhookMaxAttempts: 10 });
    second = await createGateway(stack.gateway.services.config);
    await second.start(0, '127.0.0.1');
  });
  afterAll(async () => {
    await second?.stop();
    await stack?.stop();
    if (redis) await stopRedis(redis);
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  for (const run of [1, 2, 3]) {
    it(`run ${run}: both replicas' subscribers see all 50 once; webhooks not appended were answered non-2xx`, async (ctx) => {
      if (!haveRedis || !stack || !second) return ctx.skip();
      const s = stack;
      const event = await s.upstream('POST', '/events/v3/events', { event: { title: `Restart ${run}`, registration: { initialType: 'RSVP', rsvp: {} } } });
      const eventId = event.body.event.id;
      const SUB = `subscription ($e: ID!) { rsvpChanged(eventId: $e) { kind rsvpId } }`;
      const clients = [wsClient(s.gatewayUrl, s.token), wsClient(second.url, s.token)];
      const subs = clients.map((c) => wsSubscribe<{ kind: string; rsvpId: string }>(c, SUB, { e: eventId }, 'rsvpChanged'));
      // Barrier: each replica has registered its subscriber's listener for this event.
      const onEvent = (channel: string) => channel.startsWith('rsvp:changed:') && channel.endsWith(`:${eventId}`);
      await Promise.all([s.gateway, second].map((g) => g.services.pubsub.listening.until(onEvent, 1, 30_000)));
      const create = async (n: number) => {
        const res = await s.upstream('POST', '/events/v2/rsvps', {
          rsvp: { eventId, firstName: 'R', lastName: `N${n}`, email: `r${run}-${n}-${Math.random().toString(36).slice(2)}@example.com`, status: 'YES', additionalGuestDetails: { guestCount: 0 } },
        });
        expect(res.status).toBe(200);
        return res.body.rsvp.id as string;
      };
      // And a warm-up change reaches both subscribers.
      const warm = await create(0);
      await Promise.all(subs.map((sub) => sub.until((m) => m.some((x) => x.rsvpId === warm), 20_000)));

      const before = await fetch(`${s.sandboxUrl}/__sandbox/webhook-stats`).then((r) => r.json());
      const ids: string[] = [];
      for (let n = 1; n <= 15; n++) ids.push(await create(n));
      await stopRedis(redis!);
      // Down only while it restarts: the sandbox, like a real upstream, gives a webhook up after 6 attempts over
      // about 3 s, and a loaded machine must not stretch the outage past that. One change is made while it is down,
      // so at least its webhook meets the outage (a webhook now takes one Redis round trip: those of the changes
      // before the stop have usually been answered already).
      ids.push(await create(16));
      redis = await startRedis(port, dir);
      for (let n = 17; n <= 50; n++) ids.push(await create(n));
      await s.webhooksIdle();
      const after = await fetch(`${s.sandboxUrl}/__sandbox/webhook-stats`).then((r) => r.json());

      const created = (m: { kind: string; rsvpId: string }[]) => m.filter((x) => x.kind === 'CREATED' && ids.includes(x.rsvpId));
      // On a timeout the assertions below say what was lost where, and whether the upstream gave a delivery up.
      await Promise.all(subs.map((sub) => sub.until((m) => new Set(created(m).map((x) => x.rsvpId)).size === 50, 30_000).catch(() => {})));
      expect({ gaveUp: after.failed - before.failed }).toEqual({ gaveUp: 0 });
      const counts = subs.map((sub) => created(sub.messages).length);
      const lost = subs.map((sub) => 50 - new Set(created(sub.messages).map((x) => x.rsvpId)).size);
      expect(lost).toEqual([0, 0]);
      expect(counts).toEqual([50, 50]);
      const failed = after.failed + after.retried - before.failed - before.retried;
      expect(failed).toBeGreaterThan(0);
      console.log(`| Redis stopped after 15 of 50 changes and restarted (run ${run}) | replica A: ${counts[0]} of 50, replica B: ${counts[1]} of 50; 0 lost, 0 duplicated | ${failed} webhook deliveries answered non-2xx and resent |`);
      await Promise.all(clients.map((c) => c.dispose()));
    }, 120_000);
  }
});

describe('a replica killed (SIGKILL) in the middle of 50 changes and of a mutation', () => {
  let stack: Stack | undefined;
  let redis: ChildProcess | undefined;
  let dir = '';
  let replicas: GatewayProcess[] = [];
  let balancer: Awaited<ReturnType<typeof startBalancer>> | undefined;

  beforeAll(async () => {
    if (!haveRedis) return;
    const port = await freePort();
    dir = mkdtempSync(join(tmpdir(), 'faults-kill-'));
    redis = await startRedis(port, dir);
    // The gateway under test runs as two child processes; this stack's own gateway is not used (no webhooks to it).
    stack = await startStack({ webhooks: false, webhookMaxAttempts: 10 });
    const env = {
      UPSTREAM_URL: stack.sandboxUrl,
      WIX_WEBHOOK_PUBLIC_KEY: stack.publicKeyPem,
      REDIS_URL: `redis://127.0.0.1:${port}`,
      REDIS_PREFIX: 'kill:',
      LOG_LEVEL: 'error',
    };
    replicas = await Promise.all([startGatewayProcess(env), startGatewayProcess(env)]);
    balancer = await startBalancer(replicas.map((r) => r.url.replace(/\/graphql$/, '')));
    await fetch(`${stack.sandboxUrl}/__sandbox/webhooks`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ url: `${balancer.url}/webhooks/wix` }) });
  });
  afterAll(async () => {
    await Promise.all(replicas.map((r) => r.close()));
    await balancer?.close();
    await stack?.stop();
    if (redis) await stopRedis(redis);
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it("the survivor's subscriber sees all 50 once; the interrupted createRsvp retried there with its key writes 1 RSVP", async (ctx) => {
    if (!haveRedis || !stack || !balancer) return ctx.skip();
    const s = stack;
    const [victim, survivor] = replicas as [GatewayProcess, GatewayProcess];
    const base = (r: GatewayProcess) => r.url.replace(/\/graphql$/, '');
    const event = await s.upstream('POST', '/events/v3/events', { event: { title: 'Killed replica', registration: { initialType: 'RSVP', rsvp: {} } } });
    const eventId = event.body.event.id;
    const client = wsClient(base(survivor), s.token);
    const sub = wsSubscribe<{ kind: string; rsvpId: string }>(client, `subscription ($e: ID!) { rsvpChanged(eventId: $e) { kind rsvpId } }`, { e: eventId }, 'rsvpChanged');
    const create = async (n: number | string) => {
      const res = await s.upstream('POST', '/events/v2/rsvps', {
        rsvp: { eventId, firstName: 'K', lastName: `N${n}`, email: `k-${n}-${Math.random().toString(36).slice(2)}@example.com`, status: 'YES', additionalGuestDetails: { guestCount: 0 } },
      });
      expect(res.status).toBe(200);
      return res.body.rsvp.id as string;
    };
    // Barrier: the survivor's subscription is attached once a change made after it reaches it (a replica in another
    // process has no registry to wait on; each warm-up waits on its delivery, a new one only if it was missed).
    for (let attempt = 0; ; attempt++) {
      const warm = await create(`warm${attempt}`);
      const arrived = await sub.until((m) => m.some((x) => x.rsvpId === warm), 10_000).then(() => true, () => false);
      if (arrived) break;
      if (attempt === 5) throw new Error('the subscription on the surviving replica never heard a change');
    }

    const before = await fetch(`${s.sandboxUrl}/__sandbox/webhook-stats`).then((r) => r.json());
    const ids: string[] = [];
    for (let n = 1; n <= 15; n++) ids.push(await create(n));

    // A createRsvp on the replica about to die: the upstream writes it and holds its answer back.
    const email = `killed-${Math.random().toString(36).slice(2)}@example.com`;
    const key = crypto.randomUUID();
    const CREATE = `mutation ($input: CreateRsvpInput!) { createRsvp(input: $input) { __typename ... on RsvpPayload { rsvp { rsvpId } } ... on UpstreamError { code outcomeUnknown idempotencyKey } } }`;
    const variables = { input: { eventId, firstName: 'Kim', lastName: 'Killed', email, idempotencyKey: key } };
    const mutate = (r: GatewayProcess) =>
      fetch(r.url, { method: 'POST', headers: { 'content-type': 'application/json', authorization: s.token }, body: JSON.stringify({ query: CREATE, variables }) }).then(
        async (res) => ({ status: res.status, body: (await res.json()) as any }),
      );
    const ours = async () =>
      (await s.upstream('POST', '/events/v2/rsvps/query', { query: { filter: { eventId }, cursorPaging: { limit: 100 } }, fields: ['CONTACT_DETAILS'] })).body.rsvps.filter(
        (r: any) => r.email === email,
      );
    await s.faults({ rules: [{ route: 'POST /events/v2/rsvps', latencyMs: 8_000, afterHandling: true, times: 1 }] });
    const interrupted: Promise<{ answered?: unknown; failed?: string }> = mutate(victim).then(
      (r) => ({ answered: r }),
      (err: Error) => ({ failed: String((err as { cause?: unknown }).cause ?? err) }),
    );
    // Barrier: the upstream has written it (the answer is still held back) — then the replica dies.
    while ((await ours()).length === 0) await new Promise((r) => setTimeout(r, 20));
    const killed = await victim.kill('SIGKILL');
    expect(killed.signal).toBe('SIGKILL');
    const first = await interrupted;
    expect(first).toHaveProperty('failed');

    for (let n = 16; n <= 50; n++) ids.push(await create(n));
    // The client resends the mutation as the idempotencyKey contract says, now reaching the survivor.
    const retry = await mutate(survivor);
    await s.webhooksIdle();
    await s.faults({ rules: [] });
    const after = await fetch(`${s.sandboxUrl}/__sandbox/webhook-stats`).then((r) => r.json());
    const written = await ours();
    expect(written).toHaveLength(1);
    expect(retry.body.data.createRsvp).toEqual({ __typename: 'RsvpPayload', rsvp: { rsvpId: written[0].id } });

    const created = (m: { kind: string; rsvpId: string }[]) => m.filter((x) => x.kind === 'CREATED' && (ids.includes(x.rsvpId) || x.rsvpId === written[0].id));
    await sub.until((m) => new Set(created(m).map((x) => x.rsvpId)).size === 51, 30_000).catch(() => {});
    expect({ gaveUp: after.failed - before.failed }).toEqual({ gaveUp: 0 });
    const heard = created(sub.messages);
    const distinct = new Set(heard.map((x) => x.rsvpId)).size;
    expect({ lost: 51 - distinct, duplicated: heard.length - distinct }).toEqual({ lost: 0, duplicated: 0 });
    const resent = after.retried - before.retried;
    console.log(
      `| a replica SIGKILLed after 15 of 50 changes, a createRsvp (key) in flight on it | survivor's subscriber: ${heard.length} CREATED for 50 changes + the mutation's RSVP, 0 lost, 0 duplicated; ` +
        `the interrupted mutation: connection lost (${first.failed?.slice(0, 40)}), resent to the survivor with its key → RsvpPayload of the RSVP written | ` +
        `1 RSVP for that email; ${resent} webhook deliveries resent (balancer 502s: ${balancer.counts.badGateway}), 0 given up |`,
    );
    await client.dispose();
  }, 120_000);
});

describe('SIGTERM with an in-flight query and open subscriptions', () => {
  let stack: Stack;
  beforeAll(async () => {
    stack = await startStack({ webhooks: false });
  });
  afterAll(() => stack?.stop());

  /**
   * Start the gateway as its own process, run `before` (e.g. a Redis restart), open a WebSocket and an SSE
   * subscription, start a 1.5 s query, SIGTERM: everything is asserted here; returns the exit time and the output.
   */
  async function sigterm(env: Record<string, string>, before?: (gateway: GatewayProcess) => Promise<void>) {
    const child = await startGatewayProcess({ UPSTREAM_URL: stack.sandboxUrl, WIX_API_KEY: stack.token, LOG_LEVEL: 'error', SHUTDOWN_DRAIN_MS: '8000', REDIS_URL: '', ...env });
    const url = child.url.replace(/\/graphql$/, '');
    await before?.(child);

    // An open WebSocket with a subscription (the barrier: the first counter message proves it is running).
    const events = await stack.upstream('POST', '/events/v3/events/query', { query: { paging: { limit: 100 } }, fields: ['REGISTRATION'] });
    const eventId = events.body.events.find((e: any) => e.registration?.type === 'RSVP').id;
    const ws = new WebSocket(url.replace(/^http/, 'ws') + '/graphql', 'graphql-transport-ws');
    const wsClosed = new Promise<number>((r) => ws.once('close', (code) => r(code)));
    const wsFirst = new Promise<void>((resolve) => {
      ws.on('open', () => ws.send(JSON.stringify({ type: 'connection_init', payload: {} })));
      ws.on('message', (raw) => {
        const msg = JSON.parse(String(raw));
        if (msg.type === 'connection_ack') ws.send(JSON.stringify({ id: '1', type: 'subscribe', payload: { query: `subscription { checkInCounter(eventId: "${eventId}") { checkedIn } }` } }));
        if (msg.type === 'next') resolve();
      });
    });
    await wsFirst;

    // An SSE subscription, read until its first message.
    const sse = await fetch(`${url}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'text/event-stream' },
      body: JSON.stringify({ query: `subscription { checkInCounter(eventId: "${eventId}") { checkedIn } }` }),
    });
    const reader = sse.body!.getReader();
    let sseText = '';
    while (!sseText.includes('event: next')) sseText += new TextDecoder().decode((await reader.read()).value);
    const sseDone = (async () => {
      for (;;) {
        const { done, value } = await reader.read();
        if (done) return true;
        sseText += new TextDecoder().decode(value);
      }
    })().catch(() => false);

    // A slow in-flight query: its upstream call takes 1.5 s.
    await stack.faults({ rules: [{ route: 'POST /events/v3/events/query', latencyMs: 1_500 }] });
    await stack.resetStats();
    const query = fetch(`${url}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ query: '{ events(first: 2) { edges { node { eventId } } } }' }),
    }).then(async (r) => ({ status: r.status, body: (await r.json()) as any }));
    // Barrier: the query has reached the upstream before the signal.
    for (;;) {
      const stats = await stack.stats();
      if ((stats.byRoute['POST /events/v3/events/query'] ?? 0) > 0) break;
      await new Promise((r) => setTimeout(r, 20));
    }
    const signalled = performance.now();
    const exit = child.kill('SIGTERM').then((e) => ({ ...e, at: performance.now() }));

    try {
      const answered = await query;
      expect(answered.status).toBe(200);
      expect(answered.body.data.events.edges).toHaveLength(2);
      expect(await wsClosed).toBe(1001);
      expect(await sseDone).toBe(true);
      expect(sseText).toContain('event: complete');
      const { code, at } = await exit;
      expect({ code, output: child.output().match(/Connection is closed|Unhandled|uncaught/gi) ?? [] }).toEqual({ code: 0, output: [] });
      const ms = Math.round(at - signalled);
      expect(ms).toBeLessThan(8_000);
      return { ms };
    } finally {
      await stack.faults({ rules: [] });
    }
  }

  it('the in-flight query completes, WebSockets see 1001, SSE completes, exit 0 within the drain time', async () => {
    const { ms } = await sigterm({});
    console.log(`| SIGTERM with a 1.5 s query in flight, a WebSocket and an SSE subscription | query answered 200 with data; WebSocket closed 1001; SSE ended with event: complete; exit 0 after ${ms} ms (drain 8000) | nothing cut |`);
  }, 60_000);

  it('the same after a Redis reconnect: no "Connection is closed", exit 0', async (ctx) => {
    if (!haveRedis) return ctx.skip();
    const port = await freePort();
    const dir = mkdtempSync(join(tmpdir(), 'faults-sigterm-'));
    let redis = await startRedis(port, dir);
    const readyz = async (url: string) => (await fetch(`${url.replace(/\/graphql$/, '')}/readyz`)).status;
    const until = async (url: string, status: number) => {
      // Barrier: readiness reflects Redis (each probe waits on the gateway's answer).
      while ((await readyz(url)) !== status) await new Promise((r) => setTimeout(r, 50));
    };
    const flips: number[] = [];
    try {
      const { ms } = await sigterm({ REDIS_URL: `redis://127.0.0.1:${port}`, REDIS_PREFIX: 'sigterm:' }, async (gateway) => {
        await until(gateway.url, 200);
        await stopRedis(redis);
        await until(gateway.url, 503);
        flips.push(503);
        redis = await startRedis(port, dir);
        await until(gateway.url, 200);
        flips.push(200);
      });
      expect(flips).toEqual([503, 200]);
      console.log(
        `| SIGTERM after Redis stopped and restarted (/readyz 503 then 200), a 1.5 s query in flight, WebSocket and SSE open | query answered 200 with data; WebSocket closed 1001; SSE ended with event: complete; exit 0 after ${ms} ms (drain 8000), no "Connection is closed" | nothing cut |`,
      );
    } finally {
      await stopRedis(redis);
      rmSync(dir, { recursive: true, force: true });
    }
  }, 90_000);
});
