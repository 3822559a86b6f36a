/**
 * Secrets never reach logs or responses: the gateway process runs with a debug log level and an API key, serves
 * good, bad and failing operations, and neither its output nor its answers ever carry the key.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { createSandbox } from '../src/sandbox/sandbox.js';
import { createSandboxClient } from './support/sandbox-client.js';
import { startGatewayProcess } from './support/gateway-process.js';

const SECRET = 'IST.sk-live-7f3a9c2e1b-do-not-log';
let sandbox: Awaited<ReturnType<typeof createSandbox>>;

beforeAll(async () => {
  sandbox = await createSandbox({ port: 0, seed: 1, demoToken: SECRET });
});
afterAll(() => sandbox?.stop());

it('keeps the API key and callers\' tokens out of logs and responses', async () => {
  const gateway = await startGatewayProcess({ UPSTREAM_URL: sandbox.url, WIX_API_KEY: SECRET, LOG_LEVEL: 'debug', UPSTREAM_RETRIES: '0' });
  const url = gateway.url;
  try {
    const post = async (query: string, authorization?: string) => {
      const res = await fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...(authorization ? { authorization } : {}) },
        body: JSON.stringify({ query }),
      });
      return res.text();
    };
    const answers: string[] = [];
    answers.push(await post('{ events(first: 2) { edges { node { eventId } } } }'));
    answers.push(await post('{ events(first: 2) { edges { node { eventId nope } } } }'));
    answers.push(await post('{ events(first: 2) { edges { node { eventId } } } }', `Bearer ${SECRET}-caller`));
    // An upstream failure on the next call, then a query that meets it.
    await createSandboxClient(sandbox.url, null).control('POST', 'faults', { rules: [{ status: 500, times: 2 }] });
    answers.push(await post('{ rsvps(first: 2) { edges { node { rsvpId } } } }'));
    // Every log line is in once the process has exited and its pipes closed (pino writes asynchronously).
    await gateway.close();

    expect(answers[0]).toContain('eventId');
    expect(answers[1]).toContain('Cannot query field');
    expect(answers[3]).toContain('errors');
    for (const answer of answers) expect(answer).not.toContain(SECRET);
    // The log really was written at debug level (so the check above had something to read).
    expect(gateway.output()).toMatch(/"level":20/);
    expect(gateway.output()).not.toContain(SECRET);
  } finally {
    gateway.stop();
  }
}, 90_000);
