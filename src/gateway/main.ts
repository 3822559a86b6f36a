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
  const shutdown = () => {
    gateway.stop().finally(() => process.exit(0));
  };
  process.once('SIGINT', shutdown);
  process.once('SIGTERM', shutdown);
}

main().catch((err) => {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});
