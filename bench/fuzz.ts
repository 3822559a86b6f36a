/**
 * Hostile-input figures (issue 8): 12,000 seeded malformed requests (support/fuzz.ts) against one gateway and the
 * sandbox, counted by status, with the upstream calls they cost. The run passes with 0 5xx and 0 crashes.
 * FUZZ_CASES / FUZZ_SEED change the run.
 */
import { runFuzz } from '../test/support/fuzz.js';
import { startStack } from '../test/support/stack.js';

export async function run(): Promise<object> {
  const stack = await startStack({ webhooks: false, config: { development: false } });
  try {
    await stack.resetStats();
    const report = await runFuzz(stack, Number(process.env.FUZZ_CASES ?? 12_000), Number(process.env.FUZZ_SEED ?? 8));
    const upstreamCalls = (await stack.stats()).total;
    const alive = await stack.gql('{ events(first: 1) { edges { node { eventId } } } }');
    const fivexx = Object.entries(report.byStatus).filter(([s]) => Number(s) >= 500).reduce((a, [, n]) => a + n, 0);
    console.table({ cases: report.cases, seconds: Number(report.seconds.toFixed(1)), '5xx': fivexx, failures: report.failures.length, upstreamCalls });
    console.table(report.byStatus);
    console.table(report.byCode);
    for (const failure of report.failures.slice(0, 10)) console.log(failure);
    return { ...report, failures: report.failures.slice(0, 50), fivexx, upstreamCalls, aliveAfter: !!alive.data?.events };
  } finally {
    await stack.stop();
  }
}
