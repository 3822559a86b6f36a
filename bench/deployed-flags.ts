/**
 * The node flags a checkout's `npm run serve` starts its gateway with (its src/gateway/runtime.ts GATEWAY_NODE_FLAGS;
 * none for a checkout from before it had them), so a benchmark measures a gateway as it is deployed.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';

export async function deployedFlags(checkout: string): Promise<string[]> {
  const runtime = join(checkout, 'src', 'gateway', 'runtime.ts');
  if (!existsSync(runtime)) return [];
  return [...(((await import(runtime)) as { GATEWAY_NODE_FLAGS?: readonly string[] }).GATEWAY_NODE_FLAGS ?? [])];
}
