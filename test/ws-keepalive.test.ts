/**
 * Dead WebSocket peers are dropped (ws-server.ts): every socket is pinged each WS_KEEPALIVE_MS, and one that does not
 * answer a ping within that time is terminated. A door tablet that left the Wi-Fi
 * without a close frame otherwise holds its subscriptions (and the gateway's memory) forever. Over real sockets: a
 * client that never answers pings is cut after its first unanswered ping; clients that answer stay connected across
 * many ticks and keep receiving their subscription's messages.
 */
import WebSocket from 'ws';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { startStack, type Stack } from './support/stack.js';

const KEEPALIVE_MS = 150;
let stack: Stack;
beforeAll(async () => {
  stack = await startStack({ config: { wsKeepAliveMs: KEEPALIVE_MS } });
});
afterAll(() => stack?.stop());

/** A graphql-transport-ws connection, acknowledged; `autoPong: false` makes a peer that never answers a ping. */
async function connect(autoPong: boolean) {
  const ws = new WebSocket(stack.gatewayUrl.replace(/^http/, 'ws') + '/graphql', 'graphql-transport-ws', { autoPong });
  const pings: number[] = [];
  const messages: any[] = [];
  ws.on('ping', () => pings.push(Date.now()));
  ws.on('message', (data) => messages.push(JSON.parse(String(data))));
  const closed = new Promise<number>((resolve) => ws.once('close', (code) => resolve(code)));
  await new Promise((resolve, reject) => (ws.once('open', resolve), ws.once('error', reject)));
  ws.send(JSON.stringify({ type: 'connection_init', payload: { Authorization: stack.token } }));
  await until(ws, 'message', () => messages.some((m) => m.type === 'connection_ack'));
  return { ws, pings, messages, closed };
}

/** Resolves when `check` holds, evaluated now and after each `event` of the socket (a barrier, not a sleep). */
function until(ws: WebSocket, event: 'ping' | 'message', check: () => boolean): Promise<void> {
  return new Promise((resolve) => {
    const test = () => check() && (ws.off(event, test), resolve());
    ws.on(event, test);
    test();
  });
}

it('a peer that stops answering pings is terminated within two periods; peers that answer stay and keep their subscriptions', async () => {
  const alive = await Promise.all([connect(true), connect(true)]);
  const dead = await connect(false);
  alive[0]!.ws.send(JSON.stringify({ id: 's1', type: 'subscribe', payload: { query: '{ __typename }' } }));

  const code = await dead.closed;
  expect(code).toBe(1006); // terminated: no close frame
  expect(dead.pings.length).toBeGreaterThanOrEqual(1); // it was pinged before it was cut

  // The answering peers see several more ticks and are still open.
  const seen = alive.map((a) => a.pings.length);
  await Promise.all(alive.map((a, i) => until(a.ws, 'ping', () => a.pings.length >= seen[i]! + 4)));
  for (const a of alive) expect(a.ws.readyState).toBe(WebSocket.OPEN);
  expect(alive[0]!.messages.find((m) => m.id === 's1' && m.type === 'next')?.payload).toEqual({ data: { __typename: 'Query' } });

  // And still take operations after those ticks.
  alive[1]!.ws.send(JSON.stringify({ id: 's2', type: 'subscribe', payload: { query: '{ __typename }' } }));
  await until(alive[1]!.ws, 'message', () => alive[1]!.messages.some((m) => m.id === 's2' && m.type === 'complete'));
  for (const a of alive) a.ws.close();
});
