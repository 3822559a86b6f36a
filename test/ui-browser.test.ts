/**
 * The gateway's pages in a real browser (Chromium, every non-local request blocked): GraphiQL loads from the
 * gateway alone and opens on the example tabs, which run as they are; the dashboard's number moves after a check-in
 * with no reload. Screenshots are kept in test/artifacts/.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chromiumAvailable, launchBrowser, type TestBrowser } from './support/browser.js';
import { createRsvp, upstreamCount } from './support/live.js';
import { startStack, type Stack } from './support/stack.js';

const CHECK_IN = `mutation ($input: RsvpGuestsInput!) { checkInRsvpGuests(input: $input) { __typename ... on RsvpGuestsPayload { successCount } } }`;

describe.skipIf(!chromiumAvailable())('pages in Chromium', () => {
  let stack: Stack;
  let browser: TestBrowser;
  beforeAll(async () => {
    // The stack's default key is the demo token, as under `npm start`: pages send no Authorization header.
    stack = await startStack({ config: { graphiql: true, counterCoalesceMs: 50 }, demoTokenAsDefaultKey: true });
    browser = await launchBrowser();
  }, 60_000);
  afterAll(async () => {
    await browser?.close();
    await stack?.stop();
  });

  it('GET / links to GraphiQL and the dashboard', async () => {
    const page = await browser.page();
    await page.goto(`${stack.gatewayUrl}/`);
    expect(await page.locator('a[href="/graphql"]').count()).toBe(1);
    expect(await page.locator('a[href="/dashboard"]').count()).toBe(1);
    await page.close();
  });

  it('GraphiQL loads with no outside request and opens on the example tabs, whose first runs as it is', async () => {
    const page = await browser.page();
    const failed: string[] = [];
    page.on('requestfailed', (r) => failed.push(r.url()));
    await page.goto(`${stack.gatewayUrl}/graphql`);
    for (const name of ['DeepWalk', 'NoShowReport', 'GroupedReports', 'CheckIn', 'CheckInCounter']) {
      await page.getByRole('tab', { name }).or(page.locator('.graphiql-tab', { hasText: name })).first().waitFor({ timeout: 30_000 });
    }
    await page.getByRole('tab', { name: 'DeepWalk' }).or(page.locator('.graphiql-tab', { hasText: 'DeepWalk' })).first().click();
    await page.locator('.graphiql-execute-button').click();
    await page.locator('.graphiql-response').getByText('checkInStats').first().waitFor({ timeout: 30_000 });
    await browser.screenshot(page, 'graphiql');
    expect(browser.blocked).toEqual([]);
    expect(failed).toEqual([]);
    await page.close();
  }, 60_000);

  it("the dashboard's checked-in number changes after a check-in mutation, with no reload", async () => {
    const events = await stack.upstream('POST', '/events/v3/events/query', { query: { paging: { limit: 100 } }, fields: ['REGISTRATION'] });
    const event = events.body.events.find((e: any) => e.registration?.type === 'RSVP' && e.registration?.status === 'OPEN_RSVP');
    const rsvp = await createRsvp(stack, event.id, 3);
    await stack.webhooksIdle();
    const before = await upstreamCount(stack, event.id);
    const globalId = Buffer.from(`Event:${event.id}`).toString('base64');

    const page = await browser.page();
    let loads = 0;
    page.on('load', () => loads++);
    await page.goto(`${stack.gatewayUrl}/dashboard?eventId=${encodeURIComponent(globalId)}`);
    const number = page.locator(`[data-event="${event.id}"] [data-testid="checked-in"]`);
    await expect.poll(() => number.textContent(), { timeout: 20_000 }).toBe(String(before));
    await page.locator('#status.live').waitFor({ timeout: 20_000 });
    await browser.screenshot(page, 'dashboard-before');

    const res = await stack.gql(CHECK_IN, { input: { rsvpId: rsvp.id, guestIds: [1, 2] } });
    expect(res.data.checkInRsvpGuests.successCount).toBe(2);
    await expect.poll(() => number.textContent(), { timeout: 20_000 }).toBe(String(before + 2));
    await browser.screenshot(page, 'dashboard');
    expect(loads).toBe(1);
    expect(browser.blocked).toEqual([]);
    await page.close();
  }, 60_000);

  it('the dashboard without an eventId offers a picker that opens the chosen events', async () => {
    const page = await browser.page();
    await page.goto(`${stack.gatewayUrl}/dashboard`);
    const boxes = page.locator('form.picker input[type=checkbox]');
    await boxes.first().waitFor({ timeout: 20_000 });
    await boxes.nth(0).check();
    await boxes.nth(1).check();
    await page.locator('form.picker button').click();
    await expect.poll(() => page.locator('section.event [data-testid="checked-in"]').count(), { timeout: 20_000 }).toBe(2);
    await browser.screenshot(page, 'dashboard-picked');
    expect(browser.blocked).toEqual([]);
    await page.close();
  }, 60_000);
});
