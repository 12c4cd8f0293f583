// Loading env.json: bytes → text → entries → validated EnvConfig. Every
// problem comes back as a Diagnostic; nothing here throws on bad input, and
// nothing here touches the network.

import { readFile } from 'node:fs/promises';
import { buildConfig } from './build.js';
import { parseEnvText } from './parse.js';
import type { Diagnostic, LoadResult } from './types.js';
import { validateEntries } from './validate.js';

function fileError(summary: string, detail: string): LoadResult {
  return { diagnostics: [{ severity: 'error', key: 'env.json', summary, detail }] };
}

function hasError(diagnostics: readonly Diagnostic[]): boolean {
  return diagnostics.some((d) => d.severity === 'error');
}

/**
 * Parses and validates env.json text. `file` is only used in messages
 * (`env.json:3:7: ...`). The config is present only when there is no error.
 */
export function loadEnvText(text: string, file: string): LoadResult {
  const parsed = parseEnvText(text, file);
  if (!parsed.entries) return { diagnostics: parsed.diagnostics };

  const validation = validateEntries(parsed.entries);
  const diagnostics = [...parsed.diagnostics, ...validation.diagnostics];
  if (hasError(diagnostics) || validation.envName === undefined) return { diagnostics };
  return { config: buildConfig(validation.values, validation.envName), diagnostics };
}

/** Like loadEnvText, from raw bytes: they must be UTF-8. */
export function loadEnvBytes(bytes: Uint8Array, file: string): LoadResult {
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    return fileError(`${file} is not valid UTF-8 text`,
      'Save env.json as UTF-8 (without a UTF-16 byte order mark).');
  }
  return loadEnvText(text, file);
}

/** Reads and validates env.json; a missing or unreadable file is one error. */
export async function loadEnvFile(path: string): Promise<LoadResult> {
  let bytes: Uint8Array;
  try {
    bytes = await readFile(path);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') {
      return fileError(`${path} does not exist`,
        'Create it (see examples/env.json) or pass --env FILE.');
    }
    return fileError(`${path} cannot be read (${code ?? String(err)})`,
      'Check that it is a readable file, or pass --env FILE.');
  }
  return loadEnvBytes(bytes, path);
}
