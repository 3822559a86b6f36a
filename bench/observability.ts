/**
 * `npm run bench observability`: what metrics and tracing cost per query. The sandbox runs in a child process, so
 * this process's CPU is the gateway's (plus the client's fetch, the same in every mode). Three gateways share it:
 * metrics off and no tracing; metrics on (the default); metrics on and tracing to an exporter that drops the spans
 * (everything but the network send). Rounds alternate between them so machine noise falls on all three alike.
 * Figures: CPU ms per query (process.cpuUsage) and the ratio to the bare gateway.
 */
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import type { ReadableSpan, SpanExporter } from '@opentelemetry/sdk-trace-base';
import { DEFAULT_CONFIG } from '../src/gateway/config.js';
import { createGateway } from '../src/gateway/gateway.js';

const QUERY = `query Walk { events(first: 10) { edges { node { title guests(first: 5) { edges { node { guestId rsvp { status contact { contactId } } } } } } } } }`;
const ROUNDS = 8;
const PER_ROUND = 25;

/** Takes spans and drops them: the tracing cost without a collector. */
const dropSpans: SpanExporter = {
  export: (_spans: ReadableSpan[], done) => done({ code: 0 }),
  shutdown: async () => {},
};

export async function run() {
  const child = spawn(process.execPath, ['--import', 'tsx', join(import.meta.dirname, '../src/sandbox/main.ts'), '--port', '0', '--seed', '1'], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const sandboxUrl = await new Promise<string>((resolve, reject) => {
    let out = '';
    child.stdout!.on('data', (d) => {
      out += d;
      const m = out.match(/listening on (http:\/\/\S+)/);
      if (m) resolve(m[1]!);
    });
    child.once('exit', (code) => reject(new Error(`sandbox exited ${code}`)));
  });
  const base = { ...DEFAULT_CONFIG, upstreamUrl: sandboxUrl, wixApiKey: 'demo-token', logLevel: 'silent' as const, graphiql: false };
  const modes = {
    'metrics off, no tracing': await createGateway({ ...base, metrics: false }),
    'metrics on (default)': await createGateway({ ...base, metrics: true }),
    'metrics on + tracing': await createGateway({ ...base, metrics: true }, { spanExporter: dropSpans }),
  };
  const urls: Record<string, string> = {};
  for (const [k, g] of Object.entries(modes)) urls[k] = `${await g.start(0, '127.0.0.1')}/graphql`;
  const post = async (url: string) => {
    const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ query: QUERY }) });
    const body = (await res.json()) as { errors?: unknown };
    if (body.errors) throw new Error(JSON.stringify(body.errors));
  };
  for (const url of Object.values(urls)) for (let i = 0; i < 5; i++) await post(url); // warm-up
  const cpu: Record<string, number> = Object.fromEntries(Object.keys(modes).map((k) => [k, 0]));
  for (let r = 0; r < ROUNDS; r++) {
    for (const [mode, url] of Object.entries(urls)) {
      const before = process.cpuUsage();
      for (let i = 0; i < PER_ROUND; i++) await post(url);
      const used = process.cpuUsage(before);
      cpu[mode]! += (used.user + used.system) / 1000;
    }
  }
  const queries = ROUNDS * PER_ROUND;
  const bare = cpu['metrics off, no tracing']! / queries;
  const rows = Object.entries(cpu).map(([mode, ms]) => ({ mode, cpuMsPerQuery: +(ms / queries).toFixed(3), ratio: +(ms / queries / bare).toFixed(3) }));
  console.table(rows);
  await Promise.all(Object.values(modes).map((g) => g.stop()));
  child.kill('SIGTERM');
  return { query: 'events(10) -> guests(5) -> rsvp -> contact', queries, rows };
}
