/**
 * The deep walk (events -> guests -> rsvp -> contact -> participations -> session -> attendances, 20 events)
 * against the sandbox over real HTTP: upstream requests with and without DataLoader batching, and latency
 * percentiles of 30 runs each (after 5 warm-up runs).
 */
import { DEFAULT_CONFIG } from '../src/gateway/config.js';
import { createGateway } from '../src/gateway/gateway.js';
import { createSandbox } from '../src/sandbox/sandbox.js';
import { DEEP_WALK } from '../test/support/queries.js';

export async function run(): Promise<object> {
  const sandbox = await createSandbox({ port: 0, seed: 1 });
  const rows: Record<string, { upstreamRequests: number; p50ms: number; p95ms: number }> = {};
  for (const batch of [true, false]) {
    const gateway = await createGateway({ ...DEFAULT_CONFIG, upstreamUrl: sandbox.url, logLevel: 'silent', graphiql: false }, { batchLoads: batch });
    const url = `${await gateway.start(0, '127.0.0.1')}/graphql`;
    const post = () =>
      fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', authorization: sandbox.demoToken }, body: JSON.stringify({ query: DEEP_WALK }) }).then(
        (r) => r.json() as Promise<{ errors?: unknown }>,
      );
    for (let i = 0; i < 5; i++) await post();
    await fetch(`${sandbox.url}/__sandbox/reset-stats`, { method: 'POST' });
    const first = await post();
    if (first.errors) throw new Error(JSON.stringify(first.errors));
    const stats = (await (await fetch(`${sandbox.url}/__sandbox/stats`)).json()) as { total: number };
    const times: number[] = [];
    for (let i = 0; i < 30; i++) {
      const t = performance.now();
      await post();
      times.push(performance.now() - t);
    }
    times.sort((a, b) => a - b);
    rows[batch ? 'with loaders' : 'without loaders (N+1)'] = {
      upstreamRequests: stats.total,
      p50ms: Math.round(times[15]! * 10) / 10,
      p95ms: Math.round(times[28]! * 10) / 10,
    };
    await gateway.stop();
  }
  await sandbox.stop();
  console.table(rows);
  const [a, b] = Object.values(rows);
  const ratio = { upstreamRequestRatio: Math.round((b!.upstreamRequests / a!.upstreamRequests) * 10) / 10, p50Ratio: Math.round((b!.p50ms / a!.p50ms) * 10) / 10 };
  console.log(`batching saves ${ratio.upstreamRequestRatio}x upstream requests and ${ratio.p50Ratio}x p50 latency`);
  return { ...rows, ...ratio };
}
