import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { parse } from 'jsonc-parser';
import { builtWorkspace } from '../helpers/built.js';
import { runCli, stateResources } from '../helpers/cli.js';

// Bucket names are global. An env.json of another project that names the
// same buckets (the same ENV_NAME, so even the same mark) must never change,
// replace, adopt or delete them: they belong to the first project.

const BUCKETS = ['dpgce-demo-staging', 'dpgce-demo-temp', 'dpgce-demo-proxy-cert'];

describe('buckets of another project under the names env.json asks for', () => {
  it('stop plan and up, are not taken by --adopt, and survive down', async () => {
    const ws = await builtWorkspace();
    const before = stateResources(ws.state);
    // A copy of env.json for another project, with a region typo that would make every bucket differ.
    const values = parse(readFileSync(ws.env, 'utf8'));
    const other = join(ws.dir, 'other.json');
    writeFileSync(other, JSON.stringify({ ...values, PROJECT_ID: 'typo-project', REGION: 'us-east1', ZONE: 'us-east1-b' }));
    const target = ['--env', other, '--local', '--local-state', ws.state];

    const plan = await runCli(['plan', ...target], { cwd: ws.dir });
    assert.equal(plan.code, 1, plan.stdout);
    for (const b of BUCKETS.slice(0, 2)) {
      assert.match(plan.stdout + plan.stderr, new RegExp(`${b} belongs to another project \\(number \\d+\\)`));
    }

    for (const args of [['up', '--yes'], ['up', '--yes', '--adopt']]) {
      const up = await runCli([...args, ...target], { cwd: ws.dir });
      assert.equal(up.code, 1, `${args.join(' ')}: ${up.stdout}`);
    }
    const down = await runCli(['down', '--yes', '--json', ...target], { cwd: ws.dir });
    const deleted = JSON.parse(down.stdout).changes.map((c: any) => c.name as string);
    assert.deepEqual(deleted.filter((n: string) => BUCKETS.some((b) => n.includes(`/buckets/${b}`))), [],
      'no bucket of the first project, nor anything in it, is deleted');

    const after = stateResources(ws.state);
    const stored = Object.keys(before).filter((name) => BUCKETS.some((b) => name === `b/${b}` || name.startsWith(`b/${b}/`)));
    assert.ok(stored.length >= 5, `the buckets and their objects are in the state: ${stored.join(', ')}`);
    for (const name of stored) assert.deepEqual(after[name], before[name], `${name} is unchanged`);
  });

  it('a shared PROXY_CERT_GCS_PATH of another project: nothing is written or granted in that bucket', async () => {
    const ws = await builtWorkspace();
    const before = stateResources(ws.state);
    const values = parse(readFileSync(ws.env, 'utf8'));
    const other = join(ws.dir, 'other.json');
    writeFileSync(other, JSON.stringify({ ...values, PROJECT_ID: 'other-proj-123', BUCKET: 'other-staging', TEMP_BUCKET: 'other-temp' }));
    const target = ['--env', other, '--local', '--local-state', ws.state];

    const plan = await runCli(['plan', ...target], { cwd: ws.dir });
    assert.equal(plan.code, 1, plan.stdout);
    for (const address of ['object.proxy-ca', 'bucket-iam.proxy-cert']) {
      assert.match(plan.stdout + plan.stderr, new RegExp(`${address}: .* would be in a bucket of another project \\(number \\d+\\)`));
    }
    const up = await runCli(['up', '--yes', '--adopt', ...target], { cwd: ws.dir });
    assert.equal(up.code, 1, up.stdout);
    const after = stateResources(ws.state);
    const shared = Object.keys(before).filter((name) => name === 'b/dpgce-demo-proxy-cert' || name.startsWith('b/dpgce-demo-proxy-cert/'));
    assert.ok(shared.length >= 3, shared.join(', '));
    for (const name of shared) assert.deepEqual(after[name], before[name], `${name} is unchanged`);
  });
});
