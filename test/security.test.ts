/**
 * The gateway tried as an attacker and a careless client would (issue 8), over real HTTP and WebSockets: a page on
 * another site cannot write, upstream secrets never reach a client in any NODE_ENV, every limit and every malformed
 * request is a 4xx with a code and costs no upstream call, production mode hides the schema, and a socket can
 * neither hold unbounded subscriptions nor make the gateway buffer for a reader that stopped.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import WebSocket from 'ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../src/gateway/config.js';
import { createGateway, type Gateway } from '../src/gateway/gateway.js';
import { startGatewayProcess } from './support/gateway-process.js';
import { startStack, type Stack } from './support/stack.js';

const EVIL = 'https://evil.example';
const APP = 'https://app.example';

let stack: Stack;
let openEventId: string;

beforeAll(async () => {
  stack = await startStack({ webhooks: false, config: { corsOrigins: [APP], development: false } });
  // The API key is what makes a cross-site write dangerous: the attacker's page sends no credentials of its own.
  stack.gateway.services.config.wixApiKey = stack.token;
  const events = await stack.upstream('POST', '/events/v3/events/query', { query: { paging: { limit: 100 } }, fields: ['REGISTRATION'] });
  openEventId = events.body.events.find((e: any) => e.registration?.status === 'OPEN_RSVP').id;
});
afterAll(() => stack?.stop());

interface Answer {
  status: number;
  headers: Headers;
  text: string;
  json: any;
}

async function send(url: string, init: RequestInit & { path?: string } = {}): Promise<Answer> {
  const res = await fetch(url + (init.path ?? '/graphql'), init);
  const text = await res.text();
  let json: any;
  try {
    json = JSON.parse(text);
  } catch {
    json = undefined;
  }
  return { status: res.status, headers: res.headers, text, json };
}

const CREATE_RSVP = `mutation { createRsvp(input: { eventId: "EVENT", firstName: "Mallory", lastName: "Csrf", email: "mallory@evil.example", status: YES }) { __typename } }`;

async function rsvpCount(): Promise<number> {
  const res = await stack.upstream('POST', '/events/v2/rsvps/query', { query: { filter: { eventId: openEventId }, cursorPaging: { limit: 100 } } });
  return res.body.rsvps.length;
}

describe('cross-site requests', () => {
  it('write nothing upstream from a form, multipart or text/plain POST on another origin', async () => {
    const before = await rsvpCount();
    await stack.resetStats();
    const query = CREATE_RSVP.replace('EVENT', openEventId);
    const form = new URLSearchParams({ query });
    const multipart = new FormData();
    multipart.set('query', query);
    const answers = [
      await send(stack.gatewayUrl, { method: 'POST', headers: { origin: EVIL, 'content-type': 'application/x-www-form-urlencoded' }, body: form.toString() }),
      await send(stack.gatewayUrl, { method: 'POST', headers: { origin: EVIL }, body: multipart }),
      await send(stack.gatewayUrl, { method: 'POST', headers: { origin: EVIL, 'content-type': 'text/plain' }, body: JSON.stringify({ query }) }),
      await send(stack.gatewayUrl, { method: 'GET', path: `/graphql?query=${encodeURIComponent(query)}`, headers: { origin: EVIL } }),
    ];
    expect(answers.map((a) => a.status)).toEqual([415, 415, 415, 405]);
    expect(answers[0]!.json.errors[0].extensions.code).toBe('UNSUPPORTED_MEDIA_TYPE');
    for (const a of answers) expect(a.headers.get('access-control-allow-origin')).toBeNull();
    expect((await stack.stats()).total).toBe(0);
    expect(await rsvpCount()).toBe(before);
  });

  it('never answer a foreign origin with CORS headers; a listed one gets its own origin with credentials', async () => {
    const preflight = (origin: string) =>
      send(stack.gatewayUrl, {
        method: 'OPTIONS',
        headers: { origin, 'access-control-request-method': 'POST', 'access-control-request-headers': 'content-type, authorization' },
      });
    const evil = await preflight(EVIL);
    expect(evil.headers.get('access-control-allow-origin')).toBeNull();
    expect(evil.headers.get('access-control-allow-credentials')).toBeNull();
    const app = await preflight(APP);
    expect(app.headers.get('access-control-allow-origin')).toBe(APP);
    expect(app.headers.get('access-control-allow-credentials')).toBe('true');

    const read = await send(stack.gatewayUrl, { method: 'GET', path: `/graphql?query=${encodeURIComponent('{ __typename }')}`, headers: { origin: EVIL } });
    expect(read.headers.get('access-control-allow-origin')).toBeNull();
  });

  it('run a same-origin JSON POST as GraphiQL sends it', async () => {
    const res = await send(stack.gatewayUrl, {
      method: 'POST',
      headers: { origin: stack.gatewayUrl, 'content-type': 'application/json', accept: 'application/graphql-response+json, application/json' },
      body: JSON.stringify({ query: '{ events(first: 1) { edges { node { eventId } } } }' }),
    });
    expect(res.status).toBe(200);
    expect(res.json.data.events.edges).toHaveLength(1);
  });

  it('refuse a WebSocket opened by a page on another origin, accept the same origin and listed ones', async () => {
    const open = (origin?: string) =>
      new Promise<number>((resolve) => {
        const ws = new WebSocket(stack.gatewayUrl.replace(/^http/, 'ws') + '/graphql', 'graphql-transport-ws', origin ? { origin } : {});
        ws.on('open', () => {
          ws.close();
          resolve(101);
        });
        ws.on('unexpected-response', (_req, res) => resolve(res.statusCode ?? 0));
        ws.on('error', () => {});
      });
    expect(await open(EVIL)).toBe(401);
    expect(await open(stack.gatewayUrl)).toBe(101);
    expect(await open(APP)).toBe(101);
    expect(await open()).toBe(101);
  });
});

describe('upstream errors', () => {
  const MARKER = 'SECRET-MARKER';
  const TOKEN = 'IST.upstream-echoed-caller-token-4f1d';
  const API_KEY = 'IST.configured-api-key-9c2b';
  let fake: Server;
  let fakeUrl: string;
  let status = 500;

  /** An upstream whose every error body carries markers, the caller's token, its own URL and an internal host. */
  beforeAll(async () => {
    fake = createServer((req, res) => {
      req.resume();
      req.on('end', () => {
        const echoed = `${req.headers.authorization} ${fakeUrl}${req.url} http://db.internal.corp:5432/attendance`;
        const variant = status % 3;
        const body =
          variant === 0
            ? JSON.stringify({ message: `${MARKER}-message ${echoed}`, details: { applicationError: { code: `${MARKER}_CODE`, description: `${MARKER}-description ${echoed}`, data: { hint: MARKER } } } })
            : variant === 1
              ? JSON.stringify({ message: `${MARKER}-message`, details: { validationError: { fieldViolations: [{ field: `${MARKER}-field`, description: `${MARKER} ${echoed}`, violatedRule: 'MAX_LENGTH' }] } } })
              : `<html><body>${MARKER} proxy error ${echoed}</body></html>`;
        res.writeHead(status, { 'content-type': variant === 2 ? 'text/html' : 'application/json', 'x-internal-host': 'db.internal.corp' });
        res.end(body);
      });
    });
    await new Promise<void>((resolve) => fake.listen(0, '127.0.0.1', resolve));
    fakeUrl = `http://127.0.0.1:${(fake.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    fake.closeAllConnections();
    await new Promise<void>((resolve) => fake.close(() => resolve()));
  });

  it('reach no client with a marker, the token, the key or the upstream URL, for every status 400-503 in every NODE_ENV', async () => {
    const operations = [
      { body: { query: '{ events(first: 2) { edges { node { eventId title } } } }' }, auth: TOKEN },
      { body: { query: '{ rsvp(id: "7d0e1c5a-9a59-4f2b-a7a3-2d9c8d3f4a11") { rsvpId } }' }, auth: undefined },
      {
        body: {
          query: `mutation { createRsvp(input: { eventId: "7d0e1c5a-9a59-4f2b-a7a3-2d9c8d3f4a11", firstName: "A", lastName: "B", email: "a@b.example", status: YES }) {
            __typename ... on Error { code message } ... on ValidationError { field reason } ... on UpstreamError { status upstreamCode } } }`,
        },
        auth: TOKEN,
      },
    ];
    let cases = 0;
    const leaks: string[] = [];
    for (const nodeEnv of ['development', 'production', undefined]) {
      const config = loadConfig({
        NODE_ENV: nodeEnv,
        UPSTREAM_URL: fakeUrl,
        WIX_API_KEY: API_KEY,
        UPSTREAM_RETRIES: '0',
        LOG_LEVEL: 'silent',
        PORT: '0',
        HOST: '127.0.0.1',
      });
      const gateway: Gateway = await createGateway(config);
      const url = await gateway.start(0, '127.0.0.1');
      try {
        for (status = 400; status <= 503; status++) {
          for (const op of operations) {
            cases++;
            const res = await send(url, {
              method: 'POST',
              headers: { 'content-type': 'application/json', ...(op.auth ? { authorization: op.auth } : {}) },
              body: JSON.stringify(op.body),
            });
            expect(res.status, res.text).toBeLessThan(600);
            for (const secret of [MARKER, TOKEN, API_KEY, fakeUrl, '127.0.0.1', 'db.internal.corp', '/events/v3', '/events/v2', '/oauth2']) {
              if (res.text.includes(secret)) leaks.push(`${nodeEnv} ${status}: ${secret} in ${res.text}`);
            }
            const errors = res.json.errors ?? [];
            for (const e of errors) {
              expect(e.extensions?.code, res.text).toMatch(/^[A-Z_]+$/);
              expect(e.extensions?.requestId).toBeTruthy();
            }
            const typed = res.json.data?.createRsvp;
            if (typed) expect(typed.code, res.text).toMatch(/^[A-Z_]+$/);
            // A 404 on a read by id is the documented null, not an error.
            const nullRead = status === 404 && res.json.data?.rsvp === null;
            expect(errors.length > 0 || !!typed || nullRead, res.text).toBe(true);
          }
        }
      } finally {
        await gateway.stop();
      }
    }
    expect(leaks).toEqual([]);
    expect(cases).toBe(3 * 104 * operations.length);
  }, 180_000);

  it('keep the status, the stable code, a documented upstream code and the request id the client sent', async () => {
    const rsvpsClosed = createServer((req, res) => {
      req.resume();
      res.writeHead(400, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ message: `${MARKER}`, details: { applicationError: { code: 'RSVPS_CLOSED', description: MARKER, data: {} } } }));
    });
    await new Promise<void>((resolve) => rsvpsClosed.listen(0, '127.0.0.1', resolve));
    const gateway = await createGateway(
      loadConfig({ UPSTREAM_URL: `http://127.0.0.1:${(rsvpsClosed.address() as AddressInfo).port}`, UPSTREAM_RETRIES: '0', LOG_LEVEL: 'silent' }),
    );
    const url = await gateway.start(0, '127.0.0.1');
    try {
      const res = await send(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: TOKEN, 'x-request-id': 'req-abc.123' },
        body: JSON.stringify({ query: '{ events(first: 1) { edges { node { eventId } } } }' }),
      });
      expect(res.json.errors[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', upstream: { status: 400, code: 'RSVPS_CLOSED' }, requestId: 'req-abc.123' });
      expect(res.json.errors[0].message).toBe('The upstream refused the request as invalid (HTTP 400 RSVPS_CLOSED).');
    } finally {
      await gateway.stop();
      rsvpsClosed.closeAllConnections();
      await new Promise<void>((resolve) => rsvpsClosed.close(() => resolve()));
    }
  });
});

