/**
 * Shared fan-outs write pre-built WebSocket frames on the TCP socket (live/frames.ts) instead of `ws.send`. Over
 * real graphql-transport-ws sockets (the `ws` client validates every frame and its UTF-8): each subscriber gets
 * valid `next` messages under its own operation id (ids that need JSON escaping too), in publish order, for small,
 * multi-byte, 16-bit-length and 64-bit-length payloads; what `ws` itself sends on the socket (a `complete`, an
 * `error`) stays in order with the frames; and a reader that stops reading is still closed with 1013 once
 * STREAM_MAX_BUFFERED_BYTES are unsent.
 */
import WebSocket from 'ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startStack, type Stack } from './support/stack.js';

let stack: Stack;
let instanceId: string;
const MAX_BUFFERED = 256 * 1024;

beforeAll(async () => {
  stack = await startStack({ config: { streamMaxBufferedBytes: MAX_BUFFERED } });
  instanceId = (await stack.upstream('POST', '/oauth2/token-info', { token: stack.token })).body.instanceId;
});
afterAll(() => stack?.stop());

const QUERY = 'subscription ($e: ID!) { rsvpChanged(eventId: $e) { rsvpId rsvp { firstName } } }';

const publish = (eventId: string, n: number, firstName: string) =>
  stack.gateway.services.pubsub.publishConfirmed('rsvp:changed', `${instanceId}:${eventId}`, {
    kind: 'UPDATED',
    entityId: `rsvp-${n}`,
    entity: { id: `rsvp-${n}`, eventId, firstName },
    eventTime: new Date().toISOString(),
    changeId: `frames-${eventId}-${n}`,
  });

/** A raw graphql-transport-ws socket, acknowledged; `messages` collects what it has read, in order. */
async function rawSocket() {
  const socket = new WebSocket(stack.gatewayUrl.replace(/^http/, 'ws') + '/graphql', 'graphql-transport-ws');
  const messages: any[] = [];
  const listeners: (() => void)[] = [];
  socket.on('message', (data, isBinary) => {
    messages.push({ binary: isBinary, ...JSON.parse(String(data)) });
    listeners.splice(0).forEach((l) => l());
  });
  let ended: { code: number; reason: string } | undefined;
  const closed = new Promise<{ code: number; reason: string }>((resolve) =>
    socket.on('close', (code, reason) => {
      resolve((ended = { code, reason: String(reason) }));
      listeners.splice(0).forEach((l) => l());
    }),
  );
  await new Promise((resolve) => socket.once('open', resolve));
  /** Waits for `predicate`; fails if the socket closes first (an invalid frame makes the ws client close it). */
  const until = async (predicate: () => boolean) => {
    while (!predicate()) {
      if (ended) throw new Error(`socket closed ${ended.code} ${ended.reason}`);
      await new Promise<void>((resolve) => listeners.push(resolve));
    }
  };
  socket.send(JSON.stringify({ type: 'connection_init', payload: { Authorization: stack.token } }));
  await until(() => messages.some((m) => m.type === 'connection_ack'));
  return { socket, messages, until, closed };
}

