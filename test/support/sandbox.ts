/**
 * A sandbox on port 0 for the sandbox's own tests, and a tiny JSON client for it. `call` sends the token as the
 * raw Authorization header (null = none), like the gateway and the SDK do.
 */
import { createSandbox, type Sandbox, type SandboxOptions } from '../../src/sandbox/sandbox.js';

export interface CallResult<T = any> {
  status: number;
  body: T;
  headers: Headers;
}

export interface TestSandbox {
  sandbox: Sandbox;
  url: string;
  /** The demo tenant's token. */
  token: string;
  call<T = any>(method: string, path: string, body?: unknown, token?: string | null): Promise<CallResult<T>>;
  /** POST/GET/DELETE /__sandbox/<path>; throws unless 2xx. */
  control<T = any>(method: string, path: string, body?: unknown): Promise<T>;
  stop(): Promise<void>;
}

export async function startSandbox(opts: SandboxOptions = {}): Promise<TestSandbox> {
  const sandbox = await createSandbox({ port: 0, ...opts });
  const url = sandbox.url;
  const call = async (method: string, path: string, body?: unknown, token: string | null = sandbox.demoToken) => {
    const headers: Record<string, string> = {};
    if (token !== null) headers.authorization = token;
    if (body !== undefined) headers['content-type'] = 'application/json';
    const res = await fetch(`${url}${path}`, { method, headers, body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body) });
    const text = await res.text();
    let parsed: any = text;
    try {
      parsed = text ? JSON.parse(text) : {};
    } catch {
      // not JSON (e.g. the PEM): keep the text
    }
    return { status: res.status, body: parsed, headers: res.headers };
  };
  return {
    sandbox,
    url,
    token: sandbox.demoToken,
    call,
    async control(method, path, body) {
      const res = await call(method, `/__sandbox/${path}`, body, null);
      if (res.status < 200 || res.status > 299) throw new Error(`sandbox control ${method} ${path}: ${res.status} ${JSON.stringify(res.body)}`);
      return res.body;
    },
    stop: () => sandbox.stop(),
  };
}
