/**
 * The sandbox as an HTTP server: the routing, edge behaviour and errors every upstream call goes through, tenants,
 * injected faults, request counters, the control API and the CLI. Over real HTTP on port 0.
 */
import { spawn } from 'node:child_process';
import http from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRouter } from '../src/sandbox/router.js';
import { startSandbox, type TestSandbox } from './support/sandbox.js';

let t: TestSandbox;
beforeAll(async () => {
  t = await startSandbox({ seed: 1 });
});
afterAll(async () => {
  await t?.stop();
});

const ATTENDANCE_QUERY = 'POST /bookings/v2/attendance/query';

describe('router', () => {
  const routes = [
    { method: 'GET', paths: ['/events/v2/rsvps/{rsvpId}'], name: 'get' },
    { method: 'GET', paths: ['/events/v2/rsvps/summaries'], name: 'summaries' },
    { method: 'POST', paths: ['/a/{id}/x', '/alias/{id}/x'], name: 'capture-first' },
    { method: 'POST', paths: ['/a/lit/{y}'], name: 'literal-first' },
  ];
  const router = createRouter(routes);

  it('lets a literal segment win over a capture, whatever the declaration order', () => {
    const m = router.match('GET', '/events/v2/rsvps/summaries');
    expect(m.kind === 'ok' && m.route.name).toBe('summaries');
    const g = router.match('GET', '/events/v2/rsvps/abc%20def');
    expect(g.kind === 'ok' && [g.route.name, g.params.rsvpId]).toEqual(['get', 'abc def']);
    // At the first position where they differ, "lit" beats "{id}".
    const x = router.match('POST', '/a/lit/x');
    expect(x.kind === 'ok' && x.route.name).toBe('literal-first');
  });

  it('names every alias by the route’s first template and answers 405/404 otherwise', () => {
    const m = router.match('POST', '/alias/7/x');
    expect(m.kind === 'ok' && [m.key, m.params.id]).toEqual(['POST /a/{id}/x', '7']);
    expect(router.match('DELETE', '/events/v2/rsvps/1')).toEqual({ kind: 'method-not-allowed', allow: ['GET'] });
    expect(router.match('GET', '/nowhere')).toEqual({ kind: 'not-found' });
  });

  it('refuses two routes answering the same method and template', () => {
    expect(() => createRouter([{ method: 'GET', paths: ['/x/{a}'] }, { method: 'GET', paths: ['/x/{b}'] }])).toThrow(/duplicates/);
  });
});

