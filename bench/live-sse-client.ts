/**
 * Child process of `npm run bench live -- --live-queries --sse`: bench/live-client.ts's protocol (start, expect,
 * arrivals, close) for `@live` queries over Server-Sent Events: one POST /graphql (Accept: text/event-stream) per
 * live query, each on its own connection, results tagged by how many the stream has had before (`live-0` the first).
 */
import { Agent, request } from 'undici';

interface Start {
  op: 'start';
  url: string;
  token: string;
  sockets: number;
  subscriptions: number;
  query: string;
  variables: Record<string, unknown>;
}
type Message = Start | { op: 'expect'; tag: string } | { op: 'arrivals' } | { op: 'close' };

const arrivals = new Map<string, number[]>();
const waiting = new Set<string>();
const streams: { destroy(): void; done: Promise<void> }[] = [];
let expected = 0;
let errors = 0;

process.on('message', async (m: Message) => {
  if (m.op === 'start') {
    expected = m.subscriptions;
    await open(m);
    process.send!({ op: 'started' });
  } else if (m.op === 'expect') {
    waiting.add(m.tag);
    check(m.tag);
  } else if (m.op === 'arrivals') {
    process.send!({ op: 'arrivals', arrivals: Object.fromEntries(arrivals), errors });
  } else if (m.op === 'close') {
    for (const s of streams) s.destroy();
    await Promise.all(streams.map((s) => s.done));
    process.send!({ op: 'closed' });
  }
});

function check(tag: string) {
  if (waiting.has(tag) && (arrivals.get(tag)?.length ?? 0) >= expected) {
    waiting.delete(tag);
    process.send!({ op: 'seen', tag });
  }
}

async function open(m: Start) {
  const dispatcher = new Agent({ connections: m.subscriptions, pipelining: 0, bodyTimeout: 0, headersTimeout: 60_000 });
  let next = 0;
  const worker = async () => {
    while (next < m.subscriptions) await connect(m, dispatcher, next++);
  };
  await Promise.all(Array.from({ length: 64 }, worker));
}

async function connect(m: Start, dispatcher: Agent, index: number): Promise<void> {
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
          if (!frame.includes('"data":{')) errors++;
          const tag = `live-${seen++}`;
          let list = arrivals.get(tag);
          if (!list) arrivals.set(tag, (list = []));
          list.push(at);
          if (list.length >= expected) check(tag);
        }
      }
    } catch {
      if (!controller.signal.aborted) errors++;
    }
  })();
  streams.push({ destroy: () => controller.abort(), done });
}
