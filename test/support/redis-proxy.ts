/**
 * A TCP proxy in front of Redis that loses a reply: the next command whose request contains a marker reaches Redis
 * and runs there, its reply is dropped and the connection cut, as a network blip or a load balancer's idle cut
 * would (or, with down(), is unreachable altogether). ioredis then reconnects (to the proxy, which keeps listening) and resends the unanswered command, so the
 * command runs twice: what the tests built on this check is that nothing is delivered twice or refused for it.
 */
import { connect, createServer, type Socket } from 'node:net';

export interface RedisProxy {
  url: string;
  /**
   * Arm: the next request containing `marker` (case-insensitive; commands and their arguments travel as plain RESP
   * text) is forwarded, its reply dropped, both sockets cut. Resolves once the cut happened.
   */
  loseReplyTo(marker: string): Promise<void>;
  /** Redis unreachable through the proxy: open connections are cut and new ones closed at once, until up(). */
  down(): void;
  up(): void;
  /** Connections accepted so far (ioredis opens one per client, again after each cut). */
  connections(): number;
  close(): Promise<void>;
}

export async function startRedisProxy(redisUrl: string): Promise<RedisProxy> {
  const target = new URL(redisUrl);
  let armed: { marker: string; cut: () => void } | undefined;
  let accepted = 0;
  const sockets = new Set<Socket>();
  let refusing = false;
  const server = createServer((client) => {
    if (refusing) {
      client.destroy();
      return;
    }
    accepted++;
    const upstream = connect(Number(target.port || 6379), target.hostname);
    sockets.add(client).add(upstream);
    let cutOnReply: (() => void) | undefined;
    const cut = () => {
      client.destroy();
      upstream.destroy();
    };
    client.on('data', (chunk) => {
      if (armed && chunk.toString('latin1').toLowerCase().includes(armed.marker)) {
        cutOnReply = armed.cut;
        armed = undefined;
      }
      upstream.write(chunk);
    });
    upstream.on('data', (chunk) => {
      if (cutOnReply) {
        const done = cutOnReply;
        cutOnReply = undefined;
        cut();
        done();
        return;
      }
      client.write(chunk);
    });
    for (const s of [client, upstream]) {
      s.on('error', cut);
      s.on('close', () => {
        sockets.delete(s);
        cut();
      });
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as { port: number }).port;
  return {
    url: `redis://127.0.0.1:${port}${target.pathname}`,
    loseReplyTo(marker) {
      return new Promise<void>((resolve) => {
        armed = { marker: marker.toLowerCase(), cut: resolve };
      });
    },
    down() {
      refusing = true;
      sockets.forEach((s) => s.destroy());
    },
    up() {
      refusing = false;
    },
    connections: () => accepted,
    async close() {
      sockets.forEach((s) => s.destroy());
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
