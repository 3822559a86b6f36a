/**
 * `npm run bench live [--quick|--full]`: live updates at scale on ONE gateway process (a child process, so its
 * CPU and RSS are its own), fed by signed webhooks POSTed to /webhooks/wix, with rsvpChanged subscribers of one
 * event in separate client processes (bench/live-client.ts, a minimal WebSocket client), one WebSocket per subscriber.
 *   --quick: 1,000 subscribers · default: 1,000 and 10,000 · --full: 1,000, 10,000 and 20,000 · --ingest: only the
 *   verified-webhook ingest below, on a gateway nobody subscribes to · --live-queries: only the @live latency below
 *   (add --sse for live queries over SSE instead of graphql-ws) · --size=N: N subscribers only · --fanout: the fan-out
 *   sizes only (no @live, ingest or counter measurements) · --ws-client: the `ws`-based client (bench/live-ws-client.ts)
 *   instead of the minimal one (bench/live-client.ts, see its header) · --clients=minimal,ws: each size with both ·
 *   --ab=<checkout> [--rounds=N]: each size also on another checkout's gateway, alternating (A/B in one run).
 * Each gateway child runs with the node flags of its checkout's `npm run serve` (GATEWAY_NODE_FLAGS), as deployed.
 * For each size, on a fresh gateway: RSS per subscriber idle (after a GC, over the RSS before anyone connected),
 * 10 webhooks one after another (each waits until every subscriber has it): webhook -> client p50/p99 (from just
 * before the POST to the client's arrival), the webhook's own HTTP answer time, gateway CPU per webhook and per
 * delivered message (process.cpuUsage() of the gateway over the 10 fan-outs), peak RSS during them (sampled every
 * 5 ms) against idle, every message counted; then every client disconnects at once and RSS is read again; beside it
 * the floor (bench/bare-fanout.ts): CPU per ~160-byte net.Socket write to as many loopback sockets. Last,
 * verified-webhook ingest: 2,000 warm-up then 6,000 measured pre-signed webhooks with distinct ids, sent by
 * bench/http-load.ts (raw HTTP/1.1, 4 keep-alive connections × 4 pipelined), on the 1,000-size gateway after its
 * clients left (--ingest: a fresh one): webhooks/second, gateway and client CPU per webhook, against a bare node:http
 * server with and without the RS256 verify on the same client (measureIngest; --against=<checkout> adds that
 * checkout's gateway, measured in alternation).
 * The machine allows 20,000 file descriptors per process (hard limit), so at 20,000 subscribers the gateway holds
 * 19,000 sockets and 1,000 of them carry two subscriptions; below that every subscriber has its own socket.
 * @live: 1,000 live queries on the gateway receiving the webhooks and (with REDIS_URL) 1,000 on a second replica,
 * webhook -> pushed result p50/p99 on each (measureLiveQueries).
 * Also (from before): upstream re-reads per burst of 100 check-ins with 50 checkInCounter subscribers.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { resolve as resolvePath } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Agent, request } from 'undici';
import { exportSPKI, generateKeyPair, SignJWT, type CryptoKey } from 'jose';
import { createSandbox } from '../src/sandbox/sandbox.js';
import { postAll } from './http-load.js';
import { createRsvp, upstreamCount, wsClient } from '../test/support/live.js';
import { startStack } from '../test/support/stack.js';
import { measureBareFanout } from './bare-fanout.js';
import { deployedFlags } from './deployed-flags.js';

const SOCKET_LIMIT = 19_000;
const CLIENT_SOCKETS_PER_PROCESS = 5_000;
const WEBHOOKS = 10;
const INGEST = 6_000;
/** Webhooks each server takes before the measured ones (JIT: V8 still compiles in the background after a few hundred). */
const INGEST_WARM = 2_000;
const INGEST_IN_FLIGHT = 16;
/** The light client's shape (bench/http-load.ts): connections × pipelined requests on each = in flight. */
const INGEST_CONNECTIONS = 4;
const INGEST_DEPTH = 4;
const COUNTER_SUBSCRIBERS = 50;
const BURST = 100;
const QUERY = 'subscription ($e: ID!) { rsvpChanged(eventId: $e) { kind rsvpId rsvp { status } } }';
/** `@live` queries held open while webhooks touching their event arrive (on the replica that gets them, and another). */
const LIVE_QUERIES = 1_000;
const LIVE_QUERY = 'query ($e: ID!) @live { event(id: $e) { id title } }';
/** Webhooks in the `@live` measurement (one after another, each awaited by every live query). */
const LIVE_WEBHOOKS = 20;