describe('the logs', () => {
  it('keep the upstream detail under the request id, with the caller token and API key redacted', async () => {
    const TOKEN = 'IST.caller-token-echoed-by-upstream-77a1';
    const API_KEY = 'IST.api-key-echoed-by-upstream-5b9e';
    const upstream = createServer((req, res) => {
      req.resume();
      res.writeHead(503, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ message: `LOGGED-DETAIL backend db-7 refused ${req.headers.authorization} / ${API_KEY}` }));
    });
    await new Promise<void>((resolve) => upstream.listen(0, '127.0.0.1', resolve));
    const gateway = await startGatewayProcess({
      UPSTREAM_URL: `http://127.0.0.1:${(upstream.address() as AddressInfo).port}`,
      WIX_API_KEY: API_KEY,
      UPSTREAM_RETRIES: '0',
      LOG_LEVEL: 'info',
      NODE_ENV: 'production',
    });
    try {
      const res = await fetch(gateway.url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: TOKEN, 'x-request-id': 'trace-me-42' },
        body: JSON.stringify({ query: '{ events(first: 1) { edges { node { eventId } } } }' }),
      });
      const body = await res.text();
      expect(body).toContain('trace-me-42');
      expect(body).not.toContain('LOGGED-DETAIL');
      // The log line is written before the answer leaves; wait for it rather than for a fixed time.
      await gateway.waitFor('LOGGED-DETAIL');
      const line = gateway.output().split('\n').find((l) => l.includes('LOGGED-DETAIL'))!;
      expect(line).toContain('trace-me-42');
      expect(gateway.output()).not.toContain(TOKEN);
      expect(gateway.output()).not.toContain(API_KEY);
    } finally {
      gateway.stop();
      upstream.closeAllConnections();
      await new Promise<void>((resolve) => upstream.close(() => resolve()));
    }
  }, 60_000);
});