describe('edge behaviour', () => {
  it('answers 401 in the upstream error shape without an Authorization header, or with an empty one', async () => {
    for (const token of [null, '', '   ']) {
      const res = await t.call('POST', '/bookings/v2/attendance/query', { query: {} }, token);
      expect(res.status).toBe(401);
      expect(res.body).toMatchObject({ message: expect.any(String), details: { applicationError: { code: 'UNAUTHENTICATED' } } });
      expect(res.headers.get('x-wix-request-id')).toMatch(/^[0-9a-f-]{36}$/);
    }
  });

  it('answers unknown paths 404 and wrong methods 405, upstream-shaped, each with its own request id', async () => {
    const a = await t.call('GET', '/bookings/v3/nothing');
    const b = await t.call('PATCH', '/bookings/v2/bulk/attendance/set', {});
    expect(a.status).toBe(404);
    expect(a.body.details.applicationError.code).toBe('NOT_FOUND');
    expect(b.status).toBe(405);
    expect(b.headers.get('allow')).toBe('POST');
    expect(a.headers.get('x-wix-request-id')).not.toBe(b.headers.get('x-wix-request-id'));
  });

  it('answers malformed JSON and a non-object body with 400 field violations', async () => {
    const bad = await t.call('POST', '/bookings/v2/attendance/query', '{"query":');
    expect(bad.status).toBe(400);
    expect(bad.body.details.validationError.fieldViolations[0].field).toBe('body');
    const array = await t.call('POST', '/bookings/v2/attendance/query', '[1,2]');
    expect(array.status).toBe(400);
  });

  it('refuses bodies over 1 MB with 413', async () => {
    const res = await t.call('POST', '/bookings/v2/attendance/query', { query: {}, pad: 'x'.repeat(1024 * 1024) });
    expect(res.status).toBe(413);
    expect(res.body.details.applicationError.code).toBe('PAYLOAD_TOO_LARGE');
  });

  it('keeps connections alive between requests', async () => {
    const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
    const reused: boolean[] = [];
    for (let i = 0; i < 5; i++) {
      await new Promise<void>((resolve, reject) => {
        const req = http.request(`${t.url}/calendar/v3/events/query`, { method: 'POST', agent, headers: { authorization: t.token, 'content-type': 'application/json' } }, (res) => {
          reused.push(req.reusedSocket);
          res.resume().on('end', resolve);
        });
        req.on('error', reject);
        req.end('{"query":{"cursorPaging":{"limit":1}}}');
      });
    }
    agent.destroy();
    expect(reused).toEqual([false, true, true, true, true]);
  });

  it('tells a token’s site and instance through POST /oauth2/token-info, without Authorization', async () => {
    const res = await t.call('POST', '/oauth2/token-info', { token: 'some-token' }, null);
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ active: true, subjectType: 'APP', siteId: expect.stringMatching(/^[0-9a-f-]{36}$/), instanceId: expect.stringMatching(/^[0-9a-f-]{36}$/) });
    expect(res.body.instanceId).toBe(t.sandbox.tenant('some-token').instanceId);
    const again = await t.call('POST', '/oauth2/token-info', { token: 'some-token' }, null);
    expect(again.body.siteId).toBe(res.body.siteId);
    const other = await t.call('POST', '/oauth2/token-info', { token: 'other-token' }, null);
    expect(other.body.siteId).not.toBe(res.body.siteId);
    expect((await t.call('POST', '/oauth2/token-info', {}, null)).status).toBe(400);
  });
});

describe('tenants', () => {
  it('keeps two tokens’ data apart', async () => {
    const [a, b] = ['tenant-a', 'tenant-b'];
    await t.control('POST', 'seed', { token: a, seed: 11, size: { events: 1, rsvpsPerEvent: 1, sessions: 2, participationsPerSession: 1, bookings: 2 } });
    const sessionsA = await t.call('POST', '/calendar/v3/events/query', { query: {} }, a);
    const sessionsB = await t.call('POST', '/calendar/v3/events/query', { query: {} }, b);
    expect(sessionsA.body.events).toHaveLength(2);
    expect(sessionsB.body.events).toEqual([]);
    const id = sessionsA.body.events[0].id;
    expect((await t.call('GET', `/calendar/v3/events/${id}`, undefined, a)).status).toBe(200);
    expect((await t.call('GET', `/calendar/v3/events/${id}`, undefined, b)).status).toBe(404);
    const created = await t.call('POST', '/calendar/v3/participations', { participation: { scheduleId: '0b7e1c2d-3f4a-4b5c-8d6e-7f8091a2b3c4', partySize: 1 } }, b);
    expect(created.status).toBe(200);
    expect((await t.call('GET', `/calendar/v3/participations/${created.body.participation.id}`, undefined, a)).status).toBe(404);
    expect((await t.call('POST', '/bookings/bookings-reader/v2/extended-bookings/count', {}, b)).body.count).toBe(0);
    expect((await t.call('POST', '/bookings/bookings-reader/v2/extended-bookings/count', {}, a)).body.count).toBe(2);
  });

  it('seeds the same ids from the same seed, and replaces what the tenant had', async () => {
    const size = { events: 3, rsvpsPerEvent: 2, sessions: 3, participationsPerSession: 2, bookings: 5 };
    const first = await t.control('POST', 'seed', { token: 'seed-x', seed: 42, size });
    await t.call('POST', '/calendar/v3/participations', { participation: { scheduleId: '0b7e1c2d-3f4a-4b5c-8d6e-7f8091a2b3c4' } }, 'seed-x');
    const second = await t.control('POST', 'seed', { token: 'seed-x', seed: 42, size });
    await t.control('POST', 'seed', { token: 'seed-y', seed: 42, size });
    expect(second.counts).toEqual(first.counts);
    expect(first.counts).toMatchObject({ events: 3, sessions: 3, bookings: 5 });
    const ids = async (token: string) => {
      const b = await t.call('POST', '/bookings/bookings-reader/v2/extended-bookings/query', { query: {} }, token);
      const p = await t.call('POST', '/calendar/v3/participations/query', { query: {} }, token);
      const e = await t.call('POST', '/events/v3/events/query', { query: {} }, token);
      return [b.body.extendedBookings.map((x: any) => x.booking.id), p.body.participations.map((x: any) => x.id), e.body.events.map((x: any) => x.id)];
    };
    const [x, y] = [await ids('seed-x'), await ids('seed-y')];
    expect(x).toEqual(y);
    expect(x[1]).toHaveLength(first.counts.participations);
    const other = await t.control('POST', 'seed', { token: 'seed-z', seed: 43, size });
    expect(other.counts.sessions).toBe(3);
    expect((await ids('seed-z'))[0]).not.toEqual(x[0]);
  });

  it('shares contacts across domains in the demo data, so cross-domain joins find rows', async () => {
    const bookings = await t.call('POST', '/bookings/bookings-reader/v2/extended-bookings/query', { query: { paging: { limit: 100 } } });
    const rsvps = await t.call('POST', '/events/v2/rsvps/query', { query: { cursorPaging: { limit: 100 } } });
    const parts = await t.call('POST', '/calendar/v3/participations/query', { query: { cursorPaging: { limit: 100 } } });
    const fromBookings = new Set(bookings.body.extendedBookings.map((x: any) => x.booking.contactDetails.contactId));
    const fromRsvps = new Set(rsvps.body.rsvps.map((r: any) => r.contactId));
    const fromParts = new Set(parts.body.participations.map((p: any) => p.participant.contactId));
    expect(bookings.body.extendedBookings).toHaveLength(40);
    expect([...fromRsvps].some((c) => fromBookings.has(c))).toBe(true);
    expect([...fromParts].some((c) => fromBookings.has(c))).toBe(true);
  });
});

