/**
 * createSandbox: a faithful local emulator of the four Wix REST APIs (and the Calendar Events v3 the project
 * assumes), on a real port. Every distinct Authorization token is its own tenant (site), created on first use;
 * the demo tenant gets deterministic demo data when a seed is given. Only main.ts and tests bind it to a port.
 */
import type { AddressInfo } from 'node:net';
import type { TokenInfo } from '../wire/types.js';
import { createControlHandler } from './control.js';
import { invalidArgument } from './errors.js';
import { createFaults, type Faults } from './faults.js';
import { guidFromString } from './ids.js';
import { loadOrGenerateKeys } from './keys.js';
import { allRoutes } from './routes/index.js';
import { seedTenant, type SeedCounts, type SeedSize } from './seed.js';
import { createSandboxServer, type PublicRoute } from './server.js';
import { createRequestStats, type StatsSnapshot } from './stats.js';
import { createTenantDb, defaultBehaviour, type SandboxBehaviour, type Tenant } from './tenant.js';
import { createWebhookDispatcher, SANDBOX_APP_ID, type WebhookDispatcher } from './webhooks.js';

export interface SandboxOptions {
  /** Port to listen on; 0 (default) picks a free one. */
  port?: number;
  /** Default 127.0.0.1: the sandbox has no real auth, so it does not listen publicly unless asked. */
  host?: string;
  /** Seed the demo tenant with deterministic demo data (absent = no demo data). */
  seed?: number;
  seedSize?: Partial<SeedSize>;
  /** Keep the webhook signing key in this file across restarts (created 0600 if missing); absent = fresh key. */
  keysFile?: string;
  /** The demo tenant's token (default 'demo-token'). */
  demoToken?: string;
  /** Webhook delivery attempts before a delivery is given up (default 6, about 3 s of retries). */
  webhookMaxAttempts?: number;
}

export interface Sandbox {
  /** http://host:port, no trailing slash. */
  url: string;
  port: number;
  /** The SPKI PEM that verifies this sandbox's webhooks. */
  publicKeyPem: string;
  demoToken: string;
  /** The tenant of a token (created on first use). */
  tenant(token: string): Tenant;
  /** Replace a tenant's data with demo data. */
  seed(token: string, seed: number, size?: Partial<SeedSize>): SeedCounts;
  dispatcher: WebhookDispatcher;
  faults: Faults;
  /** Mutable: where the sources allow two behaviours, which one every tenant shows. */
  behaviour: SandboxBehaviour;
  stats(): StatsSnapshot;
  resetStats(): void;
  stop(): Promise<void>;
}

export async function createSandbox(opts: SandboxOptions = {}): Promise<Sandbox> {
  const host = opts.host ?? '127.0.0.1';
  const demoToken = opts.demoToken ?? 'demo-token';
  const keys = await loadOrGenerateKeys(opts.keysFile);
  // Sequences start from the clock (microseconds), so they keep rising across sandbox restarts as the upstream's do.
  const dispatcher = createWebhookDispatcher({
    privateKey: keys.privateKey,
    sequenceBase: BigInt(Date.now()) * 1000n,
    maxAttempts: opts.webhookMaxAttempts,
  });
  const faults = createFaults();
  const stats = createRequestStats();
  const tenants = new Map<string, Tenant>();
  const behaviour: SandboxBehaviour = defaultBehaviour();
  const startedAt = Math.floor(Date.now() / 1000);

  function tenant(token: string): Tenant {
    let t = tenants.get(token);
    if (!t) {
      // Derived from the token, so a restarted sandbox gives the same token the same site and webhooks keep
      // their instanceId (docs/upstream.md §1.9: webhooks name their site only through it).
      const ids = { instanceId: guidFromString(`instance:${token}`), siteId: guidFromString(`site:${token}`) };
      t = { token, ...ids, db: createTenantDb(), emit: (event) => dispatcher.emit(ids, event), behaviour };
      tenants.set(token, t);
    }
    return t;
  }

  const seed = (token: string, n: number, size?: Partial<SeedSize>) => seedTenant(tenant(token), n, size);

  // POST /oauth2/token-info (docs/upstream.md §1.9): no Authorization, the token is in the body. Every token is a
  // tenant here, so every non-empty token is active; it claims to be the sandbox app's token for that site.
  const tokenInfo: PublicRoute = {
    method: 'POST',
    paths: ['/oauth2/token-info'],
    handler({ body }): TokenInfo {
      const token = body.token;
      if (typeof token !== 'string' || !token.trim()) throw invalidArgument({ field: 'token', description: `expected the token to inspect, got ${JSON.stringify(token)}` });
      const t = tenant(token);
      return {
        active: true,
        subjectType: 'APP',
        subjectId: SANDBOX_APP_ID,
        iat: String(startedAt),
        exp: String(startedAt + 4 * 3600),
        clientId: SANDBOX_APP_ID,
        siteId: t.siteId,
        instanceId: t.instanceId,
      };
    },
  };

  const server = createSandboxServer({
    routes: allRoutes,
    publicRoutes: [tokenInfo],
    tenant,
    faults,
    stats,
    control: createControlHandler({ stats, publicKeyPem: keys.publicKeyPem, dispatcher, faults, seed, behaviour, tenant }),
  });

  if (opts.seed !== undefined) seed(demoToken, opts.seed, opts.seedSize);

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port ?? 0, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const port = (server.address() as AddressInfo).port;
  const url = `http://${host.includes(':') ? `[${host}]` : host}:${port}`;

  let stopping: Promise<void> | undefined;
  return {
    url,
    port,
    publicKeyPem: keys.publicKeyPem,
    demoToken,
    tenant,
    seed,
    dispatcher,
    faults,
    behaviour,
    stats: () => stats.snapshot(),
    resetStats: () => stats.reset(),
    stop() {
      stopping ??= (async () => {
        await dispatcher.stop();
        await new Promise<void>((resolve) => {
          server.close(() => resolve());
          server.closeAllConnections();
        });
      })();
      return stopping;
    },
  };
}
