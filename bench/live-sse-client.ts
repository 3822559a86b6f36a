/**
 * Child process of `npm run bench live -- --live-queries --sse`: bench/live-child-protocol.ts's protocol (start, expect,
 * arrivals, close) for `@live` queries over Server-Sent Events: one POST /graphql (Accept: text/event-stream) per
 * live query, each on its own connection, results tagged by how many the stream has had before (`live-0` the first).
 */
import { Agent, request } from 'undici';
import { serveChild, type ChildClient, type Start } from './live-child-protocol.js';

const streams: { destroy(): void; done: Promise<void> }[] = [];

serveChild(open, async () => {
  for (const s of streams) s.destroy();
  await Promise.all(streams.map((s) => s.done));
});

async function open(m: Start, client: ChildClient) {
  const dispatcher = new Agent({ connections: m.subscriptions, pipelining: 0, bodyTimeout: 0, headersTimeout: 60_000 });
  let next = 0;
  const worker = async () => {
    while (next < m.subscriptions) await connect(m, client, dispatcher, next++);
  };
  await Promise.all(Array.from({ length: 64 }, worker));
}

async function connect(m: Start, client: ChildClient, dispatcher: Agent, index: number): Promise<void> {
  const controller = new AbortController();
  // startClients passes the graphql-ws URL (ws://host/graphql): the same path over http.
  const res = await request(m.url.replace(/^ws/, 'http'), {
    method: 'POST',
    dispatcher,
    signal: controller.signal,
    headers: { 'content-type': 'application/json', accept: 'text/event-stream', authorization: m.token },
    body: JSON.stringify({ query: m.query, variables: m.variables }),
  });
  if (res.statusCode !== 200) throw new Error(`SSE stream ${index} answered ${res.statusCode}`);
  let seen = 0;
  let buffer = '';
  res.body.setEncoding('utf8');
  const done = (async () => {
    try {
      for await (const chunk of res.body) {
        buffer += chunk;
        let end: number;
        while ((end = buffer.indexOf('\n\n')) >= 0) {
          const frame = buffer.slice(0, end);
          buffer = buffer.slice(end + 2);
          if (!frame.startsWith('event: next')) continue;
          const at = performance.timeOrigin + performance.now();
          if (!frame.includes('"data":{')) client.error();
          client.arrived(`live-${seen++}`, at);
        }
      }
    } catch {
      if (!controller.signal.aborted) client.error();
    }
  })();
  streams.push({ destroy: () => controller.abort(), done });
}
