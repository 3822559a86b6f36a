/**
 * A sandbox on port 0 for the Events / Guests / RSVP tests, with a fresh tenant (its own Authorization token, so
 * no demo data), the shared client for its REST API and the shared webhook collector (sandbox-client.ts).
 */
import { randomUUID } from 'node:crypto';
import { createSandbox } from '../../src/sandbox/sandbox.js';
import { type CallResult, collectWebhooks, createSandboxClient, type ReceivedWebhook } from './sandbox-client.js';

export type { ReceivedWebhook };

export interface EventsSandbox {
  url: string;
  token: string;
  call<T = any>(method: string, path: string, body?: unknown, token?: string | null): Promise<CallResult<T>>;
  /** Every webhook delivered so far, ordered by entity and entityEventSequence, once the sandbox's queue is idle. */
  webhooks(): Promise<ReceivedWebhook[]>;
  /**
   * Runs `fn` with the collector unregistered: bulk data for paging tests makes thousands of webhooks nobody reads,
   * and a later webhooks() would wait for every one of them to be signed and delivered.
   */
  unheard<T>(fn: () => Promise<T>): Promise<T>;
  stop(): Promise<void>;
}

export async function startEventsSandbox(): Promise<EventsSandbox> {
  const sandbox = await createSandbox({ port: 0 });
  const token = `events-test-${randomUUID()}`;
  const client = createSandboxClient(sandbox.url, token);
  const hooks = await collectWebhooks(client);
  return {
    url: client.url,
    token,
    call: client.call,
    webhooks: () => hooks.ordered(),
    unheard: (fn) => hooks.unheard(fn),
    async stop() {
      await hooks.stop();
      await sandbox.stop();
    },
  };
}