describe('stats', () => {
  it('counts requests per canonical template, aliases included, and resets', async () => {
    await t.control('POST', 'reset-stats');
    await t.call('POST', '/bookings/v2/attendance/query', { query: {} });
    await t.call('POST', '/bookings-attendance/query', { query: {} });
    await t.call('POST', '/_api/bookings-attendance/query', { query: {} });
    await t.call('GET', '/calendar/v3/events/abc');
    await t.control('GET', 'public-key');
    const stats = await t.control('GET', 'stats');
    expect(stats.byRoute).toEqual({ [ATTENDANCE_QUERY]: 3, 'GET /calendar/v3/events/{eventId}': 1 });
    expect(stats.total).toBe(4);
    await t.control('POST', 'reset-stats');
    expect(await t.control('GET', 'stats')).toEqual({ total: 0, byRoute: {} });
  });
});

describe('faults', () => {
  const query = () => t.call('POST', '/bookings-attendance/query', { query: { cursorPaging: { limit: 1 } } });
  const setFaults = (rules: unknown[]) => t.control('POST', 'faults', { rules });

  it('adds latency to the named route only', async () => {
    await setFaults([{ route: ATTENDANCE_QUERY, latencyMs: 400 }]);
    try {
      let start = performance.now();
      expect((await query()).status).toBe(200);
      expect(performance.now() - start).toBeGreaterThanOrEqual(390);
      start = performance.now();
      expect((await t.call('POST', '/calendar/v3/events/query', { query: {} })).status).toBe(200);
      expect(performance.now() - start).toBeLessThan(300);
    } finally {
      await t.control('DELETE', 'faults');
    }
  });

  it('answers an injected 503 in the upstream shape while the rule stands (rate 1), then recovers', async () => {
    await setFaults([{ route: ATTENDANCE_QUERY, status: 503, rate: 1 }]);
    const res = await query();
    expect(res.status).toBe(503);
    expect(res.body.details.applicationError.code).toBe('UNAVAILABLE');
    expect((await query()).status).toBe(503);
    await t.control('DELETE', 'faults');
    expect((await query()).status).toBe(200);
  });

  it('answers 429 with Retry-After', async () => {
    await setFaults([{ status: 429, retryAfterSeconds: 7, times: 1 }]);
    const res = await query();
    expect(res.status).toBe(429);
    expect(res.headers.get('retry-after')).toBe('7');
    expect(res.body.details.applicationError.code).toBe('RESOURCE_EXHAUSTED');
  });

  it('drops the connection without an answer', async () => {
    await setFaults([{ route: ATTENDANCE_QUERY, drop: true, times: 1 }]);
    await expect(query()).rejects.toThrow();
    expect((await query()).status).toBe(200);
  });

  it('applies a rule `times` times, then expires it', async () => {
    await setFaults([{ route: ATTENDANCE_QUERY, status: 500, times: 2 }]);
    const statuses = [];
    for (let i = 0; i < 4; i++) statuses.push((await query()).status);
    expect(statuses).toEqual([500, 500, 200, 200]);
    expect((await t.control('GET', 'faults')).rules).toEqual([]);
  });

  it('refuses a malformed rule with 400 and leaves the rules alone', async () => {
    await setFaults([{ route: ATTENDANCE_QUERY, latencyMs: 1 }]);
    const res = await t.call('POST', '/__sandbox/faults', { rules: [{ status: 'x' }] }, null);
    expect(res.status).toBe(400);
    expect((await t.control('GET', 'faults')).rules).toHaveLength(1);
    await t.control('DELETE', 'faults');
  });
});

