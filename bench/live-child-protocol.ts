/**
 * The message protocol of bench/live.ts's client processes (bench/live-client.ts, a minimal graphql-ws client;
 * bench/live-ws-client.ts, the same over `ws`; bench/live-sse-client.ts over SSE): `start` opens the connections,
 * `expect` asks to be told (`seen`) when every subscription has had a message with a tag, `arrivals` returns each
 * tag's arrival times, `cpu` the process's CPU (user + system, and user), `close` ends the connections. A client only says how it opens and closes and reports each arrival.
 */
export interface Start {
  op: 'start';
  url: string;
  token: string;
  sockets: number;
  subscriptions: number;
  query: string;
  variables: Record<string, unknown>;
  /**
   * How a message is tagged: by the rsvpId an rsvpChanged event carries (default), or, for a `@live` query, by how
   * many results its subscription has had before it (`live-0` the first result, `live-1` the first push, …).
   */
  tagBy?: 'rsvpId' | 'count';
}
type Message = Start | { op: 'expect'; tag: string } | { op: 'arrivals' } | { op: 'cpu' } | { op: 'close' };

export interface ChildClient {
  /** Notes that one subscription received a message tagged `tag` at `at` (epoch ms). */
  arrived(tag: string, at: number): void;
  /** Counts an error (a malformed message, a failed stream). */
  error(): void;
}

export function serveChild(open: (m: Start, client: ChildClient) => Promise<void>, close: () => Promise<void>): void {
  const arrivals = new Map<string, number[]>();
  const waiting = new Set<string>();
  let expected = 0;
  let errors = 0;
  const check = (tag: string) => {
    if (waiting.has(tag) && (arrivals.get(tag)?.length ?? 0) >= expected) {
      waiting.delete(tag);
      process.send!({ op: 'seen', tag });
    }
  };
  const client: ChildClient = {
    arrived(tag, at) {
      let list = arrivals.get(tag);
      if (!list) arrivals.set(tag, (list = []));
      list.push(at);
      if (list.length >= expected) check(tag);
    },
    error: () => void errors++,
  };
  process.on('message', async (m: Message) => {
    if (m.op === 'start') {
      expected = m.subscriptions;
      await open(m, client);
      process.send!({ op: 'started' });
    } else if (m.op === 'expect') {
      waiting.add(m.tag);
      check(m.tag);
    } else if (m.op === 'cpu') {
      const cpu = process.cpuUsage();
      process.send!({ op: 'cpu', cpuUs: cpu.user + cpu.system, userUs: cpu.user });
    } else if (m.op === 'arrivals') {
      process.send!({ op: 'arrivals', arrivals: Object.fromEntries(arrivals), errors });
    } else if (m.op === 'close') {
      await close();
      process.send!({ op: 'closed' });
    }
  });
}

/**
 * Opens `m.sockets` connections with `connectOne(subscriptions, index)`, spreading `m.subscriptions` over them, 64
 * handshakes in flight at a time (enough to fill the gateway without a SYN backlog overflow); a refused or timed-out
 * handshake is tried again, up to 10 times, as a real client would under load.
 */
export async function openAll(m: Start, connectOne: (subscriptions: number, index: number) => Promise<void>): Promise<void> {
  const perSocket = (i: number) => Math.floor(m.subscriptions / m.sockets) + (i < m.subscriptions % m.sockets ? 1 : 0);
  let next = 0;
  const worker = async () => {
    while (next < m.sockets) {
      const i = next++;
      for (let attempt = 1; ; attempt++) {
        try {
          await connectOne(perSocket(i), i);
          break;
        } catch (err) {
          if (attempt >= 10) throw err;
          await new Promise((r) => setTimeout(r, 200 * attempt));
        }
      }
    }
  };
  await Promise.all(Array.from({ length: 64 }, worker));
}
