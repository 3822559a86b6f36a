import { createRequire } from 'node:module';
import { defineConfig } from 'vitest/config';

const require = createRequire(import.meta.url);

export default defineConfig({
  resolve: {
    // Node resolves `graphql` to its CommonJS entry (the package has no "exports"), Vite to its "module" entry: two
    // copies, and GraphQLError instanceof checks (Yoga's error masking) fail across them. Tests use Node's choice.
    alias: [{ find: /^graphql$/, replacement: require.resolve('graphql') }],
  },
  test: {
    include: ['test/**/*.test.ts'],
    // Starts a throwaway redis-server when REDIS_URL is unset (test/support/redis-setup.ts).
    globalSetup: ['test/support/redis-setup.ts'],
    // Generous: on a shared 2-core machine under load (load average 20+), a sandbox test that waits for a few hundred
    // RS256-signed webhooks to drain took 30 s even on code that passes in 2 s idle. Timeouts catch hangs, not speed.
    testTimeout: 90_000,
    hookTimeout: 60_000,
    // Every test file starts its own sandbox and gateway on port 0; two cores do not
    // profit from more than two files at once.
    maxWorkers: 2,
    fileParallelism: true,
  },
});
