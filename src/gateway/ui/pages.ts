/**
 * The gateway's own pages, all served from its origin with nothing fetched from anywhere else (door tablets and
 * analysts' laptops may have no internet): GET / (where to go), GET /dashboard (the live check-in screen) and the
 * GraphiQL options with example tabs. The dashboard is one static HTML file whose script talks to /graphql like
 * any client (queries as JSON POSTs, the live count over graphql-ws), so it needs no backend of its own.
 */
import { readFileSync } from 'node:fs';
import type { Plugin } from 'graphql-yoga';
import { renderGraphiQL } from '@graphql-yoga/render-graphiql';
import { EXAMPLE_IDS_QUERY, exampleTabs, pickExampleIds, type ExampleIds } from './examples.js';

const DASHBOARD_HTML = readFileSync(new URL('./dashboard.html', import.meta.url), 'utf8');

/** GET / and GET /dashboard; anything else goes on to Yoga. */
export function useGatewayPages(options: { graphiql: boolean }): Plugin {
  return {
    onRequest({ request, url, endResponse }) {
      if (request.method !== 'GET' && request.method !== 'HEAD') return;
      if (url.pathname === '/') endResponse(html(landingPage(options.graphiql)));
      else if (url.pathname === '/dashboard' || url.pathname === '/dashboard/') endResponse(html(DASHBOARD_HTML));
    },
  };
}

/**
 * GraphiQL's options: the example tabs, with ids looked up once through the gateway itself (`lookup` runs a query
 * with the gateway's default credentials). A failed lookup is retried on the next load rather than cached.
 */
export function graphiqlOptions(lookup: (query: string) => Promise<unknown>) {
  let ids: Promise<ExampleIds | null> | null = null;
  return async () => {
    ids ??= lookup(EXAMPLE_IDS_QUERY)
      .then((result) => pickExampleIds(result as Parameters<typeof pickExampleIds>[0]))
      .catch(() => null);
    const found = await ids;
    if (!found) ids = null;
    return {
      title: 'attendance-graph',
      subscriptionsProtocol: 'WS' as const,
      defaultTabs: exampleTabs(found),
      defaultEditorToolsVisibility: 'variables' as const,
    };
  };
}

/**
 * GraphiQL rendered from @graphql-yoga/render-graphiql: its scripts, styles and editor workers are inlined in the
 * page (about 9 MB), so it loads with no CDN. The page for one set of options is built once.
 */
export function createGraphiQLRenderer() {
  const cache = new Map<string, string>();
  return (opts: Parameters<typeof renderGraphiQL>[0]) => {
    const key = JSON.stringify(opts);
    let page = cache.get(key);
    if (!page) {
      page = renderGraphiQL(opts);
      // Only the last few option sets are kept: ids change when the demo data is reseeded.
      if (cache.size >= 4) cache.delete(cache.keys().next().value!);
      cache.set(key, page);
    }
    return page;
  };
}

function html(body: string): Response {
  return new Response(body, { headers: { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-cache' } });
}

function landingPage(graphiql: boolean): string {
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>attendance-graph</title>
<style>body{font:18px/1.5 system-ui,sans-serif;max-width:40rem;margin:3rem auto;padding:0 1rem;color:#1d2330}a{color:#0b57d0}code{background:#eef1f6;padding:0 .25em;border-radius:3px}</style>
</head><body>
<h1>attendance-graph</h1>
<p>A GraphQL gateway over the Wix attendance APIs: Bookings attendance, calendar participations, event guests and RSVPs.</p>
<ul>
<li><a href="/graphql">/graphql</a> — ${graphiql ? 'GraphiQL with example operations (queries, reports, a check-in, a live counter); ' : ''}the GraphQL endpoint (POST JSON, SSE, graphql-ws)</li>
<li><a href="/dashboard">/dashboard</a> — live check-in screen for the door</li>
</ul>
</body></html>`;
}
