import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { parse } from 'jsonc-parser';
import { readFileSync } from 'node:fs';
import { runCli, workspace } from '../helpers/cli.js';

// The same scenario as up-down.test.ts, against a real Google Cloud project.
// Opt-in: it runs only when DPGCE_E2E_PROJECT names a project and
// Application Default Credentials can act in it (see docs/testing.md). It
// creates billable resources (a Secure Web Proxy gateway) and deletes them
// at the end; ENV_NAME is unique per run so parallel runs never meet.

const project = process.env.DPGCE_E2E_PROJECT;
const region = process.env.DPGCE_E2E_REGION ?? 'us-central1';

describe('against a real project (DPGCE_E2E_PROJECT)', { skip: project ? false : 'DPGCE_E2E_PROJECT is not set' }, () => {
  const ws = workspace();
  const suffix = Date.now().toString(36).slice(-6);
  const env = {
    ...(parse(readFileSync(ws.env, 'utf8')) as object),
    PROJECT_ID: project, REGION: region, ZONE: `${region}-a`, ENV_NAME: `e2e-${suffix}`,
    BUCKET: `${project}-e2e-${suffix}-staging`, TEMP_BUCKET: `${project}-e2e-${suffix}-temp`,
    PROXY_CERT_GCS_PATH: `gs://${project}-e2e-${suffix}-staging/proxy.cer`, SUBNET: `e2e-${suffix}-cluster`,
  };
  writeFileSync(ws.env, JSON.stringify(env, null, 2));
  const cli = (...args: string[]) => runCli([...args, '--env', ws.env], { cwd: ws.dir });

  it('up builds the foundation', { timeout: 60 * 60_000 }, async () => {
    const r = await cli('up', '--yes', '--json');
    assert.equal(r.code, 0, r.stderr);
  });

  it('a second plan has no changes', { timeout: 10 * 60_000 }, async () => {
    const r = await cli('plan', '--detailed-exitcode');
    assert.equal(r.code, 0, r.stdout);
  });

  it('status shows everything present', { timeout: 10 * 60_000 }, async () => {
    const r = await cli('status', '--json');
    assert.equal(r.code, 0, r.stdout);
  });

  it('down removes it all', { timeout: 60 * 60_000 }, async () => {
    const r = await cli('down', '--yes', '--json');
    assert.equal(r.code, 0, r.stderr);
    const again = await cli('plan', '--json');
    assert.ok(JSON.parse(again.stdout).changes.every((c: any) => c.action === 'create'));
  });
});
