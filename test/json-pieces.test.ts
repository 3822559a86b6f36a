/**
 * Upstream bodies parsed in pieces (upstream/json-body.ts) and answers written in pieces (src/wire/json-bytes.ts) give
 * exactly what JSON.parse and JSON.stringify of the whole give, for bodies built to fool the cuts: separators inside
 * strings and nested lists, escapes, non-ASCII text, a byte-order mark, other shapes, and JSON that is not valid.
 */
import { GraphQLError } from 'graphql';
import { describe, expect, it } from 'vitest';
import { jsonBytes } from '../src/wire/json-bytes.js';
import { PIECE, parseJsonBody, parsedInPieces } from '../src/gateway/upstream/json-body.js';

function prng(seed: number): () => number {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

// Text a guest could type into a form, chosen to look like the cut the parser makes.
const NASTY = ['},{', '"},{"id":"', '},{"id":"x"}],"pagingMetadata":{}}', '\\', '\\"},{', 'é', '日本', '😀', '\u2028', '\u0000', ']', '{"guests":[{'];

function text(rand: () => number): string {
  let s = '';
  const n = Math.floor(rand() * 6);
  for (let i = 0; i < n; i++) s += rand() < 0.4 ? NASTY[Math.floor(rand() * NASTY.length)] : Math.random().toString(36).slice(2, 8);
  return s;
}

function row(rand: () => number, i: number, ticketRate = 0): Record<string, unknown> {
  const r: Record<string, unknown> = { id: `g-${i}`, eventId: `e-${i % 7}`, attendanceStatus: rand() < 0.5 ? 'ATTENDING' : null, note: text(rand) };
  // Nested lists of objects make separators at other depths.
  if (rand() < 0.5) r.inputValues = Array.from({ length: Math.floor(rand() * 4) }, (_, k) => ({ name: `f${k}`, value: text(rand), values: [text(rand)] }));
  // An own "__proto__" key, as JSON.parse makes one: it must stay a key, never become the prototype.
  if (rand() < 0.1) Object.defineProperty(r, '__proto__', { value: { polluted: true }, enumerable: true, writable: true, configurable: true });
  // Nested lists whose items start with the same key as the rows: the cuts that miss and are tried again.
  if (rand() < ticketRate) r.tickets = Array.from({ length: 1 + Math.floor(rand() * 3) }, (_, k) => ({ id: `t-${i}-${k}`, n: k }));
  if (rand() < 0.2) r.count = Math.floor(rand() * 1e6) / 7;
  return r;
}

function listBody(rand: () => number, key: string, rows: number, ticketRate = 0, extra: Record<string, unknown> = { pagingMetadata: { count: rows, offset: 0, total: rows * 2, hasNext: true } }): string {
  return JSON.stringify({ [key]: Array.from({ length: rows }, (_, i) => row(rand, i, ticketRate)), ...extra });
}

const same = (body: string | Buffer) => {
  const buf = typeof body === 'string' ? Buffer.from(body) : body;
  const want = JSON.parse(buf.toString('utf8').replace(/^\uFEFF/, ''));
  const got = parseJsonBody(buf);
  expect(got).toStrictEqual(want);
  // Key order and own __proto__ keys too.
  expect(JSON.stringify(got)).toBe(JSON.stringify(want));
  expect(Object.getPrototypeOf(got)).toBe(Object.getPrototypeOf(want));
};

describe('upstream bodies parsed in pieces', () => {
  it('give what JSON.parse gives for 60 list bodies of 100 KB to 1 MB full of separators inside strings and nested lists', () => {
    const rand = prng(11);
    let pieced = 0;
    for (let n = 0; n < 60; n++) {
      const body = listBody(rand, n % 2 ? 'guests' : 'rsvps', 1000 + Math.floor(rand() * 9000));
      expect(body.length).toBeGreaterThan(2 * PIECE);
      same(body);
      if (parsedInPieces(Buffer.from(body))) pieced++;
    }
    // The cuts were really made (a parser that always fell back would pass the equality alone).
    expect(pieced).toBe(60);
  });

  it('give what JSON.parse gives when rows hold lists of objects that start like rows, and most are still cut', () => {
    const rand = prng(13);
    let pieced = 0;
    for (let n = 0; n < 30; n++) {
      const body = listBody(rand, 'guests', 1000 + Math.floor(rand() * 5000), 0.2);
      same(body);
      if (parsedInPieces(Buffer.from(body))) pieced++;
    }
    expect(pieced).toBeGreaterThanOrEqual(27);
  });

  it('keep the other top-level keys, their order and an element as long as several pieces', () => {
    const rand = prng(5);
    const huge = { id: 'big', note: 'x'.repeat(3 * PIECE), inputValues: [{ a: 1 }, { b: 2 }] };
    const rows = Array.from({ length: 900 }, (_, i) => row(rand, i));
    rows.splice(450, 0, huge);
    same(JSON.stringify({ guests: rows, pagingMetadata: { count: 901 }, total: 3, guests2: [{ x: 1 }] }));
    same(JSON.stringify({ guests: [huge, huge, huge] }));
  });

  it('fall back to one parse for other shapes: pretty-printed, a list not first, a list of scalars, a top-level list, __proto__ as the list key', () => {
    const rand = prng(7);
    const rows = Array.from({ length: 1500 }, (_, i) => row(rand, i));
    const cases = [
      JSON.stringify({ guests: rows }, null, 2),
      JSON.stringify({ pagingMetadata: { count: 1 }, guests: rows }),
      JSON.stringify({ ids: rows.map((r) => r.id) }),
      JSON.stringify(rows),
      `{"__proto__":${JSON.stringify(rows)}}`,
      `{"gu\\u0065sts":${JSON.stringify(rows)}}`,
    ];
    for (const body of cases) {
      same(body);
      expect(parsedInPieces(Buffer.from(body))).toBe(false);
    }
  });

  it('drop a byte-order mark, read an empty body as {} and small bodies whole', () => {
    const rand = prng(3);
    same(Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(listBody(rand, 'guests', 2000))]));
    same(Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from('{"a":1}')]));
    expect(parseJsonBody(Buffer.alloc(0))).toEqual({});
    same('{"guests":[{"id":"a"},{"id":"b"}]}');
  });

  it('throw a SyntaxError for a body that is not JSON, wherever it breaks', () => {
    const rand = prng(9);
    const rows = Array.from({ length: 3000 }, (_, i) => JSON.stringify(row(rand, i)));
    const body = `{"guests":[${rows.join(',')}],"pagingMetadata":{"count":3000}}`;
    const broken = [
      body.slice(0, -1),
      body.slice(0, Math.floor(body.length / 2)),
      `${body}x`,
      `{"guests":[${rows.slice(0, 2000).join(',')},,${rows.slice(2000).join(',')}]}`,
      `{"guests":[${rows.slice(0, 2000).join(',')},{"id":"g-2000,${rows.slice(2000).join(',')}]}`,
      `{"guests":[${rows.slice(0, 1000).join(',')}],${rows.slice(1000).join(',')}]}`,
    ];
    for (const b of broken) {
      expect(() => JSON.parse(b)).toThrow(SyntaxError);
      expect(() => parseJsonBody(Buffer.from(b))).toThrow(SyntaxError);
    }
  });
});

