/**
 * `npm start`, the newcomer's command: the sandbox with demo data and the gateway wired to it. The printed sample
 * query answers with no Authorization header, and a change in the sandbox reaches a subscriber through the signed
 * webhooks npm start registered.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { afterAll, expect, it } from 'vitest';
import { sseSubscribe } from './support/live.js';

let child: ChildProcess | undefined;
afterAll(() => {
  child?.kill('SIGTERM');
});

it('serves the demo graph with no header, prints a working sample, and fires subscriptions from sandbox changes', async () => {
  child = spawn(process.execPath, ['--import', 'tsx', join(import.meta.dirname, '..', 'src/start.ts')], {
    env: { ...process.env, PORT: '0', SANDBOX_PORT: '0', LOG_LEVEL: 'silent', WIX_API_KEY: '', HOST: '' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout!.on('data', (d) => (out += d));
  child.stderr!.on('data', (d) => (out += d));
  // tsx compiles both programs on start: slow on a loaded 2-core machine, hence the generous deadlines.
  const deadline = Date.now() + 60_000;
  while (!/try:\n[\s\S]+\n\n/.test(out)) {
    if (Date.now() > deadline) throw new Error(`npm start did not come up:\n${out}`);
    await new Promise((r) => setTimeout(r, 50));
  }
  // No HOST: the gateway, which answers anyone with the demo token, stays on this machine.
  expect(out).toMatch(/gateway: http:\/\/127\.0\.0\.1:\d+\/graphql/);
  const gateway = out.match(/gateway: (http:\/\/\S+)\/graphql/)![1]!.replace('localhost', '127.0.0.1');
  const sandbox = out.match(/sandbox \(emulated Wix APIs, demo data\): (http:\/\/\S+)/)![1]!;
  const token = out.match(/demo token: ([^)\s]+)/)![1]!;
  const sample = out.split('try:\n')[1]!.trim();

  const post = (query: string, variables?: unknown) =>
    fetch(`${gateway}/graphql`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ query, variables }) }).then(
      (r) => r.json() as Promise<any>,
    );
  const answer = await post(sample);
  expect(answer.errors).toBeUndefined();
  expect(answer.data.events.edges.length).toBe(3);

  const events = await fetch(`${sandbox}/events/v3/events/query`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: token },
    body: JSON.stringify({ query: { paging: { limit: 100 } }, fields: ['REGISTRATION'] }),
  }).then((r) => r.json() as Promise<any>);
  const eventId = events.events.find((e: any) => e.registration?.status === 'OPEN_RSVP').id;
  const sub = sseSubscribe(gateway, '', `subscription ($e: ID!) { rsvpChanged(eventId: $e) { kind rsvp { firstName } } }`, { e: eventId }, 'rsvpChanged');
  // The gateway runs in a child process, so its registrations cannot be awaited here: the barrier is the event
  // itself. Each attempt makes a new RSVP and waits for its change; the first one heard proves the whole path.
  const heard = (m: any[]) => m.some((x: any) => x.kind === 'CREATED' && x.rsvp?.firstName === 'Newcomer');
  for (let attempt = 0; !heard(sub.messages); attempt++) {
    const created = await fetch(`${sandbox}/events/v2/rsvps`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: token },
      body: JSON.stringify({ rsvp: { eventId, firstName: 'Newcomer', lastName: 'Demo', email: `new${attempt}@example.com`, status: 'YES', additionalGuestDetails: { guestCount: 0 } } }),
    });
    expect(created.status).toBe(200);
    await sub.until(heard, 1_000).catch(() => {});
    expect(attempt).toBeLessThan(20);
  }
  sub.stop();
}, 120_000);

it('stops on a bad variable with one line naming it and exit code 2, before starting anything', () => {
  const res = spawnSync(process.execPath, ['--import', 'tsx', join(import.meta.dirname, '..', 'src/start.ts')], {
    env: { ...process.env, PORT: 'eighty', SANDBOX_PORT: '0' },
    encoding: 'utf8',
    timeout: 60_000,
  });
  expect(res.status).toBe(2);
  expect(res.stderr.trim()).toBe('config error: PORT must be an integer from 0 to 65535, got "eighty"');
  expect(res.stdout).not.toMatch(/sandbox/);
}, 90_000);
