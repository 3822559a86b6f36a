/**
 * GraphiQL's example tabs run as they are against the demo data (the ids they carry are looked up through the
 * gateway), and GraphiQL is served with no outside asset. The browser test (ui-browser.test.ts) opens them for real.
 */
import { parse, validate } from 'graphql';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { schema } from '../src/gateway/schema/index.js';
import { exampleTabs } from '../src/gateway/ui/examples.js';
import { startStack, type Stack } from './support/stack.js';

let stack: Stack;
beforeAll(async () => {
  stack = await startStack({ config: { graphiql: true }, demoTokenAsDefaultKey: true });
});
afterAll(() => stack?.stop());

it('every example tab is valid against the schema', () => {
  for (const tab of exampleTabs(null)) expect(validate(schema, parse(tab.query)).map((e) => e.message)).toEqual([]);
});

it('GraphiQL is one page with every script inlined: no src or href leaves the gateway', async () => {
  const res = await fetch(`${stack.gatewayUrl}/graphql`, { headers: { accept: 'text/html' } });
  expect(res.status).toBe(200);
  const html = await res.text();
  expect(html).toContain('"defaultTabs"');
  expect([...html.matchAll(/<(?:script|link)[^>]*(?:src|href)="(https?:)?\/\//g)].map((m) => m[0])).toEqual([]);
});

it('the query and mutation tabs GraphiQL serves run without errors on the demo data', async () => {
  const html = await (await fetch(`${stack.gatewayUrl}/graphql`, { headers: { accept: 'text/html' } })).text();
  const options = JSON.parse(html.match(/renderYogaGraphiQL\(\s*window\.document\.querySelector\('#root'\),\s*(\{.*\}),\s*\);/s)![1]!);
  const tabs = options.defaultTabs as { query: string; variables?: string }[];
  expect(tabs.length).toBeGreaterThanOrEqual(4);
  for (const tab of tabs.filter((t) => !/^\s*subscription/m.test(t.query.replace(/^#.*$/gm, '')))) {
    const res = await stack.gql(tab.query, tab.variables ? JSON.parse(tab.variables) : undefined, null);
    expect(res.errors, tab.query).toBeUndefined();
    if (res.data.checkInRsvpGuests) expect(res.data.checkInRsvpGuests.successCount).toBe(1);
  }
});
