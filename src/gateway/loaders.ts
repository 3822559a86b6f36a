/**
 * Per-request DataLoaders (STYLE.md example 3). PLACEHOLDER: the graph work (issue 3) replaces this module.
 */
import type { Upstream } from './upstream/index.js';

export interface LoaderOptions {
  /** Test-only switch: false makes every load its own upstream call, to show the N+1 the loaders prevent. */
  batch: boolean;
}

export function createLoaders(_upstream: Upstream, _options: LoaderOptions) {
  return {};
}
export type Loaders = ReturnType<typeof createLoaders>;
