/** `npm run serve`: the gateway alone, configured from the environment (see README's table). */
import { parseCommandLine } from './cli.js';
import { ConfigError, DEFAULT_CONFIG, loadConfig } from './config.js';

const USAGE = `
Usage: npm run serve [-- --help]

Starts the attendance-graph gateway alone. Every option is an environment variable (README's Configuration table,
.env.example lists them with their defaults); the most used:

  UPSTREAM_URL            Wix REST base URL or a sandbox's URL (default ${DEFAULT_CONFIG.upstreamUrl})
  WIX_API_KEY             Authorization used when a caller sends none (default: none, callers must send one)
  WIX_WEBHOOK_PUBLIC_KEY  PEM that verifies POST /webhooks/wix (default: none, webhooks answer 503)
  PORT / HOST             where to listen (default ${DEFAULT_CONFIG.port} on ${DEFAULT_CONFIG.host})
  REDIS_URL               shared subscriptions and webhook state for several replicas (default: in-process)

Against the local sandbox instead of Wix:
  npm run sandbox -- --seed 1          (prints the sandbox URL, demo token and webhook public key)
  UPSTREAM_URL=http://127.0.0.1:4001 WIX_API_KEY=demo-token npm run serve
or simply \`npm start\`, which runs both wired together.

Exit codes: 0 after SIGINT/SIGTERM, 2 for a configuration error, 1 for anything else.
`;

async function main() {
  parseCommandLine('npm run serve', USAGE);
  let config;
  try {
    config = loadConfig();
  } catch (err) {
    if (err instanceof ConfigError) {
      console.error(`config error: ${err.message}`);
      process.exit(2);
    }
    throw err;
  }
  // Started bare, the gateway would quietly call the real Wix host with no credentials of its own: say so, and how
  // to point it at the sandbox instead.
  if (config.upstreamUrl === DEFAULT_CONFIG.upstreamUrl && !config.wixApiKey) {
    console.log(
      `note: no UPSTREAM_URL and no WIX_API_KEY: calling the real Wix APIs at ${config.upstreamUrl}, and every caller ` +
        'must send its own Authorization header.\n' +
        '      For the local sandbox: `npm run sandbox -- --seed 1`, then ' +
        'UPSTREAM_URL=http://127.0.0.1:4001 WIX_API_KEY=demo-token npm run serve (or just `npm start`).',
    );
  }
  // Imported once the configuration is known good: --help and a bad variable answer without loading the server.
  const { createGateway } = await import('./gateway.js');
  const gateway = await createGateway(config);
  const url = await gateway.start();
  console.log(`attendance-graph gateway: ${url}/graphql (upstream ${config.upstreamUrl})`);
  // Graceful: in-flight requests finish (up to SHUTDOWN_DRAIN_MS), sockets close with 1001, then exit 0. A second
  // signal stops at once.
  const shutdown = (signal: string) => {
    console.log(`attendance-graph gateway: ${signal}, draining (up to ${config.shutdownDrainMs} ms)`);
    process.once(signal, () => process.exit(1));
    gateway.shutdown().then(
      () => process.exit(0),
      (err) => {
        console.error(`shutdown failed: ${err instanceof Error ? err.message : String(err)}`);
        process.exit(1);
      },
    );
  };
  process.once('SIGINT', () => shutdown('SIGINT'));
  process.once('SIGTERM', () => shutdown('SIGTERM'));
}

// A configuration problem found while building the gateway (an unreadable PERSISTED_OPERATIONS_FILE) is exit 2 too.
main().catch((err) => {
  console.error(err instanceof ConfigError ? `config error: ${err.message}` : err instanceof Error ? err.message : err);
  process.exit(err instanceof ConfigError ? 2 : 1);
});
