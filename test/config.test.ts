import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../src/gateway/config.js';

const root = join(import.meta.dirname, '..');

describe('configuration', () => {
  it('uses the documented defaults when nothing is set', () => {
    const config = loadConfig({});
    expect(config).toMatchObject({ port: 4000, upstreamUrl: 'https://www.wixapis.com', upstreamRetries: 2, webhookPublicKeys: [] });
    expect(config.redisUrl).toBeUndefined();
  });

  it.each([
    [{ PORT: 'abc' }, /^PORT must be an integer from 0 to 65535, got "abc"$/],
    [{ PORT: '70000' }, /^PORT must be an integer/],
    [{ UPSTREAM_URL: 'not a url' }, /^UPSTREAM_URL must be a URL/],
    [{ UPSTREAM_URL: 'ftp://x' }, /^UPSTREAM_URL must use http: or https:/],
    [{ REDIS_URL: 'http://x' }, /^REDIS_URL must use redis: or rediss:/],
    [{ LOG_LEVEL: 'loud' }, /^LOG_LEVEL must be one of/],
    [{ GRAPHIQL: 'maybe' }, /^GRAPHIQL must be true or false/],
    [{ WIX_WEBHOOK_PUBLIC_KEY: 'not-a-key' }, /^WIX_WEBHOOK_PUBLIC_KEY must be an RSA public key PEM/],
  ])('rejects %o with a message naming the variable', (env, message) => {
    expect(() => loadConfig(env)).toThrow(ConfigError);
    expect(() => loadConfig(env)).toThrow(message);
  });

  it('accepts several webhook keys, as PEM or base64 of the PEM, for key rotation', () => {
    const pem = '-----BEGIN PUBLIC KEY-----\nMIIBIjANBgkq\n-----END PUBLIC KEY-----\n';
    const config = loadConfig({ WIX_WEBHOOK_PUBLIC_KEY: pem, WIX_WEBHOOK_PUBLIC_KEY_2: Buffer.from(pem).toString('base64') });
    expect(config.webhookPublicKeys).toEqual([pem, pem]);
  });

  it('never echoes the API key in an error', () => {
    const secret = 'IST.super-secret-key';
    expect(() => loadConfig({ WIX_API_KEY: secret, PORT: 'x' })).toThrow(/PORT/);
    try {
      loadConfig({ WIX_API_KEY: secret, UPSTREAM_URL: secret });
    } catch (err) {
      expect(String(err)).not.toContain(secret);
    }
  });

  it('makes `npm run serve` print one line naming the bad variable and exit non-zero', () => {
    const result = spawnSync(process.execPath, ['--import', 'tsx', join(root, 'src/gateway/main.ts')], {
      env: { ...process.env, PORT: 'eighty', WIX_API_KEY: 'secret-value' },
      encoding: 'utf8',
      timeout: 60_000, // tsx compiles the gateway first: slow on a loaded 2-core machine
    });
    expect(result.status).not.toBe(0);
    expect(result.stderr.trim()).toBe('config error: PORT must be an integer from 0 to 65535, got "eighty"');
    expect(result.stdout + result.stderr).not.toContain('secret-value');
  });
});
