import assert from 'node:assert/strict';
import { emulator, type Http } from '../emulator/lro-client.js';
import type { BuiltWorkspace } from '../helpers/built.js';
import { runCli } from '../helpers/cli.js';

// Running `dpgce doctor --json` on a built environment, and changing that
// environment first the way a user's change arrives: through the emulated
// Google APIs (raw HTTP, no client-side code), or, for states no API call
// can produce, through the emulator's seed control.

export const PROJECT = 'dpgce-demo-project';
export const LOC = `projects/${PROJECT}/locations/us-central1`;
export const POLICY = `${LOC}/gatewaySecurityPolicies/dpgce-swp-policy`;
export const POOL = `${LOC}/caPools/dpgce-swp-pool`;

export interface Check {
  name: string;
  status: 'pass' | 'warn' | 'fail';
  evidence: string;
  fix: string;
}

export interface DoctorRun {
  code: number | null;
  checks: Check[];
  stdout: string;
  stderr: string;
}

export async function doctor(ws: BuiltWorkspace, env: Record<string, string> = {}): Promise<DoctorRun> {
  const r = await runCli(['doctor', '--json', ...ws.target], { cwd: ws.dir, env });
  let doc: { checks: Check[] };
  try {
    doc = JSON.parse(r.stdout);
  } catch {
    throw new Error(`doctor printed no JSON (exit ${r.code}): ${r.stdout}\n${r.stderr}`);
  }
  return { code: r.code, checks: doc.checks, stdout: r.stdout, stderr: r.stderr };
}

/** The one check of that name; fails the test when it is absent or repeated. */
export function check(run: DoctorRun, name: string): Check {
  const found = run.checks.filter((c) => c.name === name);
  assert.equal(found.length, 1, `${name} in ${run.checks.map((c) => c.name).join(', ')}`);
  return found[0];
}

/** Checks of a group that do not pass, as `name status`. */
export function notPassing(run: DoctorRun, prefix: string): string[] {
  return run.checks.filter((c) => c.name.startsWith(prefix) && c.status !== 'pass').map((c) => `${c.name} ${c.status}`);
}

/** Runs `change` against the workspace's emulator state, then closes it so the CLI can take the state lock. */
export async function changeCloud(ws: BuiltWorkspace, change: (api: Api) => Promise<void>): Promise<void> {
  const http = await emulator({ stateDir: ws.state });
  try {
    await change(api(http));
  } finally {
    await http.close();
  }
}

export interface Api extends Http {
  /** An object upload as `gcloud storage cp` sends it (media, no custom metadata). */
  upload(bucket: string, object: string, text: string): Promise<any>;
  /** A stored resource changed in place (for states no API call can produce). */
  seed(name: string, change: (r: Record<string, any>) => Record<string, any>): Promise<void>;
}

function api(http: Http): Api {
  const url = http.emu.url;
  const raw = async (method: string, path: string, body: string, type: string): Promise<any> => {
    const res = await fetch(url + path, { method, headers: { authorization: 'Bearer t', 'content-type': type }, body });
    const text = await res.text();
    assert.ok(res.ok, `${method} ${path}: ${res.status} ${text}`);
    return text ? JSON.parse(text) : undefined;
  };
  return {
    ...http,
    upload: (bucket, object, text) => raw('POST',
      `/upload/storage/v1/b/${bucket}/o?uploadType=media&name=${encodeURIComponent(object)}`, text, 'text/plain'),
    async seed(name, change) {
      const stored = await http.ok('GET', `/_emulator/resources?prefix=${encodeURIComponent(name)}`);
      const current = stored.resources[name];
      assert.ok(current, `no stored resource ${name}`);
      await http.ok('POST', '/_emulator/seed', { resources: { [name]: change(structuredClone(current)) } });
    },
  };
}