describe('unexpected errors', () => {
  it('are logged in full under the request id (HTTP and graphql-ws), the client sees "Unexpected error." with that id', async () => {
    // An upstream answer the resolvers do not expect (guests of an event whose paging metadata is malformed):
    // a TypeError in the gateway, which is masked for the client and logged for the operator.
    const odd = createServer((req, res) => {
      req.resume();
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ events: [{ id: 'e1', title: 'T' }], pagingMetadata: { count: 'x', cursors: 5 } }));
    });
    await new Promise<void>((resolve) => odd.listen(0, '127.0.0.1', resolve));
    const lines: any[] = [];
    const gateway = await createGateway(
      loadConfig({ UPSTREAM_URL: `http://127.0.0.1:${(odd.address() as AddressInfo).port}`, UPSTREAM_RETRIES: '0', LOG_LEVEL: 'info' }),
      { logStream: { write: (line) => lines.push(JSON.parse(line)) } },
    );
    const url = await gateway.start(0, '127.0.0.1');
    const query = '{ events(first: 1) { edges { node { title guests(first: 2) { edges { node { guestId } } } } } } }';
    try {
      const res = await send(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: 'IST.caller-token-unexpected-1', 'x-request-id': 'unexpected-http' },
        body: JSON.stringify({ query }),
      });
      expect(res.json.errors[0]).toMatchObject({ message: 'Unexpected error.', extensions: { code: 'INTERNAL_SERVER_ERROR', requestId: 'unexpected-http' } });
      const ws = new WebSocket(url.replace('http', 'ws') + '/graphql', 'graphql-transport-ws', { headers: { 'x-request-id': 'unexpected-ws' } });
      const messages: any[] = [];
      await new Promise<void>((resolve, reject) => {
        ws.on('error', reject);
        ws.on('open', () => ws.send(JSON.stringify({ type: 'connection_init', payload: { authorization: 'IST.caller-token-unexpected-2' } })));
        ws.on('message', (data) => {
          const message = JSON.parse(String(data));
          messages.push(message);
          if (message.type === 'connection_ack') ws.send(JSON.stringify({ id: '1', type: 'subscribe', payload: { query } }));
          if (message.type === 'complete') resolve();
        });
      });
      ws.close();
      expect(messages.find((m) => m.type === 'next').payload.errors[0]).toMatchObject({ message: 'Unexpected error.', extensions: { requestId: 'unexpected-ws' } });
      for (const id of ['unexpected-http', 'unexpected-ws']) {
        expect(lines.find((l) => l.requestId === id && l.level === 50)?.msg, id).toMatch(/Cannot read properties of undefined/);
      }
      expect(JSON.stringify(lines)).not.toMatch(/caller-token-unexpected/);
    } finally {
      await gateway.stop();
      odd.closeAllConnections();
      await new Promise<void>((resolve) => odd.close(() => resolve()));
    }
  });
});

