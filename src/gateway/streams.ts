/**
 * SSE (and any other HTTP stream of results) for a client that stops reading. Node's response respects backpressure,
 * so a stalled reader stops pulling and the subscription's events pile up behind it, unbounded. Here the stream is
 * read eagerly into a queue measured in serialized bytes; past STREAM_MAX_BUFFERED_BYTES the backlog is dropped,
 * the source is closed, and the client, when it reads again, gets one SLOW_CONSUMER error and the end of the stream.
 * graphql-ws has the same bound on its socket buffer (ws-server.ts).
 */
import { GraphQLError, type ExecutionResult } from 'graphql';
import { isAsyncIterable, type Plugin } from 'graphql-yoga';
import type { GatewayConfig } from './config.js';

export function useBoundedStreams(config: GatewayConfig): Plugin {
  return {
    onResultProcess({ result, setResult }) {
      if (isAsyncIterable(result)) setResult(boundedStream(result as AsyncIterable<ExecutionResult>, config.streamMaxBufferedBytes));
    },
  };
}

export function boundedStream(source: AsyncIterable<ExecutionResult>, maxBytes: number): AsyncIterableIterator<ExecutionResult> {
  const iterator = source[Symbol.asyncIterator]();
  const queue: { value: ExecutionResult; bytes: number }[] = [];
  let queued = 0;
  let finished = false;
  let failure: unknown;
  let wake: (() => void) | null = null;
  const notify = () => {
    wake?.();
    wake = null;
  };

  void (async () => {
    try {
      while (!finished) {
        const next = await iterator.next();
        if (next.done || finished) break;
        const bytes = JSON.stringify(next.value).length;
        queue.push({ value: next.value, bytes });
        queued += bytes;
        if (queued > maxBytes) {
          queue.length = 0;
          queued = 0;
          queue.push({ value: { errors: [slowConsumer(maxBytes)] }, bytes: 0 });
          finished = true;
          void iterator.return?.();
        }
        notify();
      }
    } catch (err) {
      failure = err;
    } finally {
      finished = true;
      notify();
    }
  })();

  const stream: AsyncIterableIterator<ExecutionResult> = {
    async next() {
      while (!queue.length && !finished) await new Promise<void>((resolve) => (wake = resolve));
      const item = queue.shift();
      if (item) {
        queued -= item.bytes;
        return { value: item.value, done: false };
      }
      if (failure) throw failure;
      return { value: undefined, done: true };
    },
    async return() {
      finished = true;
      queue.length = 0;
      notify();
      await iterator.return?.();
      return { value: undefined, done: true };
    },
    [Symbol.asyncIterator]() {
      return stream;
    },
  };
  return stream;
}

function slowConsumer(maxBytes: number): GraphQLError {
  return new GraphQLError(`The stream was closed: the client read too slowly, over ${maxBytes} bytes unsent (STREAM_MAX_BUFFERED_BYTES).`, {
    extensions: { code: 'SLOW_CONSUMER', limit: maxBytes },
  });
}
