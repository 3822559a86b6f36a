/**
 * A sandbox on port 0 for the sandbox's own tests, and a tiny JSON client for it. `call` sends the token as the
 * raw Authorization header (null = none), like the gateway and the SDK do.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { decodeJwt } from 'jose';
import { createSandbox, type Sandbox, type SandboxOptions } from '../../src/sandbox/sandbox.js';

export interface CallResult<T = any> {
  status: number;
  body: T;
  headers: Headers;
}

export interface TestSandbox {
  sandbox: Sandbox;
  url: string;
  /** The demo tenant's token. */
  token: string;
  call<T = any>(method: string, path: string, body?: unknown, token?: string | null): Promise<CallResult<T>>;
  /** POST/GET/DELETE /__sandbox/<path>; throws unless 2xx. */
  control<T = any>(method: string, path: string, body?: unknown): Promise<T>;
  stop(): Promise<void>;
}

export async function startSandbox(opts: SandboxOptions = {}): Promise<TestSandbox> {
  const sandbox = await createSandbox({ port: 0, ...opts });
  const url = sandbox.url;
  const call = async (method: string, path: string, body?: unknown, token: string | null = sandbox.demoToken) => {
    const headers: Record<string, string> = {};
    if (token !== null) headers.authorization = token;
    if (body !== undefined) headers['content-type'] = 'application/json';
    const res = await fetch(`${url}${path}`, { method, headers, body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body) });
    const text = await res.text();
    let parsed: any = text;
    try {
      parsed = text ? JSON.parse(text) : {};
    } catch {
      // not JSON (e.g. the PEM): keep the text
    }
    return { status: res.status, body: parsed, headers: res.headers };
  };
  return {
    sandbox,
    url,
    token: sandbox.demoToken,
    call,
    async control(method, path, body) {
      const res = await call(method, `/__sandbox/${path}`, body, null);
      if (res.status < 200 || res.status > 299) throw new Error(`sandbox control ${method} ${path}: ${res.status} ${JSON.stringify(res.body)}`);
      return res.body;
    },
    stop: () => sandbox.stop(),
  };
}

export interface Received {
  eventType: string;
  instanceId: string;
  siteId?: string;
  /** The parsed DomainEvent. */
  event: any;
  /** createdEvent.entity / updatedEvent.currentEntity / deletedEvent.deletedEntity. */
  entity: any;
}

/**
 * A webhook target registered with the sandbox that decodes (without verifying: the webhook tests do that) every
 * JWT it receives. `received()` waits for the sandbox's queue to drain first.
 */
export async function collectWebhooks(t: TestSandbox): Promise<{ received(): Promise<Received[]>; clear(): void; stop(): Promise<void> }> {
  let got: Received[] = [];
  const server = http.createServer((req, res) => {
    let text = '';
    req.setEncoding('utf8');
    req.on('data', (c) => (text += c));
    req.on('end', () => {
      const envelope = JSON.parse(String(decodeJwt(text.trim()).data));
      const event = JSON.parse(envelope.data);
      got.push({
        eventType: envelope.eventType,
        instanceId: envelope.instanceId,
        siteId: envelope.accountInfo?.siteId,
        event,
        entity: event.createdEvent?.entity ?? event.updatedEvent?.currentEntity ?? event.deletedEvent?.deletedEntity,
      });
      res.writeHead(200).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`;
  await t.control('POST', 'webhooks', { url });
  return {
    async received() {
      await t.control('POST', 'idle');
      return [...got];
    },
    clear() {
      got = [];
    },
    async stop() {
      await t.control('DELETE', 'webhooks', { url }).catch(() => {});
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
