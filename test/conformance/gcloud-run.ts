import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { clientEnvironment } from '../../src/cli/emulator.js';

// Running the real gcloud against the emulator, hermetically: a fresh
// configuration folder per script, endpoint overrides for every API, a fake
// token, no metadata probing (GCE_METADATA_ROOT refuses at once), no usage
// reporting, no update check, no prompts, and no proxy. Nothing leaves
// 127.0.0.1 (emulators-and-boot-harness.md §2.1).

/** gcloud's path, or why there is none (the suite is then skipped with that reason). */
export function findGcloud(): { path?: string; reason?: string } {
  const probe = spawnSync('gcloud', ['--version'], { encoding: 'utf8', env: { ...process.env, CLOUDSDK_CORE_DISABLE_PROMPTS: '1' } });
  if (probe.error || probe.status !== 0) return { reason: 'gcloud is not installed on this machine (not on PATH)' };
  const version = /Google Cloud SDK (\S+)/.exec(probe.stdout)?.[1] ?? 'unknown';
  return { path: 'gcloud', reason: `gcloud ${version}` };
}

export interface GcloudResult {
  args: string[];
  code: number | null;
  stdout: string;
  stderr: string;
  ms: number;
}

/** A hermetic environment for one script: its own configuration folder and project. */
export function gcloudEnv(url: string, project: string): Record<string, string> {
  const config = mkdtempSync(join(tmpdir(), 'dpgce-gcloud-'));
  // A pre-seeded "not on GCE" answer: no metadata probe even without GCE_METADATA_ROOT.
  writeFileSync(join(config, 'gce'), 'False');
  const env: Record<string, string> = {};
  for (const [k, v] of Object.entries(process.env)) {
    if (v !== undefined && !/^(CLOUDSDK_|GOOGLE_|GCE_|HTTPS?_PROXY|https?_proxy|BOTO_)/.test(k)) env[k] = v;
  }
  return {
    ...env,
    ...clientEnvironment(url),
    CLOUDSDK_CONFIG: config,
    CLOUDSDK_CORE_PROJECT: project,
    CLOUDSDK_CORE_DISABLE_PROMPTS: '1',
    CLOUDSDK_SURVEY_DISABLE_PROMPTS: '1',
    NO_PROXY: '127.0.0.1,localhost',
  };
}

export function runGcloud(args: string[], env: Record<string, string>, cwd: string): Promise<GcloudResult> {
  const started = Date.now();
  return new Promise((resolve, reject) => {
    const child = spawn('gcloud', args, { env, cwd, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c) => (stdout += c));
    child.stderr.on('data', (c) => (stderr += c));
    child.on('error', reject);
    child.on('close', (code) => resolve({ args, code, stdout, stderr, ms: Date.now() - started }));
  });
}
