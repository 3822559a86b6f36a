/**
 * The sandbox's webhook signing key. Wix signs webhooks RS256 and apps verify them with the RSA SPKI PEM from the
 * app dashboard (docs/upstream.md §1.8), so the sandbox holds an RSA 2048 pair and hands out the public PEM. A key file
 * lets a long-running sandbox keep the same key across restarts, so a gateway configured with its PEM keeps working.
 */
import { chmod, mkdir, readFile, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { exportPKCS8, exportSPKI, generateKeyPair, importPKCS8, type CryptoKey } from 'jose';
import { createPublicKey } from 'node:crypto';

export interface SandboxKeys {
  privateKey: CryptoKey;
  /** `-----BEGIN PUBLIC KEY-----` SPKI PEM, what AppStrategy({publicKey}) and the gateway's verifier take. */
  publicKeyPem: string;
  privateKeyPem: string;
}

/**
 * No file: a fresh pair for this process. A file that exists: its PKCS8 PEM. A file that does not exist yet: a fresh
 * pair, written there with mode 0600 (it is a private key).
 */
export async function loadOrGenerateKeys(file?: string): Promise<SandboxKeys> {
  if (file) {
    const pem = await readFile(file, 'utf8').catch((err: NodeJS.ErrnoException) => {
      if (err.code === 'ENOENT') return undefined;
      throw err;
    });
    if (pem !== undefined) return fromPrivatePem(pem, file);
  }
  const { privateKey, publicKey } = await generateKeyPair('RS256', { modulusLength: 2048, extractable: true });
  const keys = { privateKey, publicKeyPem: await exportSPKI(publicKey), privateKeyPem: await exportPKCS8(privateKey) };
  if (file) {
    await mkdir(dirname(file), { recursive: true });
    await writeFile(file, keys.privateKeyPem, { mode: 0o600, flag: 'wx' });
    await chmod(file, 0o600);
  }
  return keys;
}

// Private helpers.

async function fromPrivatePem(pem: string, file: string): Promise<SandboxKeys> {
  if (!pem.includes('-----BEGIN PRIVATE KEY-----')) {
    throw new Error(`${file}: expected a PKCS8 PEM ("-----BEGIN PRIVATE KEY-----"), got ${JSON.stringify(pem.slice(0, 40))}`);
  }
  const privateKey = await importPKCS8(pem, 'RS256', { extractable: true });
  // The public half is derived from the private key, so the file needs to hold only one PEM.
  const publicKeyPem = createPublicKey(pem).export({ type: 'spki', format: 'pem' }).toString().trimEnd();
  return { privateKey, publicKeyPem, privateKeyPem: pem };
}
