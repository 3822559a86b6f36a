/**
 * The deep walk (events -> guests -> rsvp -> contact -> participations -> session -> attendances, 20 events)
 * against the sandbox over real HTTP: upstream requests with and without DataLoader batching, and latency
 * percentiles of 30 runs each (after 5 warm-up runs). Run twice: with the local sandbox as it is (about 0 ms per
 * upstream call), and with 20 ms added to every upstream call (a sandbox fault rule), nearer a real upstream, where
 * the N+1's extra round trips and its queueing on the connection pool show in the latency.
 */
import { DEFAULT_CONFIG } from '../src/gateway/config.js';
import { createGateway } from '../src/gateway/gateway.js';
import { createSandbox } from '../src/sandbox/sandbox.js';
import { DEEP_WALK } from '../test/support/queries.js';
import { createSandboxClient } from '../test/support/sandbox-client.js';

const RUNS = 30;
const WARMUP = 5;
const UPSTREAM_LATENCY_MS = 20;

interface Row {
  upstreamRequests: number;
  p50ms: number;
  p95ms: number;
}

export async function run(): Promise<object> {
  const sandbox = await createSandbox({ port: 0, seed: 1 });
  const client = createSandboxClient(sandbox.url, sandbox.demoToken);
  const control = (path: string, body?: unknown) => client.control(body === undefined ? 'DELETE' : 'POST', path, body);
  const rows: Record<string, Row> = {};
  try {
    for (const latency of [0, UPSTREAM_LATENCY_MS]) {
      if (latency) await control('faults', { rules: [{ latencyMs: latency }] });
      else await control('faults');
      for (const batch of [true, false]) {
        const label = `${batch ? 'with loaders' : 'without loaders (N+1)'}, upstream +${latency} ms`;
        rows[label] = await measure(sandbox, batch);
      }
    }
  } finally {
    await control('faults');
    await sandbox.stop();
  }
  console.table(rows);
  const [fast, fastN1, slow, slowN1] = Object.values(rows) as [Row, Row, Row, Row];
  const ratios = {
    upstreamRequestRatio: round(fastN1.upstreamRequests / fast.upstreamRequests),
    p50Ratio: round(fastN1.p50ms / fast.p50ms),
    p50RatioWithUpstreamLatency: round(slowN1.p50ms / slow.p50ms),
  };
  console.log(
    `batching saves ${ratios.upstreamRequestRatio}x upstream requests; p50 is ${ratios.p50Ratio}x lower against the local sandbox and ` +
      `${ratios.p50RatioWithUpstreamLatency}x lower with ${UPSTREAM_LATENCY_MS} ms per upstream call`,
  );
  return { ...rows, ...ratios };
}

async function measure(sandbox: Awaited<ReturnType<typeof createSandbox>>, batch: boolean): Promise<Row> {
  const gateway = await createGateway({ ...DEFAULT_CONFIG, upstreamUrl: sandbox.url, logLevel: 'silent', graphiql: false }, { batchLoads: batch });
  try {
    const url = `${await gateway.start(0, '127.0.0.1')}/graphql`;
    const post = async () => {
      const res = (await (
        await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', authorization: sandbox.demoToken }, body: JSON.stringify({ query: DEEP_WALK }) })
      ).json()) as { errors?: unknown };
      if (res.errors) throw new Error(JSON.stringify(res.errors));
    };
    for (let i = 0; i < WARMUP; i++) await post();
    await createSandboxClient(sandbox.url, null).control('POST', 'reset-stats');
    await post();
    const stats = await createSandboxClient(sandbox.url, null).control<{ total: number }>('GET', 'stats');
    const times: number[] = [];
    for (let i = 0; i < RUNS; i++) {
      const t = performance.now();
      await post();
      times.push(performance.now() - t);
    }
    times.sort((a, b) => a - b);
    return { upstreamRequests: stats.total, p50ms: round(percentile(times, 0.5)), p95ms: round(percentile(times, 0.95)) };
  } finally {
    await gateway.stop();
  }
}

/** Nearest-rank percentile of sorted values. */
function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.ceil(p * sorted.length) - 1)]!;
}

function round(n: number): number {
  return Math.round(n * 10) / 10;
}
