/**
 * examples/typed-client: its generated documents match schema.graphql and operations.graphql (graphql-codegen), it
 * type-checks (`npm test` runs tsc on its tsconfig), and it runs against a gateway: a query, a mutation answered
 * with its result union, a subscription.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { generate } from '../examples/typed-client/codegen.js';
import { run } from '../examples/typed-client/client.js';
import { startStack, type Stack } from './support/stack.js';

let stack: Stack;
beforeAll(async () => {
  stack = await startStack();
});
afterAll(() => stack?.stop());

it('generated.ts is what graphql-codegen makes of schema.graphql and operations.graphql (npm run codegen:example)', async () => {
  expect(readFileSync(join(import.meta.dirname, '../examples/typed-client/generated.ts'), 'utf8')).toBe(await generate());
});

it('runs against the gateway: lists events, creates an RSVP (the union narrowed to its payload), reads the live counter', async () => {
  const result = await run(`${stack.gatewayUrl}/graphql`, stack.token);
  expect(result.events).toBe(3);
  expect(result.rsvp).toMatch(/^(YES|WAITLIST) \S+$/);
  expect(result.checkedIn).toBeGreaterThanOrEqual(0);
});
