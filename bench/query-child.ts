/**
 * One process of the query benchmark (bench/query.ts starts each over IPC, so each one's CPU time is its own):
 *   sandbox <names…>  the sandbox, plus one byte-counting TCP proxy per system in front of it, so the upstream
 *                     bytes each system reads are counted without touching its code (Mesh's included);
 *   gateway <url>     this gateway, in the configuration `npm start` serves (NODE_ENV from the parent);
 *   handwritten <url> the hand-written undici join (bench/handwritten.ts).
 * Sends {ready: …} once listening; answers {id, cmd: 'bytes'} (the proxies' byte counts) and, in the gateway,
 * {id, cmd: 'profile-start' | 'profile-stop', file} (a CPU profile written to file).
 */
import { writeFileSync } from 'node:fs';
import { Session } from 'node:inspector/promises';
import { createConnection, createServer, type AddressInfo } from 'node:net';
import { DEFAULT_CONFIG } from '../src/gateway/config.js';
import { createGateway } from '../src/gateway/gateway.js';
import { createSandbox } from '../src/sandbox/sandbox.js';
import { startHandwritten } from './handwritten.js';

const [role, ...args] = process.argv.slice(2);
const send = (msg: unknown) => process.send!(msg);

if (role === 'sandbox') {
  const sandbox = await createSandbox({ port: 0 });
  const target = new URL(sandbox.url);
  const bytes: Record<string, number> = {};
  const proxies: Record<string, string> = {};
  for (const name of args) {
    bytes[name] = 0;
    const server = createServer((client) => {
      const upstream = createConnection(Number(target.port), target.hostname);
      upstream.on('data', (chunk: Buffer) => {
        bytes[name]! += chunk.length;
      });
      client.pipe(upstream).pipe(client);
      const close = () => {
        client.destroy();
        upstream.destroy();
      };
      client.on('error', close).on('close', close);
      upstream.on('error', close).on('close', close);
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    proxies[name] = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  }
  process.on('message', (msg: { id: number; cmd: string }) => {
    if (msg.cmd === 'bytes') send({ id: msg.id, result: { ...bytes } });
  });
  send({ ready: { url: sandbox.url, proxies } });
} else if (role === 'gateway') {
  const config = { ...DEFAULT_CONFIG, upstreamUrl: args[0]!, logLevel: 'silent' as const, graphiql: false, development: process.env.NODE_ENV === 'development' };
  const gateway = await createGateway(config);
  // --profile: a CPU profile of the measured rounds only (after warm-up), not of start-up.
  const session = new Session();
  process.on('message', async (msg: { id: number; cmd: string; file?: string }) => {
    if (msg.cmd === 'profile-start') {
      session.connect();
      await session.post('Profiler.enable');
      await session.post('Profiler.start');
      send({ id: msg.id, result: true });
    } else if (msg.cmd === 'profile-stop') {
      const { profile } = await session.post('Profiler.stop');
      writeFileSync(msg.file!, JSON.stringify(profile));
      session.disconnect();
      send({ id: msg.id, result: msg.file });
    }
  });
  send({ ready: { url: `${await gateway.start(0, '127.0.0.1')}/graphql` } });
} else if (role === 'handwritten') {
  const hw = await startHandwritten(args[0]!);
  send({ ready: { url: `${hw.url}/graphql` } });
} else {
  console.error(`query-child: unknown role ${role}`);
  process.exit(2);
}
// A normal exit, so `--cpu-prof` (bench query --profile) writes its profile.
process.on('disconnect', () => process.exit(0));
process.on('SIGTERM', () => process.exit(0));