export async function run(): Promise<object> {
  const argv = process.argv;
  const ingestOnly = argv.includes('--ingest');
  const liveOnly = argv.includes('--live-queries');
  const only = argv.find((a) => a.startsWith('--size='));
  const fanoutOnly = argv.includes('--fanout');
  const sizes = ingestOnly || liveOnly ? [] : only ? [Number(only.slice('--size='.length))] : argv.includes('--full') ? [1_000, 10_000, 20_000] : argv.includes('--quick') ? [1_000] : [1_000, 10_000];
  const sandbox = await createSandbox({ port: 0, seed: 1 });
  const sandboxUrl = sandbox.url.replace(/\/+$/, '');
  const token = sandbox.demoToken;
  const { privateKey, publicKey } = await generateKeyPair('RS256');
  const publicPem = await exportSPKI(publicKey);
  const info = await (await fetch(`${sandboxUrl}/oauth2/token-info`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ token }) })).json();
  const instanceId: string = info.instanceId ?? info.siteId;
  const events = await (await fetch(`${sandboxUrl}/events/v3/events/query`, { method: 'POST', headers: { authorization: token, 'content-type': 'application/json' }, body: JSON.stringify({ query: { paging: { limit: 100 } }, fields: ['REGISTRATION'] }) })).json();
  const eventId: string = events.events.find((e: any) => e.registration?.type === 'RSVP' && ['UPCOMING', 'STARTED'].includes(e.status)).id;
  const sign = (tag: string) => signWebhook(privateKey, instanceId, eventId, tag);
  const env: NodeJS.ProcessEnv = { ...process.env, PORT: '0', HOST: '127.0.0.1', UPSTREAM_URL: sandboxUrl, WIX_WEBHOOK_PUBLIC_KEY: publicPem, LOG_LEVEL: 'error', GRAPHIQL: 'false' };
  // A Redis of its own per run (keys and stream under a fresh prefix): other runs on the same Redis, with the same
  // sandbox site, would otherwise feed this run's gateways their webhooks and share its de-duplication state.
  if (env.REDIS_URL && !env.REDIS_PREFIX) env.REDIS_PREFIX = `bench-live-${process.pid}-${Date.now().toString(36)}:`;

  const rows: Record<string, object> = {};
  let ingest: object = {};
  let liveQueries: object = {};
  try {
    if (!ingestOnly && !fanoutOnly) liveQueries = await measureLiveQueries(env, token, eventId, sign);
    if (ingestOnly) {
      const gateway = await startGateway(env);
      try {
        if ((await postWebhook(gateway.url, await sign('warm'))) !== 200) throw new Error('warm-up webhook refused');
        ingest = await measureIngest(gateway, sign, env);
      } finally {
        gateway.child.send({ op: 'exit' });
        await new Promise((r) => gateway.child.once('exit', r));
      }
    }
    // --ws-client: the `ws`-based bench client instead of the minimal one; --clients=ws,minimal (any order): each
    // size with each client in turn, on a fresh gateway each, in this run.
    const clientsFlag = argv.find((a) => a.startsWith('--clients='))?.slice('--clients='.length).split(',');
    const fanoutClients = (clientsFlag ?? [argv.includes('--ws-client') ? 'ws' : 'minimal']) as FanoutClient[];
    for (const c of fanoutClients) if (!(c in CLIENT_SCRIPTS)) throw new Error(`--clients: expected ws or minimal, got ${c}`);
    // --ab=<checkout>: each size also on that checkout's gateway (its bench/live-gateway.ts and src/), this one
    // first; --rounds=N repeats the pair N times, the order swapped every other round.
    const ab = argv.find((a) => a.startsWith('--ab='))?.slice('--ab='.length);
    const rounds = Number(argv.find((a) => a.startsWith('--rounds='))?.slice('--rounds='.length) ?? 1);
    const variants = Array.from({ length: ab ? rounds : 1 }, (_, r) => {
      const pair = [{ name: 'this', script: './live-gateway.ts' }, ...(ab ? [{ name: 'ab', script: resolvePath(ab, 'bench/live-gateway.ts') }] : [])];
      return (r % 2 ? pair.reverse() : pair).map((v) => ({ ...v, round: r + 1 }));
    }).flat();
    for (const size of sizes) {
      for (const clientKind of fanoutClients) {
        for (const variant of variants) {
          const key = [size, fanoutClients.length > 1 ? `${clientKind} client` : '', ab ? `${variant.name} #${variant.round}` : ''].filter(Boolean).join(' · ');
          const gateway = await startGateway(env, variant.script);
          try {
            rows[key] = { gateway: variant.name, ...(await scale(gateway, size, token, eventId, sign, clientKind)) };
            if (size === sizes[0] && clientKind === fanoutClients[0] && variant === variants[0] && !fanoutOnly) ingest = await measureIngest(gateway, sign, env);
          } finally {
            gateway.child.send({ op: 'exit' });
            await new Promise((r) => gateway.child.once('exit', r));
          }
          // The floor beside it: the same number of sockets, one ~160-byte write each, from a process doing nothing else.
          const bare = await measureBareFanout(Math.min(size, SOCKET_LIMIT), WEBHOOKS);
          rows[key] = { ...rows[key], 'bare net.Socket write CPU/message µs': bare['CPU/write µs'], 'bare user µs': bare['user µs'], 'bare system µs': bare['system µs'], 'bare reader CPU/message µs': bare['reader CPU/message µs'] };
          // Printed as each size finishes, so a long --full run shows its figures as it goes.
          console.log(JSON.stringify({ subscribers: size, ...rows[key] }));
        }
      }
    }
  } finally {
    await sandbox.stop();
  }
  console.log(`gateway transport: ${env.REDIS_URL ? 'Redis' : 'in-process'} · load average at the end ${(await import('node:os')).loadavg().map((l) => l.toFixed(1)).join(' ')}`);
  console.table(rows);
  console.table([ingest]);
  console.table(liveQueries);
  if (ingestOnly || liveOnly) return { transport: env.REDIS_URL ? 'redis' : 'memory', ingest, liveQueries };
  if (fanoutOnly) return { transport: env.REDIS_URL ? 'redis' : 'memory', query: QUERY, sizes: rows, loadavg: (await import('node:os')).loadavg() };
  const counters = await counterBurst();
  return { transport: env.REDIS_URL ? 'redis' : 'memory', query: QUERY, sizes: rows, ingest, liveQuery: LIVE_QUERY, liveQueries, counters };
}

