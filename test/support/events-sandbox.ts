/**
 * A sandbox on port 0 for the Events / Guests / RSVP tests, with a fresh tenant (its own Authorization token, so
 * no demo data), a JSON client for its REST API, and a webhook receiver that collects what the sandbox delivers.
 */
import { randomUUID } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { decodeJwt } from 'jose';
import { createSandbox } from '../../src/sandbox/sandbox.js';
import { control } from './stack.js';

export interface ReceivedWebhook {
  eventType: string;
  instanceId: string;
  entityId: string;
  /** The parsed DomainEvent. */
  domainEvent: any;
  /** createdEvent.entity / updatedEvent.currentEntity / deletedEvent.deletedEntity / actionEvent.body.guest. */
  entity: any;
}

export interface EventsSandbox {
  url: string;
  token: string;
  api(method: string, path: string, body?: unknown, token?: string): Promise<{ status: number; body: any }>;
  /** Every webhook delivered so far, in delivery order, once the sandbox's queue is idle. */
  webhooks(): Promise<ReceivedWebhook[]>;
  stop(): Promise<void>;
}

export async function startEventsSandbox(): Promise<EventsSandbox> {
  const sandbox = await createSandbox({ port: 0 });
  const url = sandbox.url.replace(/\/+$/, '');
  const token = `events-test-${randomUUID()}`;
  const received: ReceivedWebhook[] = [];

  const receiver = http.createServer((req, res) => {
    let text = '';
    req.setEncoding('utf8');
    req.on('data', (chunk) => (text += chunk));
    req.on('end', () => {
      const claims = decodeJwt(text.trim());
      const envelope = JSON.parse(String(claims.data));
      const domainEvent = JSON.parse(envelope.data);
      received.push({
        eventType: envelope.eventType,
        instanceId: envelope.instanceId,
        entityId: domainEvent.entityId,
        domainEvent,
        entity:
          domainEvent.createdEvent?.entity ??
          domainEvent.updatedEvent?.currentEntity ??
          domainEvent.deletedEvent?.deletedEntity ??
          domainEvent.actionEvent?.body?.guest ??
          domainEvent.actionEvent?.body,
      });
      res.writeHead(200).end();
    });
  });
  await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
  const receiverUrl = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/webhooks`;
  await control(url, 'POST', '/__sandbox/webhooks', { url: receiverUrl });

  return {
    url,
    token,
    async api(method, path, body, tok = token) {
      const res = await fetch(`${url}${path}`, {
        method,
        headers: { authorization: tok, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
      const text = await res.text();
      return { status: res.status, body: text ? JSON.parse(text) : {} };
    },
    async webhooks() {
      await control(url, 'POST', '/__sandbox/idle');
      // Deliveries run concurrently, so arrival order is not emission order; entityEventSequence is (per entity),
      // which is what a consumer orders by too (WIX-REST.md §1.8).
      const seq = (w: ReceivedWebhook) => Number(w.domainEvent.entityEventSequence);
      return [...received].sort((a, b) => a.entityId.localeCompare(b.entityId) || seq(a) - seq(b));
    },
    async stop() {
      await sandbox.stop();
      await new Promise<void>((resolve) => receiver.close(() => resolve()));
    },
  };
}
