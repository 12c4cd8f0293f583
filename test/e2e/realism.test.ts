import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { startEmulator } from '../../src/emulator/server.js';
import { requestLog, runCli, workspace } from '../helpers/cli.js';

// Google Cloud is eventually consistent, and `dpgce up` must converge anyway:
// with every realism switch on (services answer SERVICE_DISABLED until, and
// for a while after, they are enabled; a new service account reads as 403
// for its first uses; IAM policies meet concurrent writers), one `up` builds
// the whole environment and a plan right after it has nothing left to do,
// against a shared emulator and with the embedded one (`--local`).

describe('dpgce up under eventual consistency', () => {
  it('converges in one run with every realism switch on, and plans no change after', { timeout: 300_000 }, async () => {
    const e = await startEmulator({
      strict: { enabled: true },
      realism: { newServiceAccountDenials: 3, serviceEnableLag: 5, iamConflictEvery: 2 },
    });
    try {
      const ws = workspace();
      const target = ['--env', ws.env, '--emulator', e.url];
      const up = await runCli(['up', ...target, '--yes', '--json'], { cwd: ws.dir });
      assert.equal(up.code, 0, up.stderr.slice(-2000));
      const changes = JSON.parse(up.stdout).changes;
      assert.ok(changes.length > 40);
      assert.deepEqual(changes.filter((c: any) => c.status !== 'done').map((c: any) => c.address), []);

      // Each switch really fired.
      const refused = (status: number, api: string, method?: string) =>
        e.requests.filter((q) => q.status === status && q.api === api && (!method || q.method === method)).length;
      assert.ok(refused(403, 'compute', 'POST') > 0, 'no SERVICE_DISABLED after enabling compute');
      assert.ok(refused(403, 'iam', 'GET') > 0, 'no 403 for the new service account');
      assert.ok(refused(409, 'cloudresourcemanager') + refused(409, 'privateca') > 0, 'no IAM etag conflict');

      const plan = await runCli(['plan', ...target, '--detailed-exitcode'], { cwd: ws.dir });
      assert.equal(plan.code, 0, plan.stdout + plan.stderr);
    } finally {
      await e.close();
    }
  });

  it('converges in one run with --local and DPGCE_EMULATOR_REALISM=on', { timeout: 300_000 }, async () => {
    const ws = workspace();
    const target = ['--env', ws.env, '--local', '--local-state', ws.state];
    const env = { DPGCE_EMULATOR_REALISM: 'on' };
    const up = await runCli(['up', ...target, '--yes', '--json'], { cwd: ws.dir, env });
    assert.equal(up.code, 0, up.stderr.slice(-2000));
    assert.ok(requestLog(ws.state).some((q) => q.status === 403 && q.api === 'compute'), 'realism did not fire');
    const plan = await runCli(['plan', ...target, '--detailed-exitcode'], { cwd: ws.dir, env });
    assert.equal(plan.code, 0, plan.stdout + plan.stderr);
  });
});
