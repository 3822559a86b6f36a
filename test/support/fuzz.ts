/**
 * A seeded generator of hostile and broken GraphQL-over-HTTP requests (issue 8), and a runner that sends them to a
 * gateway and sorts the answers: mangled documents, variables of every wrong shape (deep, long, huge, wrongly
 * typed), broken bodies, odd methods and content types, GET parameters that are not JSON. Shared by
 * test/security-fuzz.test.ts and `npm run bench fuzz`.
 */
import type { Stack } from './stack.js';

export interface FuzzReport {
  cases: number;
  seed: number;
  seconds: number;
  byStatus: Record<string, number>;
  /** The first error's extensions.code of every answer that has one (refusals by code). */
  byCode: Record<string, number>;
  /** Answers that break the rules: a 5xx, a 4xx without extensions.code, a dropped connection. */
  failures: string[];
}

const BASES = [
  '{ events(first: 2) { edges { node { eventId title } } } }',
  'query ($id: ID!) { rsvp(id: $id) { rsvpId firstName guests { guestId } } }',
  'query ($ids: [ID!]!) { rsvpSummaries(eventIds: $ids) { eventId } }',
  'query ($f: RsvpFilter) { rsvps(first: 2, filter: $f) { edges { node { rsvpId status } } } }',
  'query ($c: ID!) { contact(contactId: $c) { contactId rsvps(first: 1) { edges { node { rsvpId } } } } }',
  'mutation ($input: CreateRsvpInput!) { createRsvp(input: $input) { __typename ... on Error { code message } } }',
  'mutation ($input: DeleteRsvpInput!) { deleteRsvp(input: $input) { __typename ... on Error { code } } }',
  '{ a: __typename b: __typename ...F } fragment F on Query { __typename }',
  'query Q($x: Int = 3) @include(if: true) { __typename @skip(if: false) }',
];
const ALPHABET = '{}()[]:$@!."\\ ,\n#=|&_-0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ\u0000\u2028é漢🙂';

/** mulberry32: small, seedable, good enough to spread cases. */
export function prng(seed: number) {
  let a = seed >>> 0;
  const next = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const int = (n: number) => Math.floor(next() * n);
  const pick = <T>(xs: readonly T[]): T => xs[int(xs.length)]!;
  const chars = (n: number) => Array.from({ length: n }, () => pick([...ALPHABET])).join('');
  return { next, int, pick, chars };
}

type Case = { name: string; init: RequestInit & { path?: string } };

function mangle(r: ReturnType<typeof prng>, text: string): string {
  let s = text;
  for (let k = 1 + r.int(5); k > 0; k--) {
    const at = r.int(s.length + 1);
    switch (r.int(5)) {
      case 0:
        s = s.slice(0, at) + s.slice(at + 1 + r.int(8));
        break;
      case 1:
        s = s.slice(0, at) + r.chars(1 + r.int(6)) + s.slice(at);
        break;
      case 2:
        s = s.slice(0, at) + s.slice(r.int(s.length), r.int(s.length)).repeat(1 + r.int(50)) + s.slice(at);
        break;
      case 3:
        s = s.slice(0, at) + r.pick(['{', '}', '(', ')', '"', '"""', '...', '$', '@', '!', '[', ']']).repeat(1 + r.int(2000)) + s.slice(at);
        break;
      default:
        s = s.slice(at) + s.slice(0, at);
    }
  }
  return s;
}

/** A variable value of a random wrong or hostile shape, as JSON text (deep values cannot go through JSON.stringify). */
function hostileValue(r: ReturnType<typeof prng>): string {
  switch (r.int(10)) {
    case 0: {
      const depth = 1 + r.int(20_000);
      const open = r.pick(['[', '{"and":[', '{"not":', '{"a":']);
      const close = open === '[' ? ']' : open === '{"and":[' ? ']}' : '}';
      return open.repeat(depth) + '1' + close.repeat(depth);
    }
    case 1:
      return JSON.stringify(Array.from({ length: r.int(30_000) }, (_, i) => `id-${i}`));
    case 2:
      return JSON.stringify('x'.repeat(r.int(400_000)));
    case 3:
      return r.pick(['1e309', '-0', '9007199254740993', '1.5', 'true', 'null', '[]', '{}', '""', '"\\u0000"', '"\\ud800"']);
    case 4:
      return JSON.stringify({ eventId: r.chars(r.int(40)), firstName: r.chars(r.int(80)), lastName: 1, email: [], status: r.pick(['YES', 'MAYBE', 7]) });
    case 5:
      return JSON.stringify({ rsvpId: Buffer.from(`${r.pick(['Guest', 'Event', 'Rsvp', 'X', ''])}:${r.chars(10)}`).toString('base64') });
    case 6:
      return JSON.stringify({ __proto__: { polluted: true }, constructor: { prototype: { x: 1 } } });
    case 7:
      return JSON.stringify(Object.fromEntries(Array.from({ length: r.int(5000) }, (_, i) => [`k${i}`, i])));
    case 8:
      return JSON.stringify({ eventId: { eq: r.chars(20) }, or: [{ status: { in: Array(2000).fill('YES') } }] });
    default:
      return JSON.stringify(r.chars(r.int(100)));
  }
}

