// Spawning the built CLI, as a user would run it, and reading what the
// embedded emulator recorded in its state folder.

import { spawn } from 'node:child_process';
import { copyFileSync, existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EXAMPLE_ENV, REPO_ROOT } from './example.js';

export const CLI = new URL('bin/dpgce.js', REPO_ROOT).pathname;
/**
 * tsc's output of the CLI, one module per source file. The launcher runs the
 * bundle instead (scripts/bundle.mjs); a test that watches which modules a
 * command loads must run this.
 */
export const COMPILED_CLI = new URL('dist/src/cli/main.js', REPO_ROOT).pathname;

export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

export function runCli(args: string[], opts: { cwd: string; env?: Record<string, string>; entry?: string }): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [opts.entry ?? CLI, ...args], {
      cwd: opts.cwd,
      env: { ...process.env, NO_COLOR: '1', ...opts.env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c) => (stdout += c));
    child.stderr.on('data', (c) => (stderr += c));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

/** A fresh working folder holding a copy of the example env.json. */
export function workspace(): { dir: string; env: string; state: string } {
  const dir = mkdtempSync(join(tmpdir(), 'dpgce-e2e-'));
  const env = join(dir, 'env.json');
  copyFileSync(EXAMPLE_ENV, env);
  return { dir, env, state: join(dir, 'state') };
}

export interface LogLine {
  time: string;
  api: string;
  method: string;
  path: string;
  status: number;
  mutating: boolean;
}

export function requestLog(state: string): LogLine[] {
  const file = join(state, 'requests.jsonl');
  if (!existsSync(file)) return [];
  return readFileSync(file, 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l) as LogLine);
}

export function stateResources(state: string): Record<string, Record<string, any>> {
  return JSON.parse(readFileSync(join(state, 'state.json'), 'utf8')).resources;
}