describe('limits', () => {
  const limited = async (query: string, variables?: unknown) => {
    await stack.resetStats();
    const res = await send(stack.gatewayUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/json' },
      body: JSON.stringify({ query, variables }),
    });
    expect((await stack.stats()).total, 'upstream calls').toBe(0);
    return res;
  };
  const expectRefused = (res: Answer, code: string, limit: number, status = 400) => {
    expect(res.status, res.text).toBe(status);
    expect(res.json.errors[0].extensions).toMatchObject({ code, limit });
    expect(res.json.errors[0].message).toContain(String(limit));
    expect(res.json.errors[0].message).not.toMatch(/Syntax Error/);
  };
  const config = () => stack.gateway.services.config;

  it('refuse an operation over each document limit with 400, its code and its value, before any upstream call', async () => {
    let deep = 'eventId';
    for (let i = 0; i < 12; i++) deep = `rsvps(first: 1) { edges { node { event { ${deep} } } } }`;
    expectRefused(await limited(`{ events(first: 1) { edges { node { ${deep} } } } }`), 'QUERY_TOO_DEEP', config().maxQueryDepth);
    expectRefused(
      await limited(`{ events(first: 1000) { edges { node { guests(first: 1000) { edges { node { guestId } } } } } } }`),
      'QUERY_TOO_COSTLY',
      config().maxQueryCost,
    );
    const aliases = Array.from({ length: 31 }, (_, i) => `a${i}: __typename`).join(' ');
    expectRefused(await limited(`{ ${aliases} }`), 'TOO_MANY_ALIASES', config().maxAliases);
    expectRefused(await limited(`{ ${'__typename '.repeat(5001)} }`), 'TOO_MANY_TOKENS', config().maxTokens);
    expectRefused(await limited(`{ __typename ${'@include(if: true) '.repeat(51)} }`), 'TOO_MANY_DIRECTIVES', config().maxDirectives);
  });

  it('refuse list, nesting and string arguments over their limits, as literals and as variables', async () => {
    const ids = Array.from({ length: 1001 }, (_, i) => `id-${i}`);
    expectRefused(await limited(`query ($ids: [ID!]!) { rsvpSummaries(eventIds: $ids) { eventId } }`, { ids }), 'LIST_TOO_LONG', 1000);
    expectRefused(await limited(`{ rsvpSummaries(eventIds: ${JSON.stringify(ids)}) { eventId } }`), 'LIST_TOO_LONG', 1000);
    // 20,000 levels of and/or/not: graphql-js's coercion would overflow the stack (a 500 before).
    // Built as text: JSON.stringify itself recurses.
    const ops = Array.from({ length: 20_000 }, (_, i) => ['and', 'or', 'not'][i % 3]!);
    const deepJson = ops.map((op) => (op === 'not' ? '{"not":' : `{"${op}":[`)).join('') + '{"eventId":{"eq":"x"}}' + ops.reverse().map((op) => (op === 'not' ? '}' : ']}')).join('');
    await stack.resetStats();
    const deep = await send(stack.gatewayUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: `{"query":"query ($f: RsvpFilter) { rsvps(first: 1, filter: $f) { edges { node { rsvpId } } } }","variables":{"f":${deepJson}}}`,
    });
    expectRefused(deep, 'INPUT_TOO_DEEP', 16);
    expect((await stack.stats()).total).toBe(0);
    let literal = '{ eventId: { eq: "x" } }';
    for (let i = 0; i < 20; i++) literal = `{ not: ${literal} }`;
    expectRefused(await limited(`{ rsvps(first: 1, filter: ${literal}) { edges { node { rsvpId } } } }`), 'INPUT_TOO_DEEP', 16);
    const huge = 'x'.repeat(200_000);
    expectRefused(await limited(`query ($id: ID!) { rsvp(id: $id) { rsvpId } }`, { id: huge }), 'STRING_TOO_LONG', 10_000);
    expectRefused(await limited(`{ rsvp(id: "${huge}") { rsvpId } }`), 'STRING_TOO_LONG', 10_000);
  });

  it('refuse a body over MAX_BODY_BYTES with 413, with or without a Content-Length', async () => {
    await stack.resetStats();
    const body = JSON.stringify({ query: '{ __typename }', variables: { pad: 'x'.repeat(2 * 1024 * 1024) } });
    const sized = await send(stack.gatewayUrl, { method: 'POST', headers: { 'content-type': 'application/json' }, body });
    expectRefused(sized, 'BODY_TOO_LARGE', config().maxBodyBytes, 413);
    const chunked = await send(stack.gatewayUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: new Blob([body]).stream(),
      duplex: 'half',
    } as RequestInit);
    expectRefused(chunked, 'BODY_TOO_LARGE', config().maxBodyBytes, 413);
    expect((await stack.stats()).total).toBe(0);
  });
});

