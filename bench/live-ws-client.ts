/**
 * Child process of `npm run bench live -- --ws-client` (the client before bench/live-client.ts, kept so the bench can
 * show both, `--clients=ws,minimal`): opens its share of WebSocket connections to the gateway, one graphql-ws
 * subscription per socket (two on some sockets only where the 20,000-descriptor limit of this machine forces it),
 * speaking graphql-transport-ws directly over `ws` so that the client costs as little CPU as possible on the shared
 * cores. It notes when each message arrives (epoch ms, comparable across processes) by the rsvpId it carries, and
 * tells the bench when every subscription has seen a given rsvpId (the barrier the bench waits on).
 */
import WebSocket from 'ws';
import { openAll, serveChild, type ChildClient, type Start } from './live-child-protocol.js';

const sockets: WebSocket[] = [];
/** Results so far per subscription id (tagBy 'count'). */
const results = new Map<string, number>();

serveChild(open, () =>
  Promise.all(sockets.map((s) => new Promise<void>((resolve) => (s.readyState === WebSocket.CLOSED ? resolve() : (s.once('close', () => resolve()), s.close()))))).then(() => undefined),
);

async function open(m: Start, client: ChildClient) {
  await openAll(m, (count, index) => connect(m, client, count, index));
}

function connect(m: Start, client: ChildClient, count: number, index: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(m.url, 'graphql-transport-ws', { perMessageDeflate: false });
    let acked = false;
    ws.on('error', (err) => {
      if (!acked) reject(err);
      else client.error();
    });
    ws.once('close', () => {
      if (!acked) reject(new Error('closed before connection_ack'));
    });
    ws.on('message', (data: Buffer) => {
      const msg = JSON.parse(data.toString());
      if (msg.type === 'connection_ack') {
        acked = true;
        sockets.push(ws);
        for (let k = 0; k < count; k++) {
          ws.send(JSON.stringify({ id: `${index}-${k}`, type: 'subscribe', payload: { query: m.query, variables: m.variables } }));
        }
        resolve();
      } else if (msg.type === 'next') {
        const at = performance.timeOrigin + performance.now();
        const seen = results.get(msg.id) ?? 0;
        results.set(msg.id, seen + 1);
        const tag = m.tagBy === 'count' ? (msg.payload?.data ? `live-${seen}` : undefined) : msg.payload?.data?.rsvpChanged?.rsvpId;
        if (typeof tag !== 'string') client.error();
        else client.arrived(tag, at);
      } else if (msg.type === 'error') client.error();
    });
    ws.once('open', () => ws.send(JSON.stringify({ type: 'connection_init', payload: { Authorization: m.token } })));
  });
}
