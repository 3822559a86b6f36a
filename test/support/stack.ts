/**
 * Test harness: a sandbox (the emulated upstream) and a gateway wired to it, both on port 0 over real HTTP,
 * disposed by stop(). Every gateway test starts one of these; nothing is mocked.
 */
import { DEFAULT_CONFIG, type GatewayConfig } from '../../src/gateway/config.js';
import { createGateway, type Gateway, type GatewayOptions } from '../../src/gateway/gateway.js';
import { createSandbox } from '../../src/sandbox/sandbox.js';
import { createSandboxClient } from './sandbox-client.js';

export interface StackOptions {
  /** Demo data seed for the sandbox's demo tenant (default 1); null = no demo data. */
  seed?: number | null;
  /** Overrides of the gateway configuration (upstream URL and webhook key are filled in). */
  config?: Partial<GatewayConfig>;
  gateway?: GatewayOptions;
  /** Register the gateway's /webhooks/wix with the sandbox (default true). */
  webhooks?: boolean;
  /** The sandbox's webhook delivery attempts (default 6). */
  webhookMaxAttempts?: number;
  /** The demo token as the gateway's WIX_API_KEY, as `npm start` does (requests without Authorization use it). */
  demoTokenAsDefaultKey?: boolean;
}

export interface GraphQLResponse<T = any> {
  data?: T;
  errors?: { message: string; path?: (string | number)[]; extensions?: Record<string, any> }[];
}

export interface Stack {
  sandboxUrl: string;
  gatewayUrl: string;
  /** The demo tenant's token (its data is seeded). */
  token: string;
  publicKeyPem: string;
  gateway: Gateway;
  sandbox: Awaited<ReturnType<typeof createSandbox>>;
  /** POST a GraphQL operation to the gateway over HTTP; `token: null` sends no Authorization. */
  gql<T = any>(query: string, variables?: Record<string, unknown>, token?: string | null): Promise<GraphQLResponse<T>>;
  /** Call the sandbox's REST API directly (to read upstream truth in assertions). */
  upstream<T = any>(method: string, path: string, body?: unknown, token?: string): Promise<{ status: number; body: T }>;
  /** The sandbox's request counters: { total, byRoute: { "METHOD /template": n } }. */
  stats(): Promise<{ total: number; byRoute: Record<string, number> }>;
  resetStats(): Promise<void>;
  /** Wait until the sandbox has delivered every queued webhook. */
  webhooksIdle(): Promise<void>;
  /** Replace a tenant's data with deterministic demo data (POST /__sandbox/seed). */
  seed(token: string, seed: number, size?: Record<string, number>): Promise<unknown>;
  /** Inject faults (POST /__sandbox/faults): `{rules: [...]}` for requests, `{webhooks: {...}}` for deliveries. */
  faults(body: { rules?: unknown[]; webhooks?: Record<string, unknown> }): Promise<void>;
  stop(): Promise<void>;
}

export async function startStack(options: StackOptions = {}): Promise<Stack> {
  const seed = options.seed === undefined ? 1 : options.seed;
  const sandbox = await createSandbox({ port: 0, webhookMaxAttempts: options.webhookMaxAttempts, ...(seed === null ? {} : { seed }) });
  const sandboxUrl = sandbox.url.replace(/\/+$/, '');
  const token = sandbox.demoToken;
  const client = createSandboxClient(sandboxUrl, token);
  const control = client.control;
  const publicKeyPem = (await client.call<string>('GET', '/__sandbox/public-key', undefined, null)).body;
  const config: GatewayConfig = {
    ...DEFAULT_CONFIG,
    port: 0,
    host: '127.0.0.1',
    upstreamUrl: sandboxUrl,
    webhookPublicKeys: [publicKeyPem],
    logLevel: 'silent',
    development: true,
    graphiql: false,
    ...(options.demoTokenAsDefaultKey ? { wixApiKey: token } : {}),
    ...options.config,
  };
  const gateway = await createGateway(config, options.gateway);
  const gatewayUrl = await gateway.start(0, '127.0.0.1');
  if (options.webhooks !== false) {
    await control('POST', 'webhooks', { url: `${gatewayUrl}/webhooks/wix` });
  }

  return {
    sandboxUrl,
    gatewayUrl,
    token,
    publicKeyPem,
    gateway,
    sandbox,
    async gql(query, variables, tok = token) {
      const headers: Record<string, string> = { 'content-type': 'application/json', accept: 'application/json' };
      if (tok !== null) headers.authorization = tok;
      const res = await fetch(`${gatewayUrl}/graphql`, { method: 'POST', headers, body: JSON.stringify({ query, variables }) });
      return (await res.json()) as GraphQLResponse;
    },
    async upstream(method, path, body, tok = token) {
      const { status, body: answer } = await client.call(method, path, body, tok);
      return { status, body: answer };
    },
    stats: () => control('GET', 'stats'),
    resetStats: () => control('POST', 'reset-stats'),
    webhooksIdle: () => control('POST', 'idle'),
    seed: (tok, seed, size = {}) => control('POST', 'seed', { token: tok, seed, size }),
    faults: (body) => control('POST', 'faults', body),
    async stop() {
      await gateway.stop();
      await sandbox.stop();
    },
  };
}
