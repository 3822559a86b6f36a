/**
 * graphql-ws on a `ws` server, as graphql-ws/use/ws wires it, with two bounds a public socket needs (issue 8):
 * - at most `maxSubscriptions` active operations per socket; the next gets an error message naming the limit;
 * - at most `maxBufferedBytes` unsent per socket. Sends do not wait for the client to read (use/ws awaits each
 *   write, which moves a slow reader's backlog into the subscription's queue, unbounded); past the cap the socket is
 *   closed with 1013 and a reason, so one reader that stops reading costs at most the cap.
 * Close reasons never carry an exception's text (use/ws puts it there outside NODE_ENV=production).
 */
import type { IncomingMessage } from 'node:http';
import { CloseCode, handleProtocols, makeServer, type ServerOptions } from 'graphql-ws';
import type { WebSocket, WebSocketServer } from 'ws';
import { GraphQLError } from 'graphql';

export interface WsLimits {
  maxSubscriptions: number;
  maxBufferedBytes: number;
  /** Ping interval (WS_KEEPALIVE_MS); a client that does not answer a ping within it is dropped (use/ws's default 12 s). */
  keepAliveMs?: number;
}

/** The `ctx.extra` of every graphql-ws hook. */
export interface WsExtra {
  socket: WebSocket;
  /**
   * The upgrade request's method, URL and headers, copied: graphql-ws keeps `extra` for the socket's lifetime, and
   * the IncomingMessage itself (its stream state, raw header list and socket references) cost ~1 KiB per
   * subscriber of the heap (issue 12).
   */
  request: UpgradeRequest;
}

export type UpgradeRequest = Pick<IncomingMessage, 'method' | 'url' | 'headers'>;

/** 1013 "Try Again Later": the client may reconnect and read faster. */
export const SLOW_READER_CLOSE_CODE = 1013;

export function serveGraphqlWs(options: ServerOptions<Record<string, unknown> | undefined, WsExtra>, wss: WebSocketServer, limits: WsLimits) {
  const onSubscribe = options.onSubscribe;
  const server = makeServer<Record<string, unknown> | undefined, WsExtra>({
    ...options,
    onSubscribe: (ctx, id, payload) => {
      // graphql-ws registers the operation before this hook, so the count includes it.
      if (Object.keys(ctx.subscriptions).length > limits.maxSubscriptions) {
        return [
          new GraphQLError(`This socket already has ${limits.maxSubscriptions} active operations, the limit (WS_MAX_SUBSCRIPTIONS).`, {
            extensions: { code: 'TOO_MANY_SUBSCRIPTIONS', limit: limits.maxSubscriptions },
          }),
        ];
      }
      return onSubscribe?.(ctx, id, payload);
    },
  });
  wss.options.handleProtocols = handleProtocols;
  const keepAliveMs = limits.keepAliveMs ?? 12_000;

  wss.on('connection', (socket, request) => {
    // Per socket only what a connection needs for its lifetime (issue 12: RSS per subscriber at 20,000 sockets):
    // one interval, one flag, one GraphqlWsSocket and four listeners, no timer or listener created per ping.
    socket.once('error', () => closeOnError(socket));
    // Keepalive as ws's README does it: each tick terminates a socket that has not answered the previous tick's ping
    // (so within keepAliveMs of it, as before) and pings it again; one timer per socket, so the pings of 20,000
    // sockets stay spread over the period as they connected, not one burst.
    let answered = true;
    socket.on('pong', () => (answered = true));
    const pingInterval = setInterval(() => {
      if (socket.readyState !== socket.OPEN) return;
      if (!answered) return socket.terminate();
      answered = false;
      socket.ping();
    }, keepAliveMs);

    const closed = server.opened(
      new GraphqlWsSocket(socket, limits.maxBufferedBytes),
      { socket, request: { method: request.method, url: request.url, headers: request.headers } },
    );

    socket.once('close', (code, reason) => {
      clearInterval(pingInterval);
      void closed(code, String(reason));
    });
  });
}

/**
 * graphql-ws's view of one `ws` socket. Its methods live on the prototype: as an object literal of three arrow
 * functions, each connection held three closures, and the runtime's keep-names transform (tsx/esbuild `__name`)
 * gave each its own property array, ~0.9 KiB of heap per subscriber in all (heap snapshots at 2,000 subscribers).
 */
class GraphqlWsSocket {
  readonly protocol: string;

  constructor(
    private readonly ws: WebSocket,
    private readonly maxBufferedBytes: number,
  ) {
    this.protocol = ws.protocol;
  }

  send(data: string): void {
    const ws = this.ws;
    if (ws.readyState !== ws.OPEN) return;
    ws.send(data);
    if (ws.bufferedAmount > this.maxBufferedBytes) {
      // Nothing more is sent once closing; the close frame waits behind the backlog, and ws destroys the socket if the
      // client has not answered it within 30 s, so the backlog is bounded by the cap meanwhile.
      ws.close(SLOW_READER_CLOSE_CODE, `Reader too slow: over ${this.maxBufferedBytes} bytes unsent`);
    }
  }

  close(code: number, reason: string): void {
    this.ws.close(code, reason);
  }

  onMessage(cb: (data: string) => Promise<void>): void {
    // Not an async wrapper: graphql-ws's handler of a `subscribe` stays pending for the subscription's lifetime, and a
    // suspended wrapper held the message's read Buffer (and itself) as long (~0.4 KiB of heap per subscriber).
    const ws = this.ws;
    ws.on('message', (event) => void cb(String(event)).catch(() => closeOnError(ws)));
  }
}

/** An unexpected failure on a socket closes it with 4500 and no exception text. */
function closeOnError(ws: WebSocket): void {
  ws.close(CloseCode.InternalServerError, 'Internal server error');
}
