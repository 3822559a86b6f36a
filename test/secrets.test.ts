/**
 * Secrets never reach logs or responses: the gateway process runs with a debug log level and an API key, serves
 * good, bad and failing operations, and neither its output nor its answers ever carry the key.
 */
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { createSandbox } from '../src/sandbox/sandbox.js';
import { createSandboxClient } from './support/sandbox-client.js';

const SECRET = 'IST.sk-live-7f3a9c2e1b-do-not-log';
let sandbox: Awaited<ReturnType<typeof createSandbox>>;

beforeAll(async () => {
  sandbox = await createSandbox({ port: 0, seed: 1, demoToken: SECRET });
});
afterAll(() => sandbox?.stop());

it('keeps the API key and callers\' tokens out of logs and responses', async () => {
  const child = spawn(process.execPath, ['--import', 'tsx', join(import.meta.dirname, '..', 'src/gateway/main.ts')], {
    env: { ...process.env, PORT: '0', HOST: '127.0.0.1', UPSTREAM_URL: sandbox.url, WIX_API_KEY: SECRET, LOG_LEVEL: 'debug', UPSTREAM_RETRIES: '0' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout.on('data', (d) => (output += d));
  child.stderr.on('data', (d) => (output += d));
  try {
    const url = await new Promise<string>((resolve, reject) => {
      // Generous: tsx compiles the gateway on start, which takes long on a loaded 2-core machine.
      const timer = setTimeout(() => reject(new Error(`gateway did not start: ${output}`)), 60_000);
      child.stdout.on('data', () => {
        const m = output.match(/(http:\/\/[^\s]+\/graphql)/);
        if (m) {
          clearTimeout(timer);
          resolve(m[1]!);
        }
      });
    });
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
    const closed = new Promise((resolve) => child.once('close', resolve));
    child.kill('SIGTERM');
    await closed;

    expect(answers[0]).toContain('eventId');
    expect(answers[1]).toContain('Cannot query field');
    expect(answers[3]).toContain('errors');
    for (const answer of answers) expect(answer).not.toContain(SECRET);
    // The log really was written at debug level (so the check above had something to read).
    expect(output).toMatch(/"level":20/);
    expect(output).not.toContain(SECRET);
  } finally {
    child.kill('SIGTERM');
  }
}, 90_000);
