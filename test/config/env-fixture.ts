// Shared fixtures for the config tests. Tests run from dist/test/config/,
// so files are found relative to the repository root, three levels up.

import { readFileSync } from 'node:fs';
import { parse } from 'jsonc-parser';
import { loadEnvText } from '../../src/config/load.js';
import type { Diagnostic, LoadResult } from '../../src/config/types.js';

export const REPO_ROOT = new URL('../../../', import.meta.url);
export const EXAMPLE_ENV = new URL('examples/env.json', REPO_ROOT);
export const BAD_CORPUS = new URL('test/config/bad/', REPO_ROOT);

/** The example env.json's values, a fresh copy each call. */
export function exampleValues(): Record<string, unknown> {
  return parse(readFileSync(EXAMPLE_ENV, 'utf8')) as Record<string, unknown>;
}

/** Loads the example with some keys changed; `undefined` removes a key. */
export function loadWith(changes: Record<string, unknown>): LoadResult {
  const values: Record<string, unknown> = { ...exampleValues(), ...changes };
  for (const [key, value] of Object.entries(changes)) if (value === undefined) delete values[key];
  return loadEnvText(JSON.stringify(values, null, 2), 'env.json');
}

export function errors(result: LoadResult): Diagnostic[] {
  return result.diagnostics.filter((d) => d.severity === 'error');
}

export function warnings(result: LoadResult): Diagnostic[] {
  return result.diagnostics.filter((d) => d.severity === 'warning');
}

/** A compact form for assertion messages. */
export function describeDiagnostics(result: LoadResult): string {
  const lines = result.diagnostics.map((d) => `${d.severity} ${d.key}: ${d.summary}`);
  return lines.join('\n') || '(none)';
}
