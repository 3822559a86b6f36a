/** `npm run serve`: the gateway alone, configured from the environment (see README's table). */
import { ConfigError, loadConfig } from './config.js';
import { createGateway } from './gateway.js';

async function main() {
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

main().catch((err) => {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});
