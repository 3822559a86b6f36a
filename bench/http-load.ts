/**
 * The ingest benchmark's load generator, light enough not to be what it measures (as wrk is): every request is
 * built before the clock starts (raw HTTP/1.1 bytes, one Buffer each), written over a few keep-alive net.Sockets,
 * `depth` in flight on each (HTTP/1.1 pipelining: the next request goes out as soon as an answer completes, several
 * in one write when several answers completed in one read), and of each answer only the status line and
 * Content-Length are read, to find where the next answer starts; bodies are skipped unread.
 * An answer without Content-Length (chunked) is not understood and fails the run: every server measured sends one.
 * Why not undici's request(): at 16 in flight it cost the bench process ~150 µs of CPU per webhook on the same two
 * cores as the server (a Promise, a body stream, header objects per request), so the client, not the server, was
 * the wall-clock ceiling (issue 12).
 */
import { connect, type Socket } from 'node:net';

export interface LoadOptions {
  /** Keep-alive connections. */
  connections: number;
  /** Requests in flight on each connection (1 = no pipelining). */
  depth: number;
}

export interface LoadRun {
  seconds: number;
  /** How many answers had each status. */
  statuses: Record<number, number>;
  /** This process's CPU (user + system) over the run, µs: the client's cost. */
  clientCpuUs: number;
}

/** POST `bodies` to `url` (a full URL with the path), each once, and wait for every answer. */
export async function postAll(url: string, bodies: readonly (string | Buffer)[], options: LoadOptions): Promise<LoadRun> {
  const { hostname, port, pathname, search } = new URL(url);
  const head = `POST ${pathname}${search} HTTP/1.1\r\nhost: ${hostname}:${port}\r\ncontent-type: application/jwt\r\n`;
  const requests = bodies.map((b) => {
    const body = typeof b === 'string' ? Buffer.from(b, 'latin1') : b;
    return Buffer.concat([Buffer.from(`${head}content-length: ${body.length}\r\n\r\n`, 'latin1'), body]);
  });
  const sockets = await Promise.all(Array.from({ length: options.connections }, () => open(hostname, Number(port))));
  const statuses: Record<number, number> = {};
  let next = 0;
  const cpuBefore = process.cpuUsage();
  const started = performance.now();
  try {
    await Promise.all(sockets.map((socket) => drive(socket, requests, () => (next < requests.length ? next++ : -1), options.depth, statuses)));
  } finally {
    for (const s of sockets) s.destroy();
  }
  const seconds = (performance.now() - started) / 1000;
  const cpu = process.cpuUsage(cpuBefore);
  return { seconds, statuses, clientCpuUs: cpu.user + cpu.system };
}

// Private helpers

function open(host: string, port: number): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host, port, noDelay: true });
    socket.once('connect', () => resolve(socket));
    socket.once('error', reject);
  });
}

const CRLFCRLF = Buffer.from('\r\n\r\n');

/** One connection: keep `depth` requests out, take the next index from `take` (-1: none left) as answers come in. */
function drive(socket: Socket, requests: Buffer[], take: () => number, depth: number, statuses: Record<number, number>): Promise<void> {
  return new Promise((resolve, reject) => {
    let inFlight = 0;
    let pending: Buffer | undefined;
    const send = (max: number) => {
      const out: Buffer[] = [];
      for (let i; out.length < max && (i = take()) !== -1; ) out.push(requests[i]!);
      if (out.length === 0) return;
      inFlight += out.length;
      socket.write(out.length === 1 ? out[0]! : Buffer.concat(out));
    };
    socket.on('error', reject);
    socket.on('close', () => reject(new Error(`connection closed with ${inFlight} requests unanswered`)));
    socket.on('data', (chunk: Buffer) => {
      let buf = pending ? Buffer.concat([pending, chunk]) : chunk;
      let done = 0;
      for (;;) {
        const end = buf.indexOf(CRLFCRLF);
        if (end === -1) break;
        const head = buf.toString("latin1", 0, end);
        const length = contentLength(head);
        if (length === undefined) return reject(new Error(`answer without content-length: ${head.split('\r\n')[0]}`));
        const size = end + 4 + length;
        if (buf.length < size) break;
        const status = Number(head.slice(9, 12));
        statuses[status] = (statuses[status] ?? 0) + 1;
        done++;
        buf = buf.subarray(size);
      }
      pending = buf.length ? buf : undefined;
      inFlight -= done;
      if (done) send(done);
      if (inFlight === 0) resolve();
    });
    send(depth);
    if (inFlight === 0) resolve();
  });
}

function contentLength(head: string): number | undefined {
  const at = head.search(/\r\ncontent-length:/i);
  if (at === -1) return undefined;
  return Number.parseInt(head.slice(at + 17, head.indexOf('\r\n', at + 17) >>> 0), 10);
}
