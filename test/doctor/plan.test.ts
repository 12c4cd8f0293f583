import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { parse } from 'jsonc-parser';
import { builtWorkspace, type BuiltWorkspace } from '../helpers/built.js';
import { check, doctor } from './doctor-run.js';

// The plan group: doctor says what `dpgce plan` would stop on, and what it
// would still change, from the state it read.

function editEnv(ws: BuiltWorkspace, changes: Record<string, unknown>): void {
  writeFileSync(ws.env, JSON.stringify({ ...parse(readFileSync(ws.env, 'utf8')), ...changes }, null, 2));
}

describe('doctor: plan', () => {
  it('passes on a fresh environment: nothing stops up, nothing pending', async () => {
    const run = await doctor(await builtWorkspace());
    assert.equal(check(run, 'plan.blockers').status, 'pass');
    const pending = check(run, 'plan.pending-changes');
    assert.equal(pending.status, 'pass');
    assert.match(pending.evidence, /matches env\.json \(\d+ resources up to date\)/);
  });

  it('fails on what stops up: a GPU the worker machine type cannot take', async () => {
    const ws = await builtWorkspace('gpu');
    editEnv(ws, { ACCELERATOR_TYPE: 'nvidia-l4' });
    const run = await doctor(ws);
    assert.equal(run.code, 1);
    const blockers = check(run, 'plan.blockers');
    assert.equal(blockers.status, 'fail');
    assert.match(blockers.evidence, /dataproc-cluster\.main: .*n1-standard-8.*nvidia-l4/);
    assert.ok(blockers.fix.length > 0);
  });

  it('warns with each change up would make when env.json moved on', async () => {
    const ws = await builtWorkspace();
    editEnv(ws, { SWP_ALLOWED_HOSTS: ['artifacts.example.com'] });
    const run = await doctor(ws);
    const pending = check(run, 'plan.pending-changes');
    assert.equal(pending.status, 'warn');
    assert.match(pending.evidence, /create gateway-security-policy-rule\.allowed-hosts/);
    assert.match(pending.fix, /dpgce plan.*dpgce up/);
  });
});
