import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { builtWorkspace, type BuiltWorkspace } from '../helpers/built.js';
import { runCli } from '../helpers/cli.js';
import { changeCloud, POLICY } from './doctor-run.js';

// The --json contract of `dpgce doctor`: one document, exactly
// {"checks":[{"name","status","evidence","fix"}]}, statuses pass|warn|fail,
// names `<group>.<question>` in kebab-case, a fix on every check that does
// not pass, and exit code 1 exactly when a check fails.

async function contract(ws: BuiltWorkspace): Promise<{ code: number | null; statuses: string[] }> {
  const r = await runCli(['doctor', '--json', ...ws.target], { cwd: ws.dir });
  const doc = JSON.parse(r.stdout);
  assert.deepEqual(Object.keys(doc), ['checks']);
  assert.ok(doc.checks.length > 0);
  for (const c of doc.checks) {
    assert.deepEqual(Object.keys(c), ['name', 'status', 'evidence', 'fix'], JSON.stringify(c));
    assert.match(c.name, /^[a-z]+\.[a-z0-9]+(-[a-z0-9]+)*$/);
    assert.ok(['pass', 'warn', 'fail'].includes(c.status), c.status);
    assert.equal(typeof c.evidence, 'string');
    assert.ok(c.evidence.length > 0, `${c.name} has evidence`);
    assert.equal(typeof c.fix, 'string');
    if (c.status !== 'pass') assert.ok(c.fix.length > 0, `${c.name} says what to do`);
  }
  assert.equal(new Set(doc.checks.map((c: any) => c.name)).size, doc.checks.length, 'names are unique');
  const statuses = doc.checks.map((c: any) => c.status);
  assert.equal(r.code, statuses.includes('fail') ? 1 : 0, r.stderr);
  return { code: r.code, statuses };
}

describe('doctor --json', () => {
  it('keeps the contract on a fresh environment', async () => {
    await contract(await builtWorkspace());
  });

  it('keeps the contract, with exit code 1, when a check fails', async () => {
    const ws = await builtWorkspace();
    await changeCloud(ws, async (api) => {
      await api.done('DELETE', `/v1/${POLICY}/rules/dataproc-gpu`);
    });
    const { code, statuses } = await contract(ws);
    assert.equal(code, 1);
    assert.ok(statuses.includes('fail'));
  });
});
