/**
 * GET /healthz and /readyz for orchestrators. /healthz: the process is alive and serving (200 while draining too,
 * so a draining replica is not killed early). /readyz: should this replica get traffic — 503 while draining, while
 * any upstream API's circuit breaker is open (it would only fail fast), or when Redis is configured and does not
 * answer. The body names each check, never an address or a secret.
 */
import type { Plugin } from 'graphql-yoga';

export interface ReadinessChecks {
  draining(): boolean;
  /** Upstream APIs whose breaker is open (failing fast). */
  openBreakers(): string[];
  /** undefined when Redis is not configured; else whether it answered a PING. */
  redis(): Promise<boolean | undefined>;
}

export function useHealth(checks: ReadinessChecks): Plugin {
  const json = (fetchAPI: { Response: typeof Response }, status: number, body: unknown) =>
    new fetchAPI.Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json', 'cache-control': 'no-store' } });
  const readiness = async (fetchAPI: { Response: typeof Response }) => {
    const draining = checks.draining();
    const open = checks.openBreakers();
    const redis = await checks.redis();
    const ready = !draining && open.length === 0 && redis !== false;
    return json(fetchAPI, ready ? 200 : 503, {
      status: ready ? 'ready' : 'not ready',
      checks: {
        draining,
        upstream: open.length === 0 ? 'ok' : { openBreakers: open },
        redis: redis === undefined ? 'not configured' : redis ? 'ok' : 'down',
      },
    });
  };
  return {
    // Not an async function: every request passes here, and only /readyz needs a promise.
    onRequest({ url, endResponse, fetchAPI }) {
      if (url.pathname === '/healthz') return endResponse(json(fetchAPI, 200, { status: 'ok' }));
      if (url.pathname === '/readyz') return readiness(fetchAPI).then(endResponse);
      return undefined;
    },
  };
}
