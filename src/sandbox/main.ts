/**
 * `npm run sandbox -- --port 4001 --seed 1 [--token demo-token] [--keys file] [--host 127.0.0.1]`
 * Starts the sandbox, prints its URL, the demo token and the webhook public key, and stops on SIGINT/SIGTERM.
 * The only place the sandbox reads the command line.
 */
import { parseArgs } from 'node:util';
import { createSandbox } from './sandbox.js';

const USAGE = `
Usage: npm run sandbox -- [--port 4001] [--host 127.0.0.1] [--seed N] [--token demo-token] [--keys FILE]

Starts the emulated Wix attendance APIs (docs/sandbox.md) and prints its URL, the demo token and the public key
its webhooks are signed with.

  --port N       port to listen on; 0 picks a free one (default 4001)
  --host ADDR    interface to bind (default 127.0.0.1; its control API lets anyone rewrite its data)
  --seed N       fill the demo tenant with deterministic demo data from seed N (default: no data)
  --token T      the demo tenant's token (default demo-token)
  --keys FILE    PEM file holding the webhook signing key pair, kept across restarts (default: a new pair per run)
  -h, --help     this text

Exit codes: 0 after SIGINT/SIGTERM, 2 for a bad flag.
`;

let parsed;
try {
  parsed = parseArgs({
    options: {
      port: { type: 'string', default: '4001' },
      host: { type: 'string', default: '127.0.0.1' },
      seed: { type: 'string' },
      token: { type: 'string', default: 'demo-token' },
      keys: { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
    strict: true,
  });
} catch (err) {
  // parseArgs names the flag in its first sentence; the rest (and a stack trace) helps nobody.
  fail(`${(err instanceof Error ? err.message : String(err)).split('. ')[0]} (see npm run sandbox -- --help)`);
}
const { values } = parsed;
if (values.help) {
  console.log(USAGE.trim());
  process.exit(0);
}

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
