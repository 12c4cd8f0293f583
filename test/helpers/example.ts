// The example environment as the planner sees it, for tests that need a
// config, its names and its desired graph without touching any API.

import { readFileSync } from 'node:fs';
import { parse } from 'jsonc-parser';
import { loadEnvText } from '../../src/config/load.js';
import { deriveNames } from '../../src/config/names.js';
import type { EnvConfig } from '../../src/config/types.js';
import { desiredGraph } from '../../src/plan/graph.js';
import type { Desired, Observed } from '../../src/resources/types.js';

export const REPO_ROOT = new URL('../../../', import.meta.url);
export const EXAMPLE_ENV = new URL('examples/env.json', REPO_ROOT).pathname;

export function exampleEnv(changes: Record<string, unknown> = {}): EnvConfig {
  const values = { ...(parse(readFileSync(EXAMPLE_ENV, 'utf8')) as object), ...changes };
  const { config, diagnostics } = loadEnvText(JSON.stringify(values), 'env.json');
  if (!config) throw new Error(`example env invalid: ${JSON.stringify(diagnostics)}`);
  return config;
}

export function exampleGraph(changes: Record<string, unknown> = {}): Desired[] {
  const config = exampleEnv(changes);
  return desiredGraph(config, deriveNames(config), { bootScript: '#!/bin/bash\necho test\n' });
}

/** What the cloud would hold after a perfect `up`: every resource present, ours and matching. */
export function builtState(graph: Desired[]): Map<string, Observed> {
  const m = new Map<string, Observed>();
  for (const d of graph) {
    const actual: Record<string, any> = structuredClone(d.spec);
    if (d.kind === 'certificate-authority') actual.state = 'ENABLED';
    if (d.kind === 'object') Object.assign(actual, { md5Hash: 'x', wantMd5: 'x' });
    m.set(d.address, { exists: true, owned: true, actual });
  }
  return m;
}
