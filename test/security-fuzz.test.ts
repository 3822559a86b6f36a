/**
 * A seeded fuzz of hostile and broken requests over real HTTP against the sandbox (issue 8, generator in
 * support/fuzz.ts): every answer is a 2xx or a coded 4xx, never a 5xx, and the gateway still answers a plain query
 * at the end. 600 cases here (FUZZ_CASES / FUZZ_SEED change them); `npm run bench fuzz` runs 12,000.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { runFuzz } from './support/fuzz.js';
import { startStack, type Stack } from './support/stack.js';

const CASES = Number(process.env.FUZZ_CASES ?? 600);
const SEED = Number(process.env.FUZZ_SEED ?? 8);

let stack: Stack;
beforeAll(async () => {
  stack = await startStack({ webhooks: false, config: { development: false } });
});
afterAll(() => stack?.stop());

it(`answers ${CASES} malformed documents, variables, bodies and requests with no 5xx, an uncoded 4xx or a crash`, async () => {
  const report = await runFuzz(stack, CASES, SEED);
  expect(report.failures.slice(0, 20)).toEqual([]);
  expect(Object.values(report.byStatus).reduce((a, b) => a + b, 0)).toBe(CASES);
  const alive = await stack.gql('{ events(first: 1) { edges { node { eventId } } } }');
  expect(alive.data.events.edges).toHaveLength(1);
}, 300_000);
