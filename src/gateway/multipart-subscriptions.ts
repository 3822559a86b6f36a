/**
 * Subscriptions over multipart HTTP as Apollo Client speaks it (Apollo's "multipart HTTP protocol for GraphQL
 * subscriptions", `Accept: multipart/mixed;subscriptionSpec="1.0"`): one part per event, `{"payload": <result>}`;
 * `{}` every HEARTBEAT_MS so proxies keep the connection and the client notices a dead one; a transport error as
 * `{"payload": null, "errors": [...]}`; the closing boundary when the subscription ends. Yoga's own multipart
 * (incremental delivery, for @defer/@stream) stays as it is for every other multipart/mixed request.
 */
import type { ExecutionResult } from 'graphql';
import type { Plugin } from 'graphql-yoga';

const HEARTBEAT_MS = 5_000;
const BOUNDARY = 'graphql';

export function useMultipartSubscriptions(options: { heartbeatMs?: number } = {}): Plugin {
  const heartbeatMs = options.heartbeatMs ?? HEARTBEAT_MS;
  return {
    onResultProcess({ request, result, setResultProcessor }) {
      const accept = request.headers.get('accept') ?? '';
      if (!/multipart\/mixed[^,]*subscriptionSpec=/i.test(accept)) return;
      if (!isAsyncIterable(result)) return; // a query or a refused subscription: an ordinary JSON answer
      setResultProcessor((input, fetchAPI) => respond(input as AsyncIterable<ExecutionResult>, fetchAPI, heartbeatMs), 'multipart/mixed');
    },
  };
}

function respond(result: AsyncIterable<ExecutionResult>, fetchAPI: { ReadableStream: typeof ReadableStream; Response: typeof Response }, heartbeatMs: number): Response {
  const encoder = new TextEncoder();
  const part = (json: string) => encoder.encode(`\r\n--${BOUNDARY}\r\ncontent-type: application/json; charset=utf-8\r\n\r\n${json}`);
  const iterator = result[Symbol.asyncIterator]();
  let heartbeat: NodeJS.Timeout | undefined;
  let closed = false;
  const stream = new fetchAPI.ReadableStream<Uint8Array>({
    start(controller) {
      // The first heartbeat goes out at once, so the client sees the subscription accepted before any event.
      controller.enqueue(part('{}'));
      heartbeat = setInterval(() => {
        if (!closed) controller.enqueue(part('{}'));
      }, heartbeatMs);
      heartbeat.unref();
    },
    async pull(controller) {
      try {
        const { done, value } = await iterator.next();
        if (closed) return;
        if (done) {
          finish();
          controller.enqueue(encoder.encode(`\r\n--${BOUNDARY}--\r\n`));
          controller.close();
          return;
        }
        controller.enqueue(part(JSON.stringify({ payload: { data: value.data ?? null, ...(value.errors ? { errors: value.errors } : {}) } })));
      } catch (err) {
        if (closed) return;
        finish();
        const message = 'The subscription stopped on the server.';
        controller.enqueue(part(JSON.stringify({ payload: null, errors: [{ message, extensions: { code: 'SUBSCRIPTION_ENDED' } }] })));
        controller.enqueue(encoder.encode(`\r\n--${BOUNDARY}--\r\n`));
        controller.close();
        void err;
      }
    },
    async cancel() {
      // The client went away: stop the subscription so it no longer holds a listener (and a live_subscribers count).
      finish();
      await iterator.return?.();
    },
  });
  function finish() {
    closed = true;
    clearInterval(heartbeat);
  }
  return new fetchAPI.Response(stream, {
    status: 200,
    headers: {
      'content-type': `multipart/mixed;boundary="${BOUNDARY}";subscriptionSpec="1.0"`,
      'cache-control': 'no-cache',
      connection: 'keep-alive',
    },
  });
}

function isAsyncIterable(value: unknown): value is AsyncIterable<unknown> {
  return typeof value === 'object' && value !== null && Symbol.asyncIterator in value;
}
