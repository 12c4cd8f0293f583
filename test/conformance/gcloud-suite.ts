import { readFileSync, writeFileSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Emulator } from '../../src/emulator/server.js';
import { REPO_ROOT } from '../helpers/example.js';
import { gcloudEnv, runGcloud } from './gcloud-run.js';
import { ORG_POLICY_SCRIPT } from './gcloud-scripts-orgpolicy.js';
import { CONNECTIVITY_SCRIPT } from './gcloud-scripts-connectivity.js';
import { DATAPROC_SCRIPT, SWP_SCRIPT } from './gcloud-scripts-swp.js';
import { DNS_IAM_SCRIPT, NETWORK_SCRIPT, STORAGE_SECRETS_SCRIPT, type Script, type Step } from './gcloud-scripts.js';

// Runs every gcloud script against a running emulator (scripts side by side,
// steps in order) and judges each step. Used by `npm run conformance` and by
// the conformance test.

export const SCRIPTS: Script[] = [NETWORK_SCRIPT, SWP_SCRIPT, DNS_IAM_SCRIPT, STORAGE_SECRETS_SCRIPT, DATAPROC_SCRIPT,
  ORG_POLICY_SCRIPT, CONNECTIVITY_SCRIPT];

export interface StepResult {
  script: string;
  command: string;
  expected: 'ok' | 'fails';
  passed: boolean;
  ms: number;
  /** What went wrong, or for a negative case the error gcloud printed. */
  detail: string;
}

/** Scripts run `parallel` at a time (gcloud is CPU-bound: about a second of it per command). */
export async function runSuite(emu: Emulator, scripts = SCRIPTS, parallel = 2): Promise<StepResult[]> {
  const results: StepResult[][] = [];
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < scripts.length) {
      const i = next++;
      results[i] = await runScript(emu, scripts[i]);
    }
  };
  await Promise.all(Array.from({ length: Math.min(parallel, scripts.length) }, worker));
  return results.flat();
}

async function runScript(emu: Emulator, script: Script): Promise<StepResult[]> {
  // 1. The script's folder, files and project number.
  const dir = mkdtempSync(join(tmpdir(), 'dpgce-conformance-'));
  const number = await projectNumber(emu, script.project);
  const fill = (s: string): string =>
    s.replaceAll('{P}', script.project).replaceAll('{N}', number).replaceAll('{D}', dir);
  for (const [name, text] of Object.entries(script.files ?? {})) writeFileSync(join(dir, name), fill(text));
  const env = gcloudEnv(emu.url, script.project);

  // 2. Each step in order; a script goes on after a failure, so one run shows every difference.
  const results: StepResult[] = [];
  for (const step of script.steps) {
    const args = step.args.map(fill);
    if (step.raw === undefined) args.push('--format=json');
    const r = await runGcloud(args, env, dir);
    results.push({
      script: script.name, command: `gcloud ${args.filter((a) => a !== '--format=json').join(' ')}`,
      expected: step.fails ? 'fails' : 'ok', ms: r.ms, ...judge(step, r.code, r.stdout, r.stderr),
    });
  }
  return results;
}

function judge(step: Step, code: number | null, stdout: string, stderr: string): { passed: boolean; detail: string } {
  // gcloud's error: the ERROR line and what follows it (compute puts the reason below).
  const at = stderr.lastIndexOf('ERROR:');
  const lastError = (at >= 0 ? stderr.slice(at) : stderr).trim().replace(/\s*\n\s*/g, ' ').slice(0, 300);
  if (step.fails) {
    if (code === 0) return { passed: false, detail: 'succeeded, but the real service refuses this' };
    return step.fails.test(stderr)
      ? { passed: true, detail: lastError }
      : { passed: false, detail: `failed, but not with ${step.fails}: ${lastError}` };
  }
  if (code !== 0) return { passed: false, detail: `exit ${code}: ${lastError}` };
  if (typeof step.raw === 'string') {
    return stdout === step.raw ? { passed: true, detail: '' } : { passed: false, detail: `printed ${JSON.stringify(stdout)}` };
  }
  if (step.raw) return { passed: true, detail: '' };
  let out: unknown;
  try {
    out = stdout.trim() ? JSON.parse(stdout) : [];
  } catch {
    return { passed: false, detail: `output is not JSON: ${stdout.slice(0, 200)}` };
  }
  const problem = step.check?.(out);
  return problem ? { passed: false, detail: problem } : { passed: true, detail: '' };
}

async function projectNumber(emu: Emulator, project: string): Promise<string> {
  const res = await fetch(`${emu.url}/v1/projects/${project}`, { headers: { authorization: 'Bearer t' } });
  return ((await res.json()) as { projectNumber: string }).projectNumber;
}

/**
 * The APIs dpgce calls (the clients in src/gcp/clients.ts), as the
 * emulator's request log names them.
 */
export function toolApis(): string[] {
  const text = readFileSync(new URL('src/gcp/clients.ts', REPO_ROOT), 'utf8');
  const names = [...text.matchAll(/^ {2}([a-zA-Z]+): async \(\) =>/gm)].map((m) => m[1]);
  return [...new Set(names.map((n) => n.replace(/Beta$/, '')))].sort();
}

/** One line per command, then a line per script, for people reading CI logs. */
export function report(results: StepResult[], emu: Emulator): string {
  const lines: string[] = [];
  for (const r of results) {
    const mark = r.passed ? 'ok  ' : 'FAIL';
    const how = r.expected === 'fails' ? ' (must fail)' : '';
    lines.push(`${mark} ${(r.ms / 1000).toFixed(1).padStart(5)}s ${r.command}${how}${r.detail ? `\n            -> ${r.detail}` : ''}`);
  }
  const used = new Set(emu.requests.map((q) => q.api));
  const missing = toolApis().filter((a) => !used.has(a));
  const failed = results.filter((r) => !r.passed).length;
  lines.push('', `${results.length} commands, ${failed} failed; APIs dpgce calls: ${toolApis().join(', ')}`,
    missing.length ? `not covered by any command: ${missing.join(', ')}` : 'every one of them covered');
  return lines.join('\n');
}
