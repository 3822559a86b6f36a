/**
 * The sandbox's webhook dispatcher, checked the way a Wix app checks real webhooks: every body a node:http receiver
 * gets must pass @wix/sdk's own `webhooks.process` with the sandbox's public key (docs/upstream.md §1.8).
 */
import { createServer, type Server } from 'node:http';
import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AddressInfo } from 'node:net';
import { AppStrategy, createClient } from '@wix/sdk';
import * as rsvps from '@wix/auto_sdk_events_rsvp-v-2';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { loadOrGenerateKeys, type SandboxKeys } from '../src/sandbox/keys.js';
import { createWebhookDispatcher, type WebhookDispatcher } from '../src/sandbox/webhooks.js';
import type { OutgoingEvent } from '../src/sandbox/tenant.js';

const tenant = { instanceId: '11111111-1111-4111-8111-111111111111', siteId: '22222222-2222-4222-8222-222222222222' };

interface Receiver {
  url: string;
  bodies: string[];
  /** Statuses to answer with, in order; 200 once they run out. */
  script: number[];
  hits: number;
  contentTypes: string[];
  close(): Promise<void>;
}

async function startReceiver(): Promise<Receiver> {
  const r: Receiver = { url: '', bodies: [], script: [], hits: 0, contentTypes: [], close: async () => {} };
  const server: Server = createServer((req, res) => {
    let body = '';
    req.setEncoding('utf8');
    req.on('data', (c: string) => (body += c));
    req.on('end', () => {
      r.hits++;
      r.contentTypes.push(String(req.headers['content-type']));
      const status = r.script.shift() ?? 200;
      if (status === 200) r.bodies.push(body);
      res.writeHead(status).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  r.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/webhooks`;
  r.close = () => new Promise((resolve) => server.close(() => resolve()));
  return r;
}

const rsvpCreated = (id: string, extra: Record<string, unknown> = {}): OutgoingEvent => ({
  entityFqdn: 'wix.events.v2.rsvp',
  slug: 'created',
  entityId: id,
  createdEvent: { entity: { id, eventId: 'e1', status: 'YES', firstName: 'Ada', revision: '1', ...extra } },
});

let keys: SandboxKeys;
let client: ReturnType<typeof makeClient>;
let receiver: Receiver;
let dispatcher: WebhookDispatcher;

function makeClient(publicKey: string) {
  return createClient({ auth: AppStrategy({ appId: 'x', publicKey }), modules: { rsvps } });
}

async function processAll(bodies: string[]) {
  return Promise.all(bodies.map((b) => client.webhooks.process(b)));
}

beforeAll(async () => {
  keys = await loadOrGenerateKeys();
  client = makeClient(keys.publicKeyPem);
});

afterEach(async () => {
  await dispatcher?.stop();
  await receiver?.close();
});

describe('webhook dispatcher', () => {
  it('delivers a JWT that @wix/sdk webhooks.process verifies, with the eventType, entity and tenant of the event', async () => {
    receiver = await startReceiver();
    dispatcher = createWebhookDispatcher({ privateKey: keys.privateKey });
    dispatcher.register(receiver.url);
    dispatcher.register(receiver.url); // idempotent
    expect(dispatcher.targets()).toEqual([receiver.url]);

    const seen: unknown[] = [];
    const withHandler = makeClient(keys.publicKeyPem);
    withHandler.rsvps.onRsvpCreated((envelope) => void seen.push(envelope));
    dispatcher.emit(tenant, rsvpCreated('r1'));
    await dispatcher.idle();

    expect(receiver.bodies).toHaveLength(1);
    expect(receiver.contentTypes[0]).toMatch(/^text\/plain/);
    expect(receiver.bodies[0]!.split('.')).toHaveLength(3);
    const [event] = await processAll(receiver.bodies);
    expect(event!.eventType).toBe('wix.events.v2.rsvp_created');
    expect(event!.instanceId).toBe(tenant.instanceId);
    expect(event!.accountInfo).toEqual({ siteId: tenant.siteId });
    expect(event!.identity).toMatchObject({ identityType: 'APP' });
    const payload = event!.payload as Record<string, any>;
    expect(payload.createdEvent.entity).toMatchObject({ id: 'r1', firstName: 'Ada', revision: '1' });
    expect(payload).toMatchObject({ entityFqdn: 'wix.events.v2.rsvp', slug: 'created', entityId: 'r1', entityEventSequence: '1', triggeredByAnonymizeRequest: false });
    expect(payload.id).toMatch(/^[0-9a-f-]{36}$/);
    expect(Number.isNaN(Date.parse(payload.eventTime))).toBe(false);
    await withHandler.webhooks.process(receiver.bodies[0]!);
    // The module-level handler got the SDK's envelope (entity renamed to _id, metadata from the DomainEvent).
    expect(seen).toHaveLength(1);
    expect(seen[0]).toMatchObject({ entity: { _id: 'r1', firstName: 'Ada' }, metadata: { entityId: 'r1', instanceId: tenant.instanceId } });
    expect(dispatcher.stats()).toEqual({ delivered: 1, failed: 0, retried: 0, pending: 0 });
  });

  it('is rejected by a client holding a different public key', async () => {
    receiver = await startReceiver();
    dispatcher = createWebhookDispatcher({ privateKey: keys.privateKey });
    dispatcher.register(receiver.url);
    dispatcher.emit(tenant, rsvpCreated('r1'));
    await dispatcher.idle();
    const other = await loadOrGenerateKeys();
    await expect(makeClient(other.publicKeyPem).webhooks.process(receiver.bodies[0]!)).rejects.toThrow(/signature/i);
  });

  it('keeps each body field as the route gave it: updated, deleted and action events', async () => {
    receiver = await startReceiver();
    dispatcher = createWebhookDispatcher({ privateKey: keys.privateKey });
    dispatcher.register(receiver.url);
    dispatcher.emit(tenant, { entityFqdn: 'wix.events.v2.rsvp', slug: 'updated', entityId: 'r1', updatedEvent: { currentEntity: { id: 'r1', status: 'NO' } } });
    await dispatcher.idle();
    dispatcher.emit(tenant, { entityFqdn: 'wix.events.v2.rsvp', slug: 'deleted', entityId: 'r1', deletedEvent: { deletedEntity: { id: 'r1' } } });
    await dispatcher.idle();
    dispatcher.emit(tenant, { entityFqdn: 'wix.events.guests.v1.guest', slug: 'guest_checked_in', entityId: 'g1', actionEvent: { body: { eventId: 'e1' } } });
    await dispatcher.idle();
    const events = await processAll(receiver.bodies);
    const byType = Object.fromEntries(events.map((e) => [e.eventType, e.payload as Record<string, any>]));
    expect(byType['wix.events.v2.rsvp_updated']!.updatedEvent).toEqual({ currentEntity: { id: 'r1', status: 'NO' } });
    expect(byType['wix.events.v2.rsvp_deleted']!.deletedEvent).toEqual({ deletedEntity: { id: 'r1' } });
    expect(byType['wix.events.guests.v1.guest_guest_checked_in']!.actionEvent).toEqual({ body: { eventId: 'e1' } });
    // One sequence per entity: r1 went 1 → 2, g1 starts at 1.
    expect(byType['wix.events.v2.rsvp_updated']!.entityEventSequence).toBe('1');
    expect(byType['wix.events.v2.rsvp_deleted']!.entityEventSequence).toBe('2');
    expect(byType['wix.events.guests.v1.guest_guest_checked_in']!.entityEventSequence).toBe('1');
  });

  it('numbers each entity’s events 1, 2, 3… as int64 strings, independently of other entities, with unique ids', async () => {
    receiver = await startReceiver();
    dispatcher = createWebhookDispatcher({ privateKey: keys.privateKey });
    dispatcher.register(receiver.url);
    for (let i = 0; i < 12; i++) dispatcher.emit(tenant, rsvpCreated(i % 2 ? 'odd' : 'even', { n: i }));
    await dispatcher.idle();
    const payloads = (await processAll(receiver.bodies)).map((e) => e.payload as Record<string, any>);
    expect(payloads).toHaveLength(12);
    for (const entity of ['odd', 'even']) {
      const seqs = payloads.filter((p) => p.entityId === entity).map((p) => p.entityEventSequence).sort((a, b) => Number(a) - Number(b));
      expect(seqs).toEqual(['1', '2', '3', '4', '5', '6']);
    }
    // The sequence follows emit order: the entity version emitted later has the higher sequence.
    for (const p of payloads) expect(Number(p.entityEventSequence)).toBe(Math.floor(p.createdEvent.entity.n / 2) + 1);
    expect(new Set(payloads.map((p) => p.id)).size).toBe(12);
  });

  it('retries after 500s and connection errors with backoff, and gives up after maxAttempts', async () => {
    receiver = await startReceiver();
    receiver.script = [500, 503, 500];
    dispatcher = createWebhookDispatcher({ privateKey: keys.privateKey, baseBackoffMs: 10, maxAttempts: 4 });
    dispatcher.register(receiver.url);
    const started = Date.now();
    dispatcher.emit(tenant, rsvpCreated('r1'));
    await dispatcher.idle();
    expect(receiver.hits).toBe(4);
    expect(receiver.bodies).toHaveLength(1);
    // Backoff 10 + 20 + 40 ms (plus jitter) between the four attempts.
    expect(Date.now() - started).toBeGreaterThanOrEqual(70);
    expect(dispatcher.stats()).toMatchObject({ delivered: 1, failed: 0, retried: 3, pending: 0 });

    receiver.script = [500, 500, 500, 500, 500];
    dispatcher.emit(tenant, rsvpCreated('r2'));
    await dispatcher.idle();
    expect(receiver.hits).toBe(8);
    expect(dispatcher.stats()).toMatchObject({ delivered: 1, failed: 1, retried: 6, pending: 0 });

    // A target that is not listening at all is a connection error: retried, then given up, without throwing.
    const dead = await startReceiver();
    await dead.close();
    dispatcher.register(dead.url);
    dispatcher.emit(tenant, rsvpCreated('r3'));
    await dispatcher.idle();
    expect(dispatcher.stats()).toMatchObject({ delivered: 2, failed: 2, pending: 0 });
  });

  it('delivers to every registered target independently; unregistered targets get nothing more', async () => {
    receiver = await startReceiver();
    const second = await startReceiver();
    second.script = [500];
    dispatcher = createWebhookDispatcher({ privateKey: keys.privateKey, baseBackoffMs: 5 });
    dispatcher.register(receiver.url);
    dispatcher.register(second.url);
    dispatcher.emit(tenant, rsvpCreated('r1'));
    await dispatcher.idle();
    expect(receiver.bodies).toHaveLength(1);
    expect(second.bodies).toHaveLength(1);
    expect(second.hits).toBe(2);
    dispatcher.unregister(second.url);
    dispatcher.emit(tenant, rsvpCreated('r2'));
    await dispatcher.idle();
    expect(receiver.bodies).toHaveLength(2);
    expect(second.bodies).toHaveLength(1);
    await second.close();
  });

  it('duplicate fault delivers the same event id twice; clearing faults stops it', async () => {
    receiver = await startReceiver();
    dispatcher = createWebhookDispatcher({ privateKey: keys.privateKey });
    dispatcher.register(receiver.url);
    dispatcher.setFaults({ duplicateRate: 1 });
    for (let i = 0; i < 5; i++) dispatcher.emit(tenant, rsvpCreated(`r${i}`));
    await dispatcher.idle();
    let payloads = (await processAll(receiver.bodies)).map((e) => e.payload as Record<string, any>);
    expect(payloads).toHaveLength(10);
    const ids = payloads.map((p) => p.id);
    expect(new Set(ids).size).toBe(5);
    for (const id of new Set(ids)) {
      const copies = payloads.filter((p) => p.id === id);
      expect(copies).toHaveLength(2);
      expect(copies[0]).toEqual(copies[1]);
    }
    dispatcher.setFaults({});
    receiver.bodies.length = 0;
    for (let i = 0; i < 5; i++) dispatcher.emit(tenant, rsvpCreated(`s${i}`));
    await dispatcher.idle();
    payloads = (await processAll(receiver.bodies)).map((e) => e.payload as Record<string, any>);
    expect(new Set(payloads.map((p) => p.id)).size).toBe(5);
    expect(payloads).toHaveLength(5);
  });

  it('reorder and delay faults change arrival order but lose nothing; the sequence still tells the true order', async () => {
    receiver = await startReceiver();
    dispatcher = createWebhookDispatcher({ privateKey: keys.privateKey });
    dispatcher.register(receiver.url);
    dispatcher.setFaults({ reorder: true, reorderWindowMs: 30, delayMs: 20 });
    const n = 40;
    for (let i = 0; i < n; i++) dispatcher.emit(tenant, rsvpCreated('r1', { n: i }));
    await dispatcher.idle();
    const payloads = (await processAll(receiver.bodies)).map((e) => e.payload as Record<string, any>);
    const arrival = payloads.map((p) => p.createdEvent.entity.n as number);
    expect([...arrival].sort((a, b) => a - b)).toEqual([...Array(n).keys()]);
    // 40 shuffled items arriving in emit order has probability 1/40!: effectively never.
    expect(arrival).not.toEqual([...Array(n).keys()]);
    for (const p of payloads) expect(p.entityEventSequence).toBe(String(p.createdEvent.entity.n + 1));
  });

  it('emit never throws and idle() resolves at once when there is nothing to deliver', async () => {
    dispatcher = createWebhookDispatcher({ privateKey: keys.privateKey });
    receiver = await startReceiver();
    expect(() => dispatcher.emit(tenant, rsvpCreated('r1'))).not.toThrow();
    expect(() => dispatcher.emit(tenant, null as unknown as OutgoingEvent)).not.toThrow();
    await dispatcher.idle();
    expect(dispatcher.stats().pending).toBe(0);
  });

  it('stop() gives up on deliveries still waiting to be retried and resolves idle()', async () => {
    receiver = await startReceiver();
    receiver.script = [500];
    dispatcher = createWebhookDispatcher({ privateKey: keys.privateKey, baseBackoffMs: 60_000 });
    dispatcher.register(receiver.url);
    dispatcher.emit(tenant, rsvpCreated('r1'));
    const idle = dispatcher.idle();
    while (receiver.hits === 0) await new Promise((r) => setTimeout(r, 5));
    await new Promise((r) => setTimeout(r, 20));
    expect(dispatcher.stats().pending).toBe(1);
    await dispatcher.stop();
    await idle;
    expect(dispatcher.stats()).toMatchObject({ delivered: 0, failed: 1, pending: 0 });
  });
});

describe('sandbox keys', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'sandbox-keys-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('writes a missing key file with mode 0600 and loads the same key from it next time', async () => {
    const file = join(dir, 'nested', 'webhook-key.pem');
    const first = await loadOrGenerateKeys(file);
    expect((await stat(file)).mode & 0o777).toBe(0o600);
    expect(await readFile(file, 'utf8')).toBe(first.privateKeyPem);
    expect(first.publicKeyPem).toMatch(/^-----BEGIN PUBLIC KEY-----\n/);
    const again = await loadOrGenerateKeys(file);
    expect(again.publicKeyPem).toBe(first.publicKeyPem);

    // A webhook signed with the reloaded key verifies against the PEM handed out the first time.
    receiver = await startReceiver();
    dispatcher = createWebhookDispatcher({ privateKey: again.privateKey });
    dispatcher.register(receiver.url);
    dispatcher.emit(tenant, rsvpCreated('r1'));
    await dispatcher.idle();
    const event = await makeClient(first.publicKeyPem).webhooks.process(receiver.bodies[0]!);
    expect(event.eventType).toBe('wix.events.v2.rsvp_created');
  });

  it('refuses a key file that is not a PKCS8 PEM', async () => {
    const file = join(dir, 'bad.pem');
    await import('node:fs/promises').then((fs) => fs.writeFile(file, 'not a key'));
    await expect(loadOrGenerateKeys(file)).rejects.toThrow(/PKCS8/);
  });
});
