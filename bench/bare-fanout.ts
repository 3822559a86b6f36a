/**
 * The physical floor of a fan-out on this machine, for `npm run bench live` (issue 12): what writing one ~160-byte
 * message to each of N loopback TCP sockets costs a Node process that does nothing else. Two child processes: a
 * writer (this file, BARE_FANOUT_ROLE=writer) that accepts N connections and, per round, writes one shared Buffer to
 * every socket with `net.Socket.write` (yielding to the event loop every 1,000 sockets, as the gateway's fan-out
 * does), and a receiver (BARE_FANOUT_ROLE=reader) that opens the N connections (64 handshakes in flight: the listen
 * backlog drops bursts) and only counts bytes, reading with `onread` into one shared buffer. CPU per write is the
 * writer's process.cpuUsage() over the rounds, split user/system. On loopback the system time of a send includes
 * the receiving side's TCP processing (softirq, charged to the sender), so this is the floor the gateway's
 * "CPU/message" is compared with: no WebSocket, no GraphQL, no framing.
 */
import { fork } from 'node:child_process';
import { createServer, connect, type Socket, type AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';

/** Bytes of one message: the size of a graphql-ws `next` frame of the bench's rsvpChanged query. */
const MESSAGE_BYTES = 160;
const CHUNK = 1000;

export interface BareFanout {
  sockets: number;
  rounds: number;
  'CPU/write µs': number;
  'user µs': number;
  'system µs': number;
  'reader CPU/message µs': number;
}

/** Runs the writer and receiver as children: `rounds` fan-outs of one message to each of `sockets` sockets. */
export async function measureBareFanout(sockets: number, rounds = 10): Promise<BareFanout> {
  const self = fileURLToPath(import.meta.url);
  const spawn = (role: string) => fork(self, { env: { ...process.env, BARE_FANOUT_ROLE: role }, execArgv: ['--import', 'tsx'], stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  const writer = spawn('writer');
  const reader = spawn('reader');
  const next = (child: ReturnType<typeof fork>, op: string) =>
    new Promise<any>((resolve, reject) => {
      const on = (m: any) => {
        if (m.op !== op) return;
        child.off('message', on);
        child.off('exit', onExit);
        resolve(m);
      };
      const onExit = (code: number) => reject(new Error(`bare fan-out ${op}: child exited with ${code}`));
      child.on('message', on);
      child.once('exit', onExit);
    });
  try {
    const { port } = await next(writer, 'listening');
    const connected = next(writer, 'connected');
    writer.send({ op: 'expect-sockets', sockets });
    reader.send({ op: 'connect', port, sockets });
    await next(reader, 'connected');
    await connected;
    // One warm-up round (JIT), then the measured rounds, each awaited by the reader.
    const run = async (n: number) => {
      const got = next(reader, 'got');
      reader.send({ op: 'expect', bytes: n * sockets * MESSAGE_BYTES });
      writer.send({ op: 'write', rounds: n });
      return Promise.all([got, next(writer, 'written')]);
    };
    await run(1);
    const [r0, w0] = await Promise.all([(reader.send({ op: 'cpu' }), next(reader, 'cpu')), (writer.send({ op: 'cpu' }), next(writer, 'cpu'))]);
    await run(rounds);
    const [r1, w1] = await Promise.all([(reader.send({ op: 'cpu' }), next(reader, 'cpu')), (writer.send({ op: 'cpu' }), next(writer, 'cpu'))]);
    const messages = rounds * sockets;
    const round = (n: number) => Math.round(n * 10) / 10;
    return {
      sockets,
      rounds,
      'CPU/write µs': round((w1.user + w1.system - w0.user - w0.system) / messages),
      'user µs': round((w1.user - w0.user) / messages),
      'system µs': round((w1.system - w0.system) / messages),
      'reader CPU/message µs': round((r1.user + r1.system - r0.user - r0.system) / messages),
    };
  } finally {
    writer.kill();
    reader.kill();
  }
}

const role = process.env.BARE_FANOUT_ROLE;
const cpu = () => ({ op: 'cpu', ...process.cpuUsage() });

if (role === 'writer') {
  const message = Buffer.alloc(MESSAGE_BYTES, 'x');
  const sockets: Socket[] = [];
  let expected = Infinity;
  const server = createServer({ noDelay: true }, (socket) => {
    socket.on('error', () => {});
    sockets.push(socket);
    if (sockets.length === expected) process.send!({ op: 'connected' });
  });
  server.listen({ port: 0, host: '127.0.0.1', backlog: 1024 }, () => process.send!({ op: 'listening', port: (server.address() as AddressInfo).port }));
  process.on('message', async (m: { op: string; rounds?: number; sockets?: number }) => {
    if (m.op === 'cpu') process.send!(cpu());
    if (m.op === 'expect-sockets') {
      expected = m.sockets!;
      if (sockets.length === expected) process.send!({ op: 'connected' });
    }
    if (m.op === 'write') {
      for (let r = 0; r < m.rounds!; r++) {
        for (let i = 0; i < sockets.length; i++) {
          sockets[i]!.write(message);
          if ((i + 1) % CHUNK === 0) await new Promise((resolve) => setImmediate(resolve));
        }
        await new Promise((resolve) => setImmediate(resolve));
      }
      process.send!({ op: 'written' });
    }
  });
} else if (role === 'reader') {
  const shared = Buffer.allocUnsafe(64 * 1024);
  let received = 0;
  let waitFor = Infinity;
  const check = () => {
    if (received >= waitFor) {
      waitFor = Infinity;
      process.send!({ op: 'got' });
    }
  };
  process.on('message', async (m: { op: string; port?: number; sockets?: number; bytes?: number }) => {
    if (m.op === 'cpu') process.send!(cpu());
    if (m.op === 'expect') {
      waitFor = received + m.bytes!;
      check();
    }
    if (m.op === 'connect') {
      let opened = 0;
      const open = () =>
        new Promise<void>((resolve, reject) => {
          const socket = connect({
            port: m.port!,
            host: '127.0.0.1',
            onread: {
              buffer: shared,
              callback: (n: number) => {
                received += n;
                check();
                return true;
              },
            },
          });
          socket.once('connect', () => resolve());
          socket.once('error', reject);
        });
      const worker = async () => {
        while (opened < m.sockets!) {
          opened++;
          for (let attempt = 1; ; attempt++) {
            try {
              await open();
              break;
            } catch (err) {
              if (attempt >= 10) throw err;
              await new Promise((r) => setTimeout(r, 100 * attempt));
            }
          }
        }
      };
      await Promise.all(Array.from({ length: 64 }, worker));
      process.send!({ op: 'connected' });
    }
  });
}

if (!role && import.meta.url === `file://${process.argv[1]}`) {
  // `npx tsx bench/bare-fanout.ts [sockets]`: the floor alone.
  console.table([await measureBareFanout(Number(process.argv[2] ?? 10_000))]);
  process.exit(0);
}
