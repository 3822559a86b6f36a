/**
 * A sandbox on port 0 for the sandbox's own tests, with the shared client (sandbox-client.ts) for its REST and
 * control APIs and its webhook collector.
 */
import { createSandbox, type Sandbox, type SandboxOptions } from '../../src/sandbox/sandbox.js';
import { type CallResult, collectWebhooks as collect, createSandboxClient, type ReceivedWebhook, type WebhookCollector } from './sandbox-client.js';

export type { CallResult };
/** A delivered webhook, decoded (sandbox-client.ts). */
export type Received = ReceivedWebhook;

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
  const client = createSandboxClient(sandbox.url, sandbox.demoToken);
  return { sandbox, url: sandbox.url, token: sandbox.demoToken, call: client.call, control: client.control, stop: () => sandbox.stop() };
}

/** The shared webhook collector, registered with this sandbox; `received()` waits for its queue to drain first. */
export function collectWebhooks(t: TestSandbox): Promise<WebhookCollector> {
  return collect(createSandboxClient(t.url, t.token));
}