describe('control API', () => {
  it('serves the webhook public key as PEM text', async () => {
    const res = await fetch(`${t.url}/__sandbox/public-key`);
    expect(res.headers.get('content-type')).toMatch(/^text\/plain/);
    expect(await res.text()).toBe(t.sandbox.publicKeyPem);
    expect(t.sandbox.publicKeyPem).toMatch(/^-----BEGIN PUBLIC KEY-----/);
  });

  it('registers and unregisters webhook targets and reports delivery stats', async () => {
    const url = 'http://127.0.0.1:9/nowhere';
    expect((await t.control('POST', 'webhooks', { url })).targets).toContain(url);
    expect((await t.control('DELETE', 'webhooks', { url })).targets).not.toContain(url);
    expect(await t.control('GET', 'webhook-stats')).toMatchObject({ delivered: expect.any(Number), pending: 0 });
    expect((await t.call('POST', '/__sandbox/webhooks', { url: 'ftp://x' }, null)).status).toBe(400);
  });

  it('answers unknown control paths with 404 listing the endpoints', async () => {
    const res = await t.call('GET', '/__sandbox/nope', undefined, null);
    expect(res.status).toBe(404);
    expect(res.body.details.applicationError.data.endpoints['GET stats']).toBeDefined();
  });
});

describe('npm run sandbox', () => {
  it('starts, prints its URL, token and key, serves demo data, and stops on SIGTERM', async () => {
    const child = spawn('npm', ['run', '--silent', 'sandbox', '--', '--port', '0', '--seed', '1', '--token', 'cli-token'], {
      cwd: process.cwd(),
      detached: true,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    child.stdout.setEncoding('utf8').on('data', (c) => (out += c));
    try {
      const url = await new Promise<string>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`no URL printed; stdout: ${out}`)), 15_000);
        child.stdout.on('data', () => {
          const m = /listening on (http:\/\/\S+)/.exec(out);
          if (m && out.includes('END PUBLIC KEY')) {
            clearTimeout(timer);
            resolve(m[1]!);
          }
        });
        child.on('exit', (code) => reject(new Error(`exited ${code}: ${out}`)));
      });
      expect(out).toContain('demo token: cli-token');
      const res = await fetch(`${url}/calendar/v3/events/query`, { method: 'POST', headers: { authorization: 'cli-token' }, body: '{"query":{}}' });
      expect(res.status).toBe(200);
      expect(((await res.json()) as any).events).toHaveLength(20);
    } finally {
      const exited = new Promise((resolve) => child.once('exit', resolve));
      process.kill(-child.pid!, 'SIGTERM');
      await exited;
    }
  }, 25_000);
});