/** Barrier: the gateway's shared groups hold `n` members. */
async function members(n: number) {
  const deadline = Date.now() + 10_000;
  while (stack.gateway.shared.stats().members !== n) {
    if (Date.now() > deadline) throw new Error(`members: ${stack.gateway.shared.stats().members}, waiting for ${n}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

describe('shared fan-out frames', () => {
  it('are valid next messages under each subscriber its own id, in order, for every payload size', async () => {
    const a = await rawSocket();
    const b = await rawSocket();
    const ids = { a: ['1', 'sub "two" \\ ü'], b: ['x'] };
    for (const id of ids.a) a.socket.send(JSON.stringify({ id, type: 'subscribe', payload: { query: QUERY, variables: { e: 'frames-event' } } }));
    b.socket.send(JSON.stringify({ id: 'x', type: 'subscribe', payload: { query: QUERY, variables: { e: 'frames-event' } } }));
    await members(3);
    // Under 126 bytes of payload, 16-bit and 64-bit frame lengths, past the copy limit (16 KiB), multi-byte UTF-8.
    const names = ['A', 'Zoë 東京 🎉', 'b'.repeat(300), 'c'.repeat(20_000), `${'d'.repeat(70_000)}é`, 'E'];
    for (const [n, name] of names.entries()) await publish('frames-event', n, name);
    const expected = names.map((name, n) => ({ rsvpId: `rsvp-${n}`, rsvp: { firstName: name } }));
    for (const [s, own] of [[a, ids.a], [b, ids.b]] as const) {
      await s.until(() => s.messages.filter((m) => m.type === 'next').length === names.length * own.length);
      for (const id of own) {
        const mine = s.messages.filter((m) => m.id === id);
        expect(mine.map((m) => m.type)).toEqual(names.map(() => 'next'));
        expect(mine.every((m) => m.binary === false)).toBe(true);
        expect(mine.map((m) => m.payload.data.rsvpChanged)).toEqual(expected);
      }
    }

    // graphql-ws's own messages (through ws.send) interleave with the frames in order: a complete for one id, then
    // an event that only the other ids get, then a refused subscribe's error, then another event.
    a.socket.send(JSON.stringify({ id: '1', type: 'complete' }));
    await members(2);
    await publish('frames-event', 100, 'after-complete');
    await a.until(() => a.messages.some((m) => m.payload?.data?.rsvpChanged?.rsvpId === 'rsvp-100'));
    a.socket.send(JSON.stringify({ id: 'bad', type: 'subscribe', payload: { query: '{ nope }' } }));
    await a.until(() => a.messages.some((m) => m.id === 'bad'));
    await publish('frames-event', 101, 'after-error');
    await a.until(() => a.messages.some((m) => m.payload?.data?.rsvpChanged?.rsvpId === 'rsvp-101'));
    const tail = a.messages.slice(-3).map((m) => `${m.id}:${m.type}:${m.payload?.data?.rsvpChanged?.rsvpId ?? ''}`);
    expect(tail).toEqual([`${ids.a[1]}:next:rsvp-100`, 'bad:error:', `${ids.a[1]}:next:rsvp-101`]);
    expect(a.messages.filter((m) => m.id === '1' && m.type === 'next')).toHaveLength(names.length);
    await b.until(() => b.messages.filter((m) => m.type === 'next').length === names.length + 2);
    a.socket.close();
    b.socket.close();
    await members(0);
  });

  it('close a reader that stopped reading with 1013 past STREAM_MAX_BUFFERED_BYTES, while the others get every message', async () => {
    const slow = await rawSocket();
    const healthy = await rawSocket();
    for (const s of [slow, healthy]) s.socket.send(JSON.stringify({ id: 's', type: 'subscribe', payload: { query: QUERY, variables: { e: 'slow-frames' } } }));
    await members(2);
    (slow.socket as any)._socket.pause();
    const EVENTS = 200;
    // 100 KB per message, 20 MB in all: past what the kernel's socket buffers take, then past the cap (256 KiB).
    for (let n = 0; n < EVENTS; n++) await publish('slow-frames', n, `${n}:`.padEnd(100_000, 'x'));
    await healthy.until(() => healthy.messages.filter((m) => m.type === 'next').length === EVENTS);
    expect(healthy.messages.filter((m) => m.type === 'next').map((m) => m.payload.data.rsvpChanged.rsvpId)).toEqual(Array.from({ length: EVENTS }, (_, n) => `rsvp-${n}`));
    (slow.socket as any)._socket.resume();
    const { code, reason } = await slow.closed;
    expect(code).toBe(1013);
    expect(reason).toContain(String(MAX_BUFFERED));
    const got = slow.messages.filter((m) => m.type === 'next').map((m) => m.payload.data.rsvpChanged.rsvpId);
    expect(got.length).toBeLessThan(EVENTS);
    // What it did read is a prefix of the events, in order.
    expect(got).toEqual(Array.from({ length: got.length }, (_, n) => `rsvp-${n}`));
    healthy.socket.close();
    await members(0);
  });
});