describe('answers written in pieces', () => {
  const same = (value: unknown) => expect(jsonBytes(value).equals(Buffer.from(JSON.stringify(value) ?? 'null'))).toBe(true);

  it('are the bytes of JSON.stringify for 40 nested answers up to 2 MB with text of every kind', () => {
    const rand = prng(21);
    for (let n = 0; n < 40; n++) {
      const events = Array.from({ length: 1 + Math.floor(rand() * 120) }, (_, e) => ({
        node: {
          eventId: `e-${e}`,
          title: text(rand),
          guests: { edges: Array.from({ length: Math.floor(rand() * 60) }, (_, i) => ({ node: row(rand, i) })), pageInfo: { hasNextPage: rand() < 0.5 } },
        },
      }));
      same({ data: { events: { edges: events, totalCount: events.length } }, extensions: { cost: 3 } });
    }
  });

  it('are the bytes of JSON.stringify for what JSON.stringify treats specially', () => {
    const nullProto = Object.assign(Object.create(null) as Record<string, unknown>, { a: 1, b: [Object.create(null)] });
    const big = Array.from({ length: 5000 }, (_, i) => ({ i, s: `${i}é😀\ud800` }));
    same({
      data: {
        nullProto,
        skipped: undefined,
        fn: () => 1,
        sym: Symbol('s'),
        list: [undefined, () => 1, Symbol('s'), null, 1, 'x', big[0]],
        date: new Date(0),
        toJsonUndefined: { toJSON: () => undefined },
        toJsonBig: { toJSON: () => big },
        nested: [[big, big], { deeper: { deepest: big } }],
        '2': 'integer-like keys first',
        '\u2028"key"': 'escaped key',
      },
      errors: [new GraphQLError('boom', { extensions: { code: 'X' } })],
      stringify: jsonBytes,
    });
    for (const v of [null, 1, 'x', true, [], {}, [undefined], big, [[[[big]]]]]) same(v);
  });

  it('throw as JSON.stringify throws for a cycle or a BigInt', () => {
    const cyclic: Record<string, unknown> = { a: [{}] };
    (cyclic.a as unknown[]).push(cyclic);
    expect(() => jsonBytes({ data: cyclic })).toThrow(TypeError);
    expect(() => jsonBytes({ data: [{ n: 1n }, { n: 2 }] })).toThrow(TypeError);
  });
});
