/**
 * `npm start`: the newcomer's one command. Starts the sandbox with demo data and the gateway wired to it: the
 * demo tenant's token is the gateway's default key (GraphiQL works with no header), the sandbox's webhook key is
 * the gateway's, and the sandbox's webhooks go to the gateway's POST /webhooks/wix.
 * PORT (default 4000) and SANDBOX_PORT (default 4001) move them; other gateway variables work as for `npm run serve`.
 * The gateway binds 127.0.0.1 unless HOST says otherwise (it answers anyone who reaches it with the demo token);
 * the sandbox always does: its control API lets anyone rewrite its data.
 */
import { parseCommandLine } from './gateway/cli.js';
import { ConfigError, loadConfig } from './gateway/config.js';
import { SAMPLE_QUERY as SAMPLE } from './gateway/ui/examples.js';


const USAGE = `
Usage: npm start [-- --help]

Starts the sandbox (emulated Wix APIs with demo data, seed 1) and the gateway wired to it: the demo tenant's token
is the gateway's default key, and the sandbox's signed webhooks go to the gateway. Environment:

  PORT          gateway port (default 4000)
  SANDBOX_PORT  sandbox port (default 4001)
  HOST          interface the gateway binds (default 127.0.0.1: it answers with the demo token to anyone who
                reaches it, so it stays on this machine unless you say otherwise, e.g. HOST=0.0.0.0); the sandbox
                always binds 127.0.0.1
  any other gateway variable of \`npm run serve -- --help\` (UPSTREAM_URL, WIX_API_KEY and the webhook key are set
  to the sandbox's).

Exit codes: 0 after SIGINT/SIGTERM, 2 for a configuration error, 1 for anything else.
`;

async function main() {
  parseCommandLine('npm start', USAGE);
  const host = process.env.HOST?.trim() || '127.0.0.1';
  const sandboxPort = Number(process.env.SANDBOX_PORT ?? 4001);
  if (!Number.isInteger(sandboxPort) || sandboxPort < 0 || sandboxPort > 65535) {
    throw new ConfigError(`SANDBOX_PORT must be an integer from 0 to 65535, got "${process.env.SANDBOX_PORT}"`);
  }
  // The gateway's variables are checked before the sandbox starts, so a typo costs no half-started sandbox.
  loadConfig({ ...process.env, HOST: host, UPSTREAM_URL: 'http://127.0.0.1:4001' });
  // Imported after the checks above, so --help and a bad variable answer at once.
  const [{ createGateway }, { createSandbox }] = await Promise.all([import('./gateway/gateway.js'), import('./sandbox/sandbox.js')]);
  const sandbox = await createSandbox({ port: sandboxPort, seed: 1 });
  const config = loadConfig({
    ...process.env,
    HOST: host,
    UPSTREAM_URL: sandbox.url,
    WIX_API_KEY: process.env.WIX_API_KEY || sandbox.demoToken,
    WIX_WEBHOOK_PUBLIC_KEY: sandbox.publicKeyPem,
  });
  const gateway = await createGateway(config);
  const url = await gateway.start();
  const hook = await fetch(`${sandbox.url}/__sandbox/webhooks`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ url: `${url.replace('localhost', '127.0.0.1')}/webhooks/wix` }),
  });
  if (!hook.ok) throw new Error(`could not register the gateway's webhook with the sandbox: HTTP ${hook.status}`);

  console.log(`sandbox (emulated Wix APIs, demo data): ${sandbox.url}  (control API: ${sandbox.url}/__sandbox/, demo token: ${sandbox.demoToken})`);
  console.log(`gateway: ${url}/graphql  <- open this for GraphiQL, with example tabs (no Authorization header needed: the demo token is the default)`);
  console.log(`dashboard: ${url}/dashboard  <- live check-in screen for the door`);
  console.log(`subscriptions: ws://${url.replace(/^http:\/\//, '')}/graphql (graphql-ws) or SSE on the same URL`);
  console.log(`\ntry:\n${SAMPLE}\n`);

  const shutdown = () => {
    Promise.allSettled([gateway.stop(), sandbox.stop()]).finally(() => process.exit(0));
  };
  process.once('SIGINT', shutdown);
  process.once('SIGTERM', shutdown);
}

// Exit codes as `npm run serve` (main.ts): 2 for a configuration error, 1 for anything else.
main().catch((err) => {
  console.error(err instanceof ConfigError ? `config error: ${err.message}` : err instanceof Error ? err.message : err);
  process.exit(err instanceof ConfigError ? 2 : 1);
});
