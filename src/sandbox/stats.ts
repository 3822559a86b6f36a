/**
 * The sandbox's request counters: per route template and in total, plus the last requests' ids. Gateway tests read
 * them through GET /__sandbox/stats and /__sandbox/request-ids to prove batching, caching and request-id propagation.
 */
export interface StatsSnapshot {
  total: number;
  byRoute: Record<string, number>;
}
/**
 * The last RECENT_MAX requests, oldest first: the caller's x-request-id (so a test can see a gateway request's id
 * arrive) beside the X-Wix-Request-Id this sandbox answered with.
 */
export type RequestIdLog = { route: string; requestId?: string; wixRequestId: string }[];
export interface RequestStats {
  count(routeKey: string | undefined, ids?: { requestId?: string; wixRequestId: string }): void;
  snapshot(): StatsSnapshot;
  requestIds(): RequestIdLog;
  reset(): void;
}

const RECENT_MAX = 200;

export function createRequestStats(): RequestStats {
  let total = 0;
  let byRoute = new Map<string, number>();
  let recent: RequestIdLog = [];
  return {
    count(routeKey, ids) {
      total++;
      if (routeKey) byRoute.set(routeKey, (byRoute.get(routeKey) ?? 0) + 1);
      if (ids) {
        recent.push({ route: routeKey ?? 'unknown', ...ids });
        if (recent.length > RECENT_MAX) recent = recent.slice(-RECENT_MAX);
      }
    },
    snapshot() {
      return { total, byRoute: Object.fromEntries([...byRoute].sort(([a], [b]) => a.localeCompare(b))) };
    },
    requestIds: () => [...recent],
    reset() {
      total = 0;
      byRoute = new Map();
      recent = [];
    },
  };
}