describe('malformed requests', () => {
  it.each([
    ['variables that are not JSON in a GET', { method: 'GET', path: `/graphql?variables=%7B&query=${encodeURIComponent('{ __typename }')}` }, 400],
    ['extensions that are not JSON in a GET', { method: 'GET', path: `/graphql?extensions=%5B%7B&query=${encodeURIComponent('{ __typename }')}` }, 400],
    ['a body that is not JSON', { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"query": ' }, 400],
    ['a JSON body that is not an object', { method: 'POST', headers: { 'content-type': 'application/json' }, body: '"{ __typename }"' }, 400],
    ['variables that are not an object', { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"query":"{ __typename }","variables":"x"}' }, 400],
    ['no query', { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' }, 400],
    ['no content type', { method: 'POST', body: '{"query":"{ __typename }"}' }, 415],
    ['application/graphql', { method: 'POST', headers: { 'content-type': 'application/graphql' }, body: '{ __typename }' }, 415],
    ['a PUT', { method: 'PUT', headers: { 'content-type': 'application/json' }, body: '{"query":"{ __typename }"}' }, 405],
  ] as [string, RequestInit & { path?: string }, number][])('answers %s with a 4xx and a code', async (_name, init, status) => {
    await stack.resetStats();
    const res = await send(stack.gatewayUrl, init);
    expect(res.status, res.text).toBe(status);
    if (res.json) expect(res.json.errors[0].extensions.code).toMatch(/^[A-Z_]+$/);
    expect((await stack.stats()).total).toBe(0);
  });
});

describe('production mode', () => {
  let prod: Gateway;
  let url: string;
  beforeAll(async () => {
    prod = await createGateway(loadConfig({ NODE_ENV: 'production', UPSTREAM_URL: stack.sandboxUrl, LOG_LEVEL: 'silent' }));
    url = await prod.start(0, '127.0.0.1');
  });
  afterAll(() => prod?.stop());
  const post = (target: string, query: string) =>
    send(target, { method: 'POST', headers: { 'content-type': 'application/json', authorization: stack.token }, body: JSON.stringify({ query }) });

  it('refuses introspection, hides suggestions and serves no GraphiQL', async () => {
    const schema = await post(url, '{ __schema { types { name } } }');
    expect(schema.json.errors[0].extensions.code).toBe('INTROSPECTION_DISABLED');
    expect(schema.json.data).toBeUndefined();
    const type = await post(url, '{ __type(name: "Rsvp") { fields { name } } }');
    expect(type.json.errors[0].extensions.code).toBe('INTROSPECTION_DISABLED');
    const typo = await post(url, '{ evnts(first: 1) { edges { node { eventId } } } }');
    expect(typo.json.errors[0].message).toContain('Cannot query field "evnts"');
    expect(typo.text).not.toContain('Did you mean');
    const page = await send(url, { method: 'GET', headers: { accept: 'text/html' } });
    expect(page.text).not.toMatch(/graphiql/i);
    // The same typo in the development defaults gets its suggestion.
    expect((await post(stack.gatewayUrl, '{ evnts(first: 1) { edges { node { eventId } } } }')).text).toContain('Did you mean');
  });

  it('turns introspection and GraphiQL on when configured', async () => {
    const open = await createGateway(
      loadConfig({ NODE_ENV: 'production', GRAPHQL_INTROSPECTION: 'true', GRAPHIQL: 'true', UPSTREAM_URL: stack.sandboxUrl, LOG_LEVEL: 'silent' }),
    );
    const openUrl = await open.start(0, '127.0.0.1');
    try {
      expect((await post(openUrl, '{ __schema { queryType { name } } }')).json.data.__schema.queryType.name).toBe('Query');
      expect((await send(openUrl, { method: 'GET', headers: { accept: 'text/html' } })).text).toMatch(/graphiql/i);
    } finally {
      await open.stop();
    }
  });
});

describe('graphql-ws and SSE', () => {
  const RSVP_CHANGED = 'subscription ($e: ID!) { rsvpChanged(eventId: $e) { kind rsvpId } }';
  let instanceId: string;
  beforeAll(async () => {
    instanceId = (await stack.upstream('POST', '/oauth2/token-info', { token: stack.token })).body.instanceId;
  });
  const publish = (eventId: string, n: number, firstName = 'A') =>
    stack.gateway.services.pubsub.publishConfirmed('rsvp:changed', `${instanceId}:${eventId}`, {
      kind: 'UPDATED',
      entityId: `rsvp-${n}`,
      entity: { id: `rsvp-${n}`, eventId, firstName },
      eventTime: new Date().toISOString(),
      changeId: `change-${n}`,
    });

  /** A raw graphql-transport-ws socket, acknowledged; `messages` collects what it has read. */
  async function rawSocket() {
    const socket = new WebSocket(stack.gatewayUrl.replace(/^http/, 'ws') + '/graphql', 'graphql-transport-ws');
    const messages: any[] = [];
    const listeners: (() => void)[] = [];
    socket.on('message', (data) => {
      messages.push(JSON.parse(String(data)));
      listeners.splice(0).forEach((l) => l());
    });
    const closed = new Promise<{ code: number; reason: string }>((resolve) => socket.on('close', (code, reason) => resolve({ code, reason: String(reason) })));
    await new Promise((resolve) => socket.once('open', resolve));
    const until = async (predicate: () => boolean) => {
      while (!predicate()) await new Promise<void>((resolve) => listeners.push(resolve));
    };
    socket.send(JSON.stringify({ type: 'connection_init', payload: { Authorization: stack.token } }));
    await until(() => messages.some((m) => m.type === 'connection_ack'));
    return { socket, messages, until, closed };
  }

  /** Publishes until the subscription `id` on every socket has delivered one message: proof it is attached. */
  async function attached(eventId: string, sockets: Awaited<ReturnType<typeof rawSocket>>[], id: string) {
    for (let n = 0; !sockets.every((s) => s.messages.some((m) => m.id === id && m.type === 'next')); n++) {
      await publish(eventId, -1 - n);
      await Promise.race([Promise.all(sockets.map((s) => s.until(() => s.messages.some((m) => m.id === id && m.type === 'next')))), new Promise((r) => setTimeout(r, 50))]);
    }
  }

  it('refuses the 101st operation on one socket with TOO_MANY_SUBSCRIPTIONS and accepts one again after a complete', async () => {
    const ws = await rawSocket();
    try {
      for (let i = 1; i <= 101; i++) ws.socket.send(JSON.stringify({ id: `s${i}`, type: 'subscribe', payload: { query: RSVP_CHANGED, variables: { e: `event-${i}` } } }));
      await ws.until(() => ws.messages.some((m) => m.type === 'error'));
      const errors = ws.messages.filter((m) => m.type === 'error');
      expect(errors).toHaveLength(1);
      expect(errors[0].id).toBe('s101');
      expect(errors[0].payload[0].extensions).toMatchObject({ code: 'TOO_MANY_SUBSCRIPTIONS', limit: 100 });
      expect(errors[0].payload[0].message).toContain('100');
      ws.socket.send(JSON.stringify({ id: 's1', type: 'complete' }));
      ws.socket.send(JSON.stringify({ id: 's102', type: 'subscribe', payload: { query: RSVP_CHANGED, variables: { e: 'event-102' } } }));
      await attached('event-102', [ws], 's102');
      expect(ws.messages.filter((m) => m.type === 'error')).toHaveLength(1);
    } finally {
      ws.socket.close();
    }
  });

  it('closes a reader that stopped reading with 1013 once STREAM_MAX_BUFFERED_BYTES are unsent, without growing memory', async () => {
    const v8 = await import('node:v8');
    const vm = await import('node:vm');
    v8.setFlagsFromString('--expose-gc');
    const gc = vm.runInNewContext('gc') as () => void;
    const BIG = `subscription ($e: ID!) { rsvpChanged(eventId: $e) { rsvp { firstName } } }`;
    const slow = await rawSocket();
    const healthy = await rawSocket();
    slow.socket.send(JSON.stringify({ id: 'big', type: 'subscribe', payload: { query: BIG, variables: { e: 'slow-event' } } }));
    healthy.socket.send(JSON.stringify({ id: 'big', type: 'subscribe', payload: { query: RSVP_CHANGED, variables: { e: 'slow-event' } } }));
    await attached('slow-event', [slow, healthy], 'big');
    // The client stops reading: the gateway's sends pile up in its socket buffer.
    (slow.socket as any)._socket.pause();
    gc();
    const before = process.memoryUsage();
    const EVENTS = 300;
    for (let n = 0; n < EVENTS; n++) await publish('slow-event', n, `${n}:`.padEnd(400_000, 'x'));
    // Every event was dispatched to both sockets once the healthy one has read the last.
    await healthy.until(() => healthy.messages.some((m) => m.type === 'next' && m.payload.data.rsvpChanged.rsvpId === `rsvp-${EVENTS - 1}`));
    gc();
    const after = process.memoryUsage();
    const grown = after.heapUsed + after.external - (before.heapUsed + before.external);
    expect(grown / 1024 / 1024, 'MB retained for the slow reader').toBeLessThan(50);
    (slow.socket as any)._socket.resume();
    const { code, reason } = await slow.closed;
    expect(code).toBe(1013);
    expect(reason).toContain(String(stack.gateway.services.config.streamMaxBufferedBytes));
    const delivered = slow.messages.filter((m) => m.type === 'next').length;
    expect(delivered).toBeLessThan(EVENTS / 2);
    healthy.socket.close();
  });

  it('ends an SSE stream whose reader stopped with SLOW_CONSUMER once STREAM_MAX_BUFFERED_BYTES are queued', async () => {
    const controller = new AbortController();
    const res = await fetch(`${stack.gatewayUrl}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'text/event-stream', authorization: stack.token },
      body: JSON.stringify({ query: `subscription { rsvpChanged(eventId: "sse-event") { rsvp { firstName } } }` }),
      signal: controller.signal,
    });
    const reader = res.body!.getReader();
    let text = '';
    const decoder = new TextDecoder();
    const read = async () => {
      const { value, done } = await reader.read();
      if (!done) text += decoder.decode(value, { stream: true });
      return !done;
    };
    // Attached once the first event arrives; then stop reading while 40 MB are published.
    for (let n = 0; !text.includes('"firstName"'); n++) {
      await publish('sse-event', -1 - n);
      await Promise.race([read(), new Promise((r) => setTimeout(r, 50))]);
    }
    for (let n = 0; n < 100; n++) await publish('sse-event', n, `${n}:`.padEnd(400_000, 'x'));
    while (await read()) if (text.includes('SLOW_CONSUMER')) break;
    expect(text).toContain('SLOW_CONSUMER');
    expect(text.split('"firstName"').length - 1).toBeLessThan(50);
    controller.abort();
  });
});
