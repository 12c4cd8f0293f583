// An environment `up --local` has built, for tests that inspect or break a
// finished environment (doctor, status). Building takes seconds, so each
// test process builds one template per kind and hands every caller its own
// copy of the folder (env.json, uefi/ and the emulator state).

import { cpSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli, workspace } from './cli.js';
import { gpuWorkspace } from './gpu.js';

export interface BuiltWorkspace {
  dir: string;
  env: string;
  state: string;
  /** `--env <env> --local --local-state <state>`. */
  target: string[];
}

const templates = new Map<string, Promise<string>>();

async function buildTemplate(kind: 'example' | 'gpu'): Promise<string> {
  const ws = kind === 'gpu' ? await gpuWorkspace() : workspace();
  const target = ['--env', 'env.json', '--local', '--local-state', 'state'];
  if (kind === 'gpu') {
    const keys = await runCli(['secure-boot', 'keys', ...target], { cwd: ws.dir });
    if (keys.code !== 0) throw new Error(`secure-boot keys failed: ${keys.stderr}`);
  }
  const up = await runCli(['up', '--yes', ...target], { cwd: ws.dir });
  if (up.code !== 0) throw new Error(`up failed: ${up.stderr}`);
  return ws.dir;
}

/**
 * A private copy of a built environment: `example` is examples/env.json (the
 * foundation), `gpu` is examples/env-gpu.json (foundation and cluster).
 */
export async function builtWorkspace(kind: 'example' | 'gpu' = 'example'): Promise<BuiltWorkspace> {
  let template = templates.get(kind);
  if (!template) templates.set(kind, (template = buildTemplate(kind)));
  const dir = mkdtempSync(join(tmpdir(), `dpgce-built-${kind}-`));
  cpSync(await template, dir, { recursive: true });
  const env = join(dir, 'env.json');
  const state = join(dir, 'state');
  return { dir, env, state, target: ['--env', env, '--local', '--local-state', state] };
}