export function makeCase(r: ReturnType<typeof prng>, n: number): Case {
  const base = r.pick(BASES);
  const json = { 'content-type': 'application/json' };
  switch (n % 6) {
    case 0:
      return { name: 'document', init: { method: 'POST', headers: json, body: JSON.stringify({ query: mangle(r, base) }) } };
    case 1: {
      const variables = `{${['id', 'ids', 'f', 'c', 'input', 'x'].map((k) => `"${k}":${hostileValue(r)}`).join(',')}}`;
      return { name: 'variables', init: { method: 'POST', headers: json, body: `{"query":${JSON.stringify(base)},"variables":${variables}}` } };
    }
    case 2: {
      const body = JSON.stringify({ query: base, variables: { id: 'x' } });
      const broken = r.pick([
        () => body.slice(0, r.int(body.length)),
        () => mangle(r, body),
        () => `[${body},${body}]`,
        () => r.chars(r.int(200)),
        () => '',
        () => 'null',
        () => JSON.stringify({ query: base, operationName: r.chars(5), extensions: r.pick(['x', 1, [], { persistedQuery: { sha256Hash: 'x' } }]) }),
        () => JSON.stringify({ query: [base], variables: [] }),
        () => JSON.stringify({ query: base, unexpected: 1 }),
      ])();
      return { name: 'body', init: { method: 'POST', headers: json, body: broken } };
    }
    case 3: {
      const type = r.pick(['text/plain', 'application/x-www-form-urlencoded', 'multipart/form-data; boundary=x', 'application/graphql', '', 'application/json; charset=latin1', 'APPLICATION/JSON', 'application/json, text/html', 'application/graphql-response+json', 'x/y;;;']);
      return { name: 'content-type', init: { method: r.pick(['POST', 'POST', 'PUT', 'PATCH', 'DELETE']), headers: type ? { 'content-type': type } : {}, body: JSON.stringify({ query: mangle(r, base) }) } };
    }
    case 4: {
      const params = r.pick([
        () => `query=${encodeURIComponent(base)}&variables=${encodeURIComponent(r.chars(r.int(20)))}`,
        () => `query=${encodeURIComponent(mangle(r, base))}`,
        () => `query=${encodeURIComponent(base)}&variables=%7B&extensions=%5B`,
        () => `query=%E0%A4%A&variables=%`,
        () => `query=${encodeURIComponent(base)}&variables=${encodeURIComponent(`{"id":${hostileValue(r).slice(0, 6000)}}`)}`,
        () => `query=${encodeURIComponent('mutation { deleteRsvp(input: {rsvpId: "x"}) { __typename } }')}`,
        () => `operationName=${r.chars(3)}&query=${encodeURIComponent(base)}`,
        () => '',
      ])();
      return { name: 'get', init: { method: 'GET', path: `/graphql?${params}`, headers: { accept: r.pick(['application/json', 'application/graphql-response+json', '*/*', 'text/html', 'multipart/mixed']) } } };
    }
    default: {
      // Valid requests with hostile accept headers and request ids.
      return {
        name: 'headers',
        init: {
          method: 'POST',
          headers: { ...json, accept: r.pick(['text/event-stream', 'multipart/mixed', 'application/xml', '*/*', r.chars(20).replace(/[^\x20-\x7e]/g, '')]), 'x-request-id': r.chars(r.int(300)).replace(/[^\x20-\x7e]/g, '') },
          body: JSON.stringify({ query: r.pick(BASES.slice(0, 1).concat(BASES.slice(7))) }),
        },
      };
    }
  }
}


/** Sends `cases` requests, 8 at a time, and reports every answer by status; a failure is a 5xx, an uncoded 4xx or a dropped connection. */
export async function runFuzz(stack: Pick<Stack, 'gatewayUrl' | 'token'>, cases: number, seed: number): Promise<FuzzReport> {
  const r = prng(seed);
  const byStatus = new Map<number, number>();
  const byCode = new Map<string, number>();
  const failures: string[] = [];
  let next = 0;
  const started = performance.now();
  const worker = async () => {
    for (let n = next++; n < cases; n = next++) {
      const c = makeCase(r, n);
      let status = 0;
      let text = '';
      try {
        const res = await fetch(`${stack.gatewayUrl}${c.init.path ?? '/graphql'}`, {
          ...c.init,
          headers: { authorization: stack.token, ...(c.init.headers as object) },
          signal: AbortSignal.timeout(20_000),
        });
        status = res.status;
        text = await res.text();
      } catch (err) {
        failures.push(`#${n} ${c.name}: ${String(err)} ${String((err as { cause?: unknown }).cause ?? '')}`);
        continue;
      }
      byStatus.set(status, (byStatus.get(status) ?? 0) + 1);
      const code = /"code":"([A-Z_]+)"/.exec(text)?.[1];
      if (code) byCode.set(code, (byCode.get(code) ?? 0) + 1);
      // 405/406/415 name the method or media type in the status itself; 431 is Node's own refusal of a huge URL.
      const uncoded = status >= 400 && ![405, 406, 415, 431].includes(status) && !/"code":"[A-Z_]+"/.test(text);
      if (status >= 500 || uncoded) failures.push(`#${n} ${c.name}: ${status} ${text.slice(0, 300)}`);
    }
  };
  await Promise.all(Array.from({ length: 8 }, worker));
  return {
    cases,
    seed,
    seconds: (performance.now() - started) / 1000,
    byStatus: Object.fromEntries([...byStatus].sort(([a], [b]) => a - b)),
    byCode: Object.fromEntries([...byCode].sort(([, a], [, b]) => b - a)),
    failures,
  };
}
