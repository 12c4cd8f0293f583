import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { startEmulator } from '../../src/emulator/server.js';
import { findGcloud, gcloudEnv, runGcloud } from '../conformance/gcloud-run.js';
import { check, doctor, PROJECT } from '../doctor/doctor-run.js';
import { builtWorkspace } from '../helpers/built.js';
import { runCli } from '../helpers/cli.js';

// The tester's flow for finding 9: `gcloud ... rules export`, edit the YAML,
// `rules import` on the existing rule. gcloud sends that as PATCH
// ?updateMask=* (command_lib/network_security/hooks.py SetUpdateMask), which
// Google applies as a full replacement (AIP-134); the change must then be
// what doctor and plan see.

const gcloud = findGcloud();

describe('gcloud rules import on an existing rule', { skip: gcloud.path ? undefined : gcloud.reason }, () => {
  it('replaces the rule, so doctor fails allows-needed-hosts naming it and plan shows the drift', async () => {
    const ws = await builtWorkspace();
    const yaml = join(ws.dir, 'rule.yaml');
    const where = ['--gateway-security-policy=dpgce-swp-policy', '--location=us-central1'];
    const e = await startEmulator({ stateDir: ws.state });
    try {
      const env = gcloudEnv(e.url, PROJECT);
      const rules = ['network-security', 'gateway-security-policies', 'rules'];
      const exported = await runGcloud([...rules, 'export', 'dataproc-gpu', ...where, `--destination=${yaml}`],
        env, ws.dir);
      assert.equal(exported.code, 0, exported.stderr);
      const text = readFileSync(yaml, 'utf8');
      assert.match(text, /basicProfile: ALLOW/);
      writeFileSync(yaml, text.replace('basicProfile: ALLOW', 'basicProfile: DENY'));
      const imported = await runGcloud([...rules, 'import', 'dataproc-gpu', ...where, `--source=${yaml}`],
        env, ws.dir);
      assert.equal(imported.code, 0, imported.stderr);
      // The rules group has no describe: a second export shows what is stored.
      const again = await runGcloud([...rules, 'export', 'dataproc-gpu', ...where], env, ws.dir);
      assert.match(again.stdout, /basicProfile: DENY/, again.stderr);
    } finally {
      await e.close();
    }

    const run = await doctor(ws);
    const c = check(run, 'proxy.allows-needed-hosts');
    assert.equal(c.status, 'fail', c.evidence);
    assert.match(c.evidence, /gateway-security-policy-rule\.dataproc-gpu/);
    const plan = await runCli(['plan', ...ws.target], { cwd: ws.dir });
    assert.match(plan.stdout, /gateway-security-policy-rule\.dataproc-gpu/, plan.stdout + plan.stderr);
  });
});
