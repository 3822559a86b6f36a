/**
 * The gateway as its own process (`npm run serve`'s main.ts), for tests that read what it writes to its logs.
 */
import { spawn } from 'node:child_process';
import { join } from 'node:path';

export interface GatewayProcess {
  /** http://127.0.0.1:port/graphql */
  url: string;
  /** Everything written to stdout and stderr so far. */
  output(): string;
  /** Resolves once the output contains `text` (waits on the process's writes, not on a timer). */
  waitFor(text: string): Promise<void>;
  stop(): void;
  /** Send `signal` (SIGKILL: the replica dies mid-request); resolves with how the process ended. */
  kill(signal: NodeJS.Signals): Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** SIGTERM, resolved once the process has exited and its pipes closed (every log line written is in output()). */
  close(): Promise<void>;
}

export async function startGatewayProcess(env: Record<string, string>): Promise<GatewayProcess> {
  const child = spawn(process.execPath, ['--import', 'tsx', join(import.meta.dirname, '..', '..', 'src/gateway/main.ts')], {
    env: { ...process.env, PORT: '0', HOST: '127.0.0.1', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout.on('data', (d) => (output += d));
  child.stderr.on('data', (d) => (output += d));
  const url = await new Promise<string>((resolve, reject) => {
    child.once('exit', () => reject(new Error(`gateway exited before listening: ${output}`)));
    child.stdout.on('data', () => {
      const m = /(http:\/\/\S+\/graphql)/.exec(output);
      if (m) resolve(m[1]!);
    });
  }).catch((err) => {
    child.kill('SIGTERM');
    throw err;
  });
  return {
    url,
    output: () => output,
    async waitFor(text) {
      while (!output.includes(text)) await new Promise((resolve) => child.stdout.once('data', resolve));
    },
    stop: () => void child.kill('SIGTERM'),
    kill(signal) {
      if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve({ code: child.exitCode, signal: child.signalCode });
      const ended = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => child.once('exit', (code, sig) => resolve({ code, signal: sig })));
      child.kill(signal);
      return ended;
    },
    close() {
      if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
      const closed = new Promise<void>((resolve) => child.once('close', () => resolve()));
      child.kill('SIGTERM');
      return closed;
    },
  };
}