interface GatewayChild {
  child: ChildProcess;
  url: string;
  ask(op: 'stats' | 'gc' | 'sample' | 'unsample' | 'profile' | 'unprofile'): Promise<{ cpuUs: number; userUs: number; systemUs: number; rss: number; peak: number; connections: number }>;
}

async function startGateway(env: NodeJS.ProcessEnv, script = './live-gateway.ts'): Promise<GatewayChild> {
  const file = fileURLToPath(new URL(script, import.meta.url));
  const child = fork(file, {
    env,
    // A gateway child runs with its checkout's flags, as deployed (the bare server has none).
    execArgv: ['--import', 'tsx', '--expose-gc', ...(file.endsWith('live-gateway.ts') ? await deployedFlags(resolvePath(file, '../..')) : [])],
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  const url = await new Promise<string>((resolve, reject) => {
    child.once('message', (m: any) => resolve(m.url));
    child.once('exit', (code) => reject(new Error(`bench gateway exited with ${code}`)));
  });
  const ask = (op: string) =>
    new Promise<any>((resolve) => {
      const on = (m: any) => {
        if (m.op !== op) return;
        child.off('message', on);
        resolve(m);
      };
      child.on('message', on);
      child.send({ op });
    });
  return { child, url, ask };
}

interface Clients {
  expect(tag: string): Promise<void>;
  arrivals(): Promise<{ arrivals: Record<string, number[]>; errors: number }>;
  /** CPU µs used so far by all client processes together (user + system, and user alone). */
  cpu(): Promise<{ cpuUs: number; userUs: number }>;
  close(): Promise<void>;
}

/** The fan-out's client processes: the minimal WebSocket client (bench/live-client.ts) or the `ws`-based one. */
type FanoutClient = 'minimal' | 'ws';
const CLIENT_SCRIPTS: Record<FanoutClient, string> = { minimal: './live-client.ts', ws: './live-ws-client.ts' };

async function startClients(url: string, token: string, eventId: string, subscribers: number, query = QUERY, tagBy: 'rsvpId' | 'count' = 'rsvpId', client = CLIENT_SCRIPTS[process.argv.includes('--ws-client') ? 'ws' : 'minimal']): Promise<Clients> {
  const sockets = Math.min(subscribers, SOCKET_LIMIT);
  const processes = Math.ceil(sockets / CLIENT_SOCKETS_PER_PROCESS);
  const children = Array.from({ length: processes }, () =>
    fork(fileURLToPath(new URL(client, import.meta.url)), { execArgv: ['--import', 'tsx'], stdio: ['ignore', 'inherit', 'inherit', 'ipc'] }),
  );
  const share = (total: number, i: number) => Math.floor(total / processes) + (i < total % processes ? 1 : 0);
  const reply = (child: ChildProcess, op: string, match: (m: any) => boolean = () => true) =>
    new Promise<any>((resolve) => {
      const on = (m: any) => {
        if (m.op !== op || !match(m)) return;
        child.off('message', on);
        resolve(m);
      };
      child.on('message', on);
    });
  /** Sends `op` to every client process and waits for each one's answer. */
  const askAll = (op: 'cpu' | 'arrivals') =>
    Promise.all(
      children.map((child) => {
        const got = reply(child, op);
        child.send({ op });
        return got;
      }),
    );
  await Promise.all(
    children.map((child, i) => {
      const started = reply(child, 'started');
      child.send({ op: 'start', url: `${url.replace(/^http/, 'ws')}/graphql`, token, sockets: share(sockets, i), subscriptions: share(subscribers, i), query, variables: { e: eventId }, tagBy });
      return started;
    }),
  );
  return {
    async expect(tag) {
      await Promise.all(
        children.map((child) => {
          const seen = reply(child, 'seen', (m) => m.tag === tag);
          child.send({ op: 'expect', tag });
          return seen;
        }),
      );
    },
    async cpu() {
      const all = await askAll('cpu');
      return { cpuUs: all.reduce((n, a) => n + a.cpuUs, 0), userUs: all.reduce((n, a) => n + (a.userUs ?? NaN), 0) };
    },
    async arrivals() {
      const all = await askAll('arrivals');
      const arrivals: Record<string, number[]> = {};
      for (const a of all) for (const [tag, list] of Object.entries(a.arrivals as Record<string, number[]>)) (arrivals[tag] ??= []).push(...list);
      return { arrivals, errors: all.reduce((n, a) => n + a.errors, 0) };
    },
    async close() {
      await Promise.all(
        children.map((child) => {
          const closed = reply(child, 'closed');
          child.send({ op: 'close' });
          return closed;
        }),
      );
      for (const child of children) child.kill();
    },
  };
}

const upstreamAgent = new Agent({ connections: INGEST_IN_FLIGHT, pipelining: 1 });

async function postWebhook(url: string, jwt: string): Promise<number> {
  const res = await request(`${url}/webhooks/wix`, { method: 'POST', body: jwt, dispatcher: upstreamAgent });
  await res.body.text();
  return res.statusCode;
}

async function scale(gateway: GatewayChild, subscribers: number, token: string, eventId: string, sign: (tag: string) => Promise<string>, clientKind: FanoutClient) {
  const MiB = 1024 * 1024;
  // Warm the gateway's webhook path (key import, JIT) before the baseline.
  if ((await postWebhook(gateway.url, await sign('warm'))) !== 200) throw new Error('warm-up webhook refused');
  await gateway.ask('gc');
  const base = await gateway.ask('stats');

  const connectStarted = performance.now();
  const clients = await startClients(gateway.url, token, eventId, subscribers, QUERY, 'rsvpId', CLIENT_SCRIPTS[clientKind]);
  // Barrier: probes until every subscription has one (a subscribe message is registered asynchronously).
  for (let probe = 0; ; probe++) {
    const tag = `probe-${probe}`;
    await postWebhook(gateway.url, await sign(tag));
    const done = await Promise.race([clients.expect(tag).then(() => true), new Promise<boolean>((r) => setTimeout(() => r(false), 2_000))]);
    if (done) break;
    if (probe > 30) throw new Error('subscribers never all registered');
  }
  const connectS = (performance.now() - connectStarted) / 1000;
  await gateway.ask('gc');
  const idle = await gateway.ask('stats');

  const jwts = await Promise.all(Array.from({ length: WEBHOOKS }, (_, i) => sign(`hook-${i}`)));
  const sentAt: number[] = [];
  const answers: number[] = [];
  await gateway.ask('sample');
  const before = await gateway.ask('stats');
  const clientsBefore = await clients.cpu();
  for (let i = 0; i < WEBHOOKS; i++) {
    const seen = clients.expect(`hook-${i}`);
    sentAt[i] = performance.timeOrigin + performance.now();
    const status = await postWebhook(gateway.url, jwts[i]);
    answers.push(performance.timeOrigin + performance.now() - sentAt[i]);
    if (status !== 200) throw new Error(`webhook answered ${status}`);
    await seen;
  }
  const after = await gateway.ask('unsample');
  const clientsAfter = await clients.cpu();
  const clientCpuUs = clientsAfter.cpuUs - clientsBefore.cpuUs;
  const { arrivals, errors } = await clients.arrivals();
  const latencies: number[] = [];
  let delivered = 0;
  for (let i = 0; i < WEBHOOKS; i++) {
    for (const at of arrivals[`hook-${i}`] ?? []) latencies.push(at - sentAt[i]);
    delivered += arrivals[`hook-${i}`]?.length ?? 0;
  }
  const cpuUs = after.cpuUs - before.cpuUs;

  await clients.close();
  while ((await gateway.ask('stats')).connections > 0) await new Promise((r) => setTimeout(r, 50));
  const disconnected = await gateway.ask('stats');

  return {
    client: clientKind,
    sockets: Math.min(subscribers, SOCKET_LIMIT),
    'connect s': round(connectS),
    'RSS idle MiB': round(idle.rss / MiB),
    'KiB/subscriber idle': round((idle.rss - base.rss) / 1024 / subscribers),
    'peak RSS fan-out MiB': round(after.peak / MiB),
    'fan-out vs idle %': round(((after.peak - idle.rss) / idle.rss) * 100),
    'KiB/subscriber fan-out': round((after.peak - base.rss) / 1024 / subscribers),
    'p50 ms': round(percentile(latencies, 50)),
    'p99 ms': round(percentile(latencies, 99)),
    'answer p50 ms': round(percentile(answers, 50)),
    'answer max ms': round(Math.max(...answers)),
    'CPU/webhook ms': round(cpuUs / WEBHOOKS / 1000),
    'CPU/message µs': round(cpuUs / delivered),
    // The split: system time is mostly the kernel's socket writes (on loopback, the receiving side's TCP work too).
    'CPU/message user µs': round((after.userUs - before.userUs) / delivered),
    'CPU/message system µs': round((after.systemUs - before.systemUs) / delivered),
    // The client processes share the gateway's two cores: their CPU is part of what the latency waits on.
    'client CPU/message µs': round(clientCpuUs / delivered),
    'client CPU/message user µs': round((clientsAfter.userUs - clientsBefore.userUs) / delivered),
    delivered: `${delivered}/${WEBHOOKS * subscribers}`,
    'client errors': errors,
    'RSS after disconnect MiB': round(disconnected.rss / MiB),
    'disconnect vs idle %': round(((disconnected.rss - idle.rss) / idle.rss) * 100),
  };
}

/**
 * INGEST distinct pre-signed webhooks on the gateway, sent by bench/http-load.ts (pre-built raw HTTP/1.1 requests,
 * INGEST_CONNECTIONS keep-alive sockets with INGEST_DEPTH pipelined on each: INGEST_CONNECTIONS × INGEST_DEPTH in
 * flight); and the same JWTs, same client, in the same run, on two ceilings (bench/bare-http.ts): a bare node:http
 * server that only reads the body and answers fixed JSON, and the same plus the RS256 verify. Server CPU is each
 * server process's own (process.cpuUsage()); client CPU is this process's over the run (the sandbox is idle then).
 * `--ingest-client=undici` drives all three with undici's request() instead (what this bench used before), to show
 * what the client itself costs; `--connections=N --depth=D` change the load's shape.
 */
async function measureIngest(gateway: GatewayChild, sign: (tag: string) => Promise<string>, env: NodeJS.ProcessEnv) {
  const jwts = await Promise.all(Array.from({ length: INGEST }, (_, i) => sign(`ingest-${i}`)));
  const load = ingestLoad();
  const bare = await baseline(env, jwts, false, load);
  const verified = await baseline(env, jwts, true, load);
  // --against=<checkout>: that checkout's gateway (its bench/live-gateway.ts and src/) beside this one, each warmed,
  // then measured in alternating halves (this, that, this, that) so both see the same machine load.
  const againstDir = process.argv.find((a) => a.startsWith('--against='))?.slice('--against='.length);
  const against = againstDir ? await startGateway({ ...env, REDIS_PREFIX: env.REDIS_PREFIX ? `${env.REDIS_PREFIX}against:` : undefined }, `${againstDir.replace(/\/+$/, '')}/bench/live-gateway.ts`) : undefined;
  try {
    // Warm-up (JIT) on the same client, with ids of their own: the measured webhooks are all new to each gateway.
    const warm = await Promise.all(Array.from({ length: INGEST_WARM }, (_, i) => sign(`ingest-warm-${i}`)));
    await driveIngest(gateway, warm, load);
    if (against) await driveIngest(against, warm, load);
    await gateway.ask('profile');
    const halves = [jwts.slice(0, INGEST / 2), jwts.slice(INGEST / 2)];
    const runs: IngestRun[] = [];
    const againstRuns: IngestRun[] = [];
    for (const half of halves) {
      runs.push(await driveIngest(gateway, half, load));
      if (against) againstRuns.push(await driveIngest(against, half, load));
    }
    await gateway.ask('unprofile');
    const run = sumRuns(runs);
    const before = against ? sumRuns(againstRuns) : undefined;
    const row = (r: IngestRun) => ({
      'webhooks/s (wall, client on the same cores)': Math.round(INGEST / r.seconds),
      'CPU/webhook µs': Math.round(r.cpuUs),
      'webhooks per CPU second': Math.round(1e6 / r.cpuUs),
      'CPU vs bare': round(r.cpuUs / bare.cpuUs),
      'client CPU/webhook µs': Math.round(r.clientCpuUs),
      refused: r.refused,
    });
    console.table({
      gateway: row(run),
      ...(before ? { [`gateway of ${againstDir}`]: row(before) } : {}),
      'bare node:http': row(bare),
      'bare node:http + RS256 verify': row(verified),
    });
    const figures = (r: IngestRun) => ({
      'webhooks/s (wall, client on the same cores)': Math.round(INGEST / r.seconds),
      'gateway CPU/webhook µs': Math.round(r.cpuUs),
      'webhooks/s per gateway CPU second': Math.round(1e6 / r.cpuUs),
      'client CPU/webhook µs': Math.round(r.clientCpuUs),
      refused: r.refused,
      'gateway CPU / bare CPU': round(r.cpuUs / bare.cpuUs),
      'gateway CPU / (bare + verify) CPU': round(r.cpuUs / verified.cpuUs),
    });
    return {
      webhooks: INGEST,
      client: load.undici ? `undici request(), ${INGEST_IN_FLIGHT} in flight` : `bench/http-load.ts, ${load.connections} connections × ${load.depth} pipelined`,
      ...figures(run),
      ...(before ? { against: againstDir, 'against gateway': figures(before), 'CPU/webhook vs against': round(run.cpuUs / before.cpuUs) } : {}),
      'bare node:http CPU/webhook µs': Math.round(bare.cpuUs),
      'bare node:http webhooks/s (wall)': Math.round(INGEST / bare.seconds),
      'bare client CPU/webhook µs': Math.round(bare.clientCpuUs),
      'bare + verify CPU/webhook µs': Math.round(verified.cpuUs),
      'bare + verify webhooks/s (wall)': Math.round(INGEST / verified.seconds),
    };
  } finally {
    if (against) {
      against.child.send({ op: 'exit' });
      await new Promise((r) => against.child.once('exit', r));
    }
  }
}

/** Runs over parts of one set of webhooks, as one: seconds summed, per-webhook figures weighted by their counts. */
function sumRuns(runs: IngestRun[]): IngestRun {
  const total = runs.reduce((n, r) => n + r.webhooks, 0);
  const weighted = (f: (r: IngestRun) => number) => runs.reduce((n, r) => n + f(r) * r.webhooks, 0) / total;
  return {
    webhooks: total,
    seconds: runs.reduce((n, r) => n + r.seconds, 0),
    cpuUs: weighted((r) => r.cpuUs),
    clientCpuUs: weighted((r) => r.clientCpuUs),
    refused: runs.reduce((n, r) => n + r.refused, 0),
  };
}

interface IngestRun {
  webhooks: number;
  seconds: number;
  /** The server process's CPU per webhook, µs. */
  cpuUs: number;
  /** This (the client's) process's CPU per webhook, µs. */
  clientCpuUs: number;
  refused: number;
}

interface IngestLoad {
  undici: boolean;
  connections: number;
  depth: number;
}

function ingestLoad(): IngestLoad {
  const flag = (name: string) => process.argv.find((a) => a.startsWith(`--${name}=`))?.slice(name.length + 3);
  return {
    undici: flag('ingest-client') === 'undici',
    connections: Number(flag('connections') ?? INGEST_CONNECTIONS),
    depth: Number(flag('depth') ?? INGEST_DEPTH),
  };
}

async function driveIngest(server: GatewayChild, jwts: string[], load: IngestLoad): Promise<IngestRun> {
  const before = await server.ask('stats');
  const cpuBefore = process.cpuUsage();
  const started = performance.now();
  let refused = 0;
  if (load.undici) {
    let next = 0;
    await Promise.all(
      Array.from({ length: INGEST_IN_FLIGHT }, async () => {
        while (next < jwts.length) if ((await postWebhook(server.url, jwts[next++]!)) !== 200) refused++;
      }),
    );
  } else {
    const run = await postAll(`${server.url}/webhooks/wix`, jwts, load);
    refused = jwts.length - (run.statuses[200] ?? 0);
  }
  const seconds = (performance.now() - started) / 1000;
  const cpu = process.cpuUsage(cpuBefore);
  const after = await server.ask('stats');
  return { webhooks: jwts.length, seconds, cpuUs: (after.cpuUs - before.cpuUs) / jwts.length, clientCpuUs: (cpu.user + cpu.system) / jwts.length, refused };
}

async function baseline(env: NodeJS.ProcessEnv, jwts: string[], verify: boolean, load: IngestLoad): Promise<IngestRun> {
  const server = await startGateway({ ...env, BARE_VERIFY_KEY: verify ? env.WIX_WEBHOOK_PUBLIC_KEY : '' }, './bare-http.ts');
  try {
    // Warm-up (JIT, connections), as the gateway gets before its run.
    await driveIngest(server, jwts.slice(0, INGEST_WARM), load);
    const run = await driveIngest(server, jwts, load);
    if (run.refused) throw new Error(`bare server refused ${run.refused} webhooks`);
    return run;
  } finally {
    server.child.send({ op: 'exit' });
    await new Promise((r) => server.child.once('exit', r));
  }
}

/**
 * `@live` latency: LIVE_QUERIES live queries of one event on the gateway that receives the webhooks and, with
 * REDIS_URL, as many on a second replica (invalidations cross on the Redis stream); then LIVE_WEBHOOKS RSVP webhooks of
 * that event one after another, each waiting until every live query has been pushed again: webhook -> pushed result
 * p50/p99 per replica, and each replica's CPU per webhook (its re-executions).
 */
async function measureLiveQueries(baseEnv: NodeJS.ProcessEnv, token: string, eventId: string, sign: (tag: string) => Promise<string>) {
  // A Redis prefix of this run's own: other runs on the same Redis (seeded sandboxes have the same event ids) would
  // otherwise invalidate these live queries with their webhooks, and each extra push shifts the count tags.
  const env: NodeJS.ProcessEnv = { ...baseEnv, REDIS_PREFIX: baseEnv.REDIS_PREFIX || `bench-live-${process.pid}-${Date.now().toString(36)}:` };
  // With LIVE_BENCH_CPU_PROF each replica writes its own profile (the second's file names end in -replica2).
  const prof = env.LIVE_BENCH_CPU_PROF?.replace(/\.cpuprofile$/, '');
  const secondEnv = prof ? { ...env, LIVE_BENCH_CPU_PROF: `${prof}-replica2.cpuprofile` } : env;
  const replicas = [await startGateway(env), ...(env.REDIS_URL ? [await startGateway(secondEnv)] : [])];
  const clients: Clients[] = [];
  try {
    // --sse: the live queries are SSE streams (bench/live-sse-client.ts) instead of graphql-ws operations.
    const sse = process.argv.includes('--sse');
    for (const g of replicas) clients.push(await startClients(g.url, token, eventId, LIVE_QUERIES, LIVE_QUERY, 'count', sse ? './live-sse-client.ts' : undefined));
    await Promise.all(clients.map((c) => c.expect('live-0')));
    const jwts = await Promise.all(Array.from({ length: LIVE_WEBHOOKS }, (_, i) => sign(`live-hook-${i}`)));
    await Promise.all(replicas.map((g) => g.ask('profile')));
    const before = await Promise.all(replicas.map((g) => g.ask('stats')));
    const sentAt: number[] = [];
    for (let i = 0; i < LIVE_WEBHOOKS; i++) {
      const seen = Promise.all(clients.map((c) => c.expect(`live-${i + 1}`)));
      sentAt[i] = performance.timeOrigin + performance.now();
      const status = await postWebhook(replicas[0]!.url, jwts[i]!);
      if (status !== 200) throw new Error(`webhook answered ${status}`);
      await seen;
    }
    const after = await Promise.all(replicas.map((g) => g.ask('stats')));
    await Promise.all(replicas.map((g) => g.ask('unprofile')));
    const rows: Record<string, object> = {};
    for (const [r, c] of clients.entries()) {
      const { arrivals, errors } = await c.arrivals();
      const latencies: number[] = [];
      for (let i = 0; i < LIVE_WEBHOOKS; i++) for (const at of arrivals[`live-${i + 1}`] ?? []) latencies.push(at - sentAt[i]!);
      rows[r === 0 ? 'replica receiving the webhooks' : 'second replica'] = {
        'live queries': `${LIVE_QUERIES} (${process.argv.includes('--sse') ? 'SSE' : 'graphql-ws'})`,
        'p50 ms': round(percentile(latencies, 50)),
        'p99 ms': round(percentile(latencies, 99)),
        'CPU/webhook ms': round((after[r]!.cpuUs - before[r]!.cpuUs) / LIVE_WEBHOOKS / 1000),
        pushed: `${latencies.length}/${LIVE_WEBHOOKS * LIVE_QUERIES}`,
        'client errors': errors,
      };
    }
    return rows;
  } finally {
    await Promise.all(clients.map((c) => c.close()));
    for (const g of replicas) {
      g.child.send({ op: 'exit' });
      await new Promise((r) => g.child.once('exit', r));
    }
  }
}

function signWebhook(privateKey: CryptoKey, instanceId: string, eventId: string, tag: string): Promise<string> {
  const domainEvent = {
    id: `${tag}-${Math.random().toString(36).slice(2)}`,
    entityFqdn: 'wix.events.v2.rsvp',
    slug: 'updated',
    entityId: tag,
    eventTime: new Date().toISOString(),
    entityEventSequence: '1',
    updatedEvent: { currentEntity: { id: tag, eventId, status: 'YES' } },
  };
  return new SignJWT({ data: JSON.stringify({ eventType: 'wix.events.v2.rsvp_updated', instanceId, data: JSON.stringify(domainEvent) }) })
    .setProtectedHeader({ alg: 'RS256' })
    .sign(privateKey);
}

/** Upstream calls per burst of 100 check-ins with 50 checkInCounter subscribers (in-process stack). */
async function counterBurst(): Promise<object> {
  const stack = await startStack();
  try {
    const events = await stack.upstream('POST', '/events/v3/events/query', { query: { paging: { limit: 100 } }, fields: ['REGISTRATION'] });
    const eventId: string = events.body.events.find((e: any) => e.registration?.type === 'RSVP' && ['UPCOMING', 'STARTED'].includes(e.status)).id;
    const rsvps = [];
    for (let made = 0; made < BURST; made += 11) rsvps.push(await createRsvp(stack, eventId, Math.min(11, BURST - made)));
    await stack.webhooksIdle();
    const counterClients = Array.from({ length: 5 }, () => wsClient(stack.gatewayUrl, stack.token));
    const lastCount: number[] = [];
    for (let i = 0; i < COUNTER_SUBSCRIBERS; i++) {
      counterClients[i % counterClients.length].subscribe(
        { query: `subscription ($e: ID!) { checkInCounter(eventId: $e) { checkedIn } }`, variables: { e: eventId } },
        { next: (m: any) => (lastCount[i] = m.data?.checkInCounter?.checkedIn), error: (e) => console.error(e), complete: () => {} },
      );
    }
    while (lastCount.filter((x) => x !== undefined).length < COUNTER_SUBSCRIBERS) await new Promise((r) => setTimeout(r, 20));
    await stack.resetStats();
    for (const rsvp of rsvps) for (const guestId of rsvp.guestIds) await stack.upstream('POST', `/events/v2/rsvps/${rsvp.id}/check-in`, { guestIds: [guestId] });
    await stack.webhooksIdle();
    const truth = await upstreamCount(stack, eventId);
    const settleDeadline = Date.now() + 10_000;
    while (lastCount.some((c) => c !== truth) && Date.now() < settleDeadline) await new Promise((r) => setTimeout(r, 20));
    const stats = await stack.stats();
    // The bench's own truth read above is one of these; subtract it.
    const counterReads = (stats.byRoute['POST /events/v2/rsvps/query'] ?? 0) - 1;
    await Promise.all(counterClients.map((c) => c.dispose()));
    const figures = { burstCheckIns: BURST, counterSubscribers: COUNTER_SUBSCRIBERS, upstreamReadsPerBurst: counterReads, countersExact: lastCount.every((c) => c === truth) };
    console.table([figures]);
    return figures;
  } finally {
    await stack.stop();
  }
}

function percentile(sorted: number[], p: number): number {
  if (!sorted.length) return NaN;
  const s = [...sorted].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.ceil((p / 100) * s.length) - 1)];
}

function round(n: number): number {
  return Math.round(n * 10) / 10;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  await run();
  process.exit(0);
}
