/**
 * `npm run sandbox -- --port 4001 --seed 1 [--token demo-token] [--keys file] [--host 127.0.0.1]`
 * Starts the sandbox, prints its URL, the demo token and the webhook public key, and stops on SIGINT/SIGTERM.
 * The only place the sandbox reads the command line.
 */
import { parseArgs } from 'node:util';
import { createSandbox } from './sandbox.js';

const { values } = parseArgs({
  options: {
    port: { type: 'string', default: '4001' },
    host: { type: 'string', default: '127.0.0.1' },
    seed: { type: 'string' },
    token: { type: 'string', default: 'demo-token' },
    keys: { type: 'string' },
  },
  strict: true,
});

const port = Number(values.port);
if (!Number.isInteger(port) || port < 0 || port > 65535) fail(`--port expects 0..65535, got ${JSON.stringify(values.port)}`);
const seed = values.seed === undefined ? undefined : Number(values.seed);
if (seed !== undefined && !Number.isInteger(seed)) fail(`--seed expects an integer, got ${JSON.stringify(values.seed)}`);

const sandbox = await createSandbox({
  port,
  host: values.host,
  demoToken: values.token,
  ...(seed !== undefined ? { seed } : {}),
  ...(values.keys ? { keysFile: values.keys } : {}),
});

console.log(`sandbox listening on ${sandbox.url}`);
console.log(`demo token: ${sandbox.demoToken}${seed === undefined ? ' (no demo data: pass --seed N)' : ` (seeded with ${seed})`}`);
console.log(`control API: ${sandbox.url}/__sandbox/`);
console.log('webhook public key:');
console.log(sandbox.publicKeyPem.trim());

let stopping = false;
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.on(signal, () => {
    if (stopping) return;
    stopping = true;
    void sandbox.stop().then(() => process.exit(0));
  });
}

function fail(message: string): never {
  console.error(`sandbox: ${message}`);
  process.exit(2);
}
