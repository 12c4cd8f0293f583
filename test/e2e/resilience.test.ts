import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { describe, it } from 'node:test';
import { startEmulator, type Emulator } from '../../src/emulator/server.js';
import { CLI, runCli, workspace } from '../helpers/cli.js';

// Field cases F21 (the TLS inspection policy races the service agent's IAM
// grant) and F22 (an interrupted up resumes), with the CLI spawned against
// an emulator this test runs and controls.

const POOL = 'projects/dpgce-demo-project/locations/us-central1/caPools/dpgce-swp-pool';

/** Resource names grouped by collection, minus server-generated ones, for comparing end states. */
function endState(e: Emulator): string[] {
  return e.store.entries('').map(([k]) => k)
    .filter((k) => !/operations\/|default-route-|\/iamPolicy$/.test(k))
    .map((k) => k.replace(/swg-autogen-router-\d+/, 'swg-autogen-router-N').replace(/(certificates\/cm-.*)-[0-9a-f]+$/, '$1-ID'))
    .sort();
}

describe('F21: TLS inspection policy and the service agent grant', () => {
  it('one up succeeds when the grant takes a while to propagate, retrying with backoff', async () => {
    const e = await startEmulator({ timing: { latency: { defaultMs: 0, rules: [{ collection: 'iamPolicy', ms: 3000 }] }, minPolls: 1 } });
    try {
      const ws = workspace();
      const r = await runCli(['up', '--env', ws.env, '--emulator', e.url, '--yes', '--json'], { cwd: ws.dir });
      assert.equal(r.code, 0, r.stderr);
      const retries = Number(/(\d+) retries/.exec(r.stderr)?.[1]);
      assert.ok(retries > 0, `expected retries through the propagation delay: ${r.stderr.slice(-300)}`);
      assert.ok(e.requests.some((q) => q.path.endsWith('networksecurity.googleapis.com:generateServiceIdentity')));
      const policy = e.store.get(`${POOL}/iamPolicy`);
      const grant = policy?.bindings?.find((b: any) => b.role === 'roles/privateca.certificateManager');
      assert.ok(grant?.members.some((m: string) => /@gcp-sa-networksecurity\.iam\.gserviceaccount\.com$/.test(m)));
      const tls = JSON.parse(r.stdout).changes.find((c: any) => c.kind === 'tls-inspection-policy');
      assert.equal(tls.status, 'done');
    } finally {
      await e.close();
    }
  });

  it('on timeout the error names the member, the role and the pool', async () => {
    const e = await startEmulator({ timing: { latency: { defaultMs: 0, rules: [{ collection: 'iamPolicy', ms: 600_000 }] }, minPolls: 1 } });
    try {
      const ws = workspace();
      const r = await runCli(['up', '--env', ws.env, '--emulator', e.url, '--yes', '--json'],
        { cwd: ws.dir, env: { DPGCE_IAM_PROPAGATION_TIMEOUT: '2' } });
      assert.equal(r.code, 1);
      const tls = JSON.parse(r.stdout).changes.find((c: any) => c.kind === 'tls-inspection-policy');
      assert.equal(tls.status, 'failed');
      assert.match(tls.error, /serviceAccount:service-\d+@gcp-sa-networksecurity\.iam\.gserviceaccount\.com/);
      assert.match(tls.error, /roles\/privateca\.certificateManager/);
      assert.ok(tls.error.includes(POOL), tls.error);
    } finally {
      await e.close();
    }
  });
});

describe('F22: an interrupted up resumes', () => {
  it('killed right after the CA pool exists, a second up finishes with the same end state and no duplicates', async () => {
    const slowCa = { defaultMs: 0, rules: [{ api: 'privateca', collection: 'certificateAuthorities', verb: 'create', ms: 1500 }] };

    // Reference: an uninterrupted run.
    const ref = await startEmulator({ timing: { latency: slowCa, minPolls: 1 } });
    const refWs = workspace();
    const full = await runCli(['up', '--env', refWs.env, '--emulator', ref.url, '--yes'], { cwd: refWs.dir });
    assert.equal(full.code, 0, full.stderr);
    const expected = endState(ref);
    await ref.close();

    // The interrupted run: SIGKILL as soon as the pool exists.
    const e = await startEmulator({ timing: { latency: slowCa, minPolls: 1 } });
    try {
      const ws = workspace();
      const child = spawn(process.execPath, [CLI, 'up', '--env', ws.env, '--emulator', e.url, '--yes'],
        { cwd: ws.dir, stdio: 'ignore' });
      const exited = new Promise((r) => child.on('close', r));
      const started = Date.now();
      while (!e.store.get(POOL) && Date.now() - started < 30_000) await new Promise((r) => setTimeout(r, 5));
      assert.ok(e.store.get(POOL), 'the pool appeared');
      child.kill('SIGKILL');
      await exited;
      assert.equal(e.store.get('projects/dpgce-demo-project/locations/us-central1/gateways/dpgce-swp'), undefined,
        'killed before the gateway');

      const again = await runCli(['up', '--env', ws.env, '--emulator', e.url, '--yes', '--json'], { cwd: ws.dir });
      assert.equal(again.code, 0, again.stderr);
      const kinds = JSON.parse(again.stdout).changes.map((c: any) => c.kind);
      for (const k of ['certificate-authority', 'certificate', 'gateway']) assert.ok(kinds.includes(k), `second run creates ${k}`);
      assert.ok(!kinds.includes('ca-pool'), 'the pool is not created twice');
      assert.deepEqual(endState(e), expected);
      const cas = e.store.list(`${POOL}/certificateAuthorities`);
      assert.equal(cas.length, 1, 'exactly one CA');
      const third = await runCli(['plan', '--env', ws.env, '--emulator', e.url, '--detailed-exitcode'], { cwd: ws.dir });
      assert.equal(third.code, 0, third.stdout);
    } finally {
      await e.close();
    }
  });
});
