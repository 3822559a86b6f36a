/**
 * The one client for the sandbox's REST and control APIs, and the one webhook collector, shared by every test
 * harness (sandbox.ts, events-sandbox.ts, stack.ts) and the benchmarks. `call` sends the token as the raw
 * Authorization header (null = none), like the gateway and the SDK do.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { decodeJwt } from 'jose';

export interface CallResult<T = any> {
  status: number;
  /** Parsed JSON; the text when the answer is not JSON (e.g. the PEM); {} when empty. */
  body: T;
  headers: Headers;
}

export interface SandboxClient {
  url: string;
  /** The sandbox's REST API, as the tenant of `token` (default the client's). */
  call<T = any>(method: string, path: string, body?: unknown, token?: string | null): Promise<CallResult<T>>;
  /** The control API, /__sandbox/<path>; throws unless 2xx. `path` may start with /__sandbox/ or not. */
  control<T = any>(method: string, path: string, body?: unknown): Promise<T>;
}

export function createSandboxClient(baseUrl: string, token: string | null): SandboxClient {
  const url = baseUrl.replace(/\/+$/, '');
  const call = async (method: string, path: string, body?: unknown, tok: string | null = token): Promise<CallResult> => {
    const headers: Record<string, string> = {};
    if (tok !== null) headers.authorization = tok;
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
    url,
    call,
    async control(method, path, body) {
      const res = await call(method, path.startsWith('/__sandbox/') ? path : `/__sandbox/${path.replace(/^\/+/, '')}`, body, null);
      if (res.status < 200 || res.status > 299) throw new Error(`sandbox control ${method} ${path} answered ${res.status}: ${JSON.stringify(res.body)}`);
      return (res.body === '' ? undefined : res.body) as any;
    },
  };
}

export interface ReceivedWebhook {
  eventType: string;
  instanceId: string;
  siteId?: string;
  entityId: string;
  /** The parsed DomainEvent. */
  domainEvent: any;
  /** createdEvent.entity / updatedEvent.currentEntity / deletedEvent.deletedEntity / actionEvent.body(.guest). */
  entity: any;
}

export interface WebhookCollector {
  /** Every webhook delivered so far, in arrival order, once the sandbox's queue is idle. */
  received(): Promise<ReceivedWebhook[]>;
  /** As received(), ordered by entity and entityEventSequence, the order a consumer applies them in. */
  ordered(): Promise<ReceivedWebhook[]>;
  clear(): void;
  /** Runs `fn` with this target unregistered (after draining the queue), so its webhooks are never sent here. */
  unheard<T>(fn: () => Promise<T>): Promise<T>;
  stop(): Promise<void>;
}

/**
 * A webhook target registered with the sandbox that decodes (without verifying: the webhook tests do that) every
 * JWT it receives.
 */
export async function collectWebhooks(client: SandboxClient): Promise<WebhookCollector> {
  let got: ReceivedWebhook[] = [];
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
        entityId: event.entityId,
        domainEvent: event,
        entity:
          event.createdEvent?.entity ??
          event.updatedEvent?.currentEntity ??
          event.deletedEvent?.deletedEntity ??
          event.actionEvent?.bodyAsJson?.guest ??
          event.actionEvent?.bodyAsJson ??
          event.actionEvent?.body?.guest ??
          event.actionEvent?.body,
      });
      res.writeHead(200).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`;
  await client.control('POST', 'webhooks', { url });
  const received = async () => {
    await client.control('POST', 'idle');
    return [...got];
  };
  return {
    received,
    async ordered() {
      // Deliveries run concurrently, so arrival order is not emission order; entityEventSequence is (per entity),
      // which is what a consumer orders by too (docs/upstream.md §1.8).
      const seq = (w: ReceivedWebhook) => Number(w.domainEvent.entityEventSequence);
      return (await received()).sort((a, b) => a.entityId.localeCompare(b.entityId) || seq(a) - seq(b));
    },
    clear() {
      got = [];
    },
    async unheard(fn) {
      await client.control('POST', 'idle');
      await client.control('DELETE', 'webhooks', { url });
      try {
        return await fn();
      } finally {
        await client.control('POST', 'webhooks', { url });
      }
    },
    async stop() {
      await client.control('DELETE', 'webhooks', { url }).catch(() => {});
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
