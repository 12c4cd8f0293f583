import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startEmulator, type Emulator } from '../../src/emulator/server.js';
import { requestLog, runCli, stateResources, workspace } from '../helpers/cli.js';

// The main job, end to end: the built CLI against the embedded emulator,
// the way the README's quick start runs it. Steps share one workspace and
// run in order.

const AUTH = { authorization: 'Bearer test-token', 'content-type': 'application/json' };
const PROJECT = 'dpgce-demo-project';

/** Opens the state folder between CLI runs to act "behind the tool's back". */
async function withEmulator<T>(state: string, fn: (e: Emulator) => Promise<T>): Promise<T> {
  const e = await startEmulator({ stateDir: state });
  try {
    return await fn(e);
  } finally {
    await e.close();
  }
}

async function call(e: Emulator, method: string, path: string, body?: unknown): Promise<any> {
  const res = await fetch(`${e.url}${path}`, { method, headers: AUTH, body: body ? JSON.stringify(body) : undefined });
  const text = await res.text();
  assert.ok(res.ok, `${method} ${path}: ${res.status} ${text}`);
  return text ? JSON.parse(text) : {};
}

/** Waits for a compute operation through /wait, as a client would. */
async function computeDone(e: Emulator, op: any): Promise<void> {
  for (let i = 0; i < 20 && op.status !== 'DONE'; i++) {
    op = await call(e, 'POST', `/compute/v1/projects/${PROJECT}/global/operations/${op.name}/wait`);
  }
  assert.equal(op.status, 'DONE');
  assert.equal(op.error, undefined, JSON.stringify(op.error));
}

describe('dpgce up / status / down on the embedded emulator', () => {
  const ws = workspace();
  const target = ['--env', ws.env, '--local', '--local-state', ws.state];
  const cli = (...args: string[]) => runCli([...args, ...target], { cwd: ws.dir });

  before(async () => {
    // Someone else's firewall rule and bucket in the same project: down must not touch them.
    await withEmulator(ws.state, async (e) => {
      await computeDone(e, await call(e, 'POST', `/compute/v1/projects/${PROJECT}/global/networks`,
        { name: 'other-net', autoCreateSubnetworks: false }));
      await computeDone(e, await call(e, 'POST', `/compute/v1/projects/${PROJECT}/global/firewalls`,
        { name: 'foreign-allow-ssh', network: `projects/${PROJECT}/global/networks/other-net`,
          allowed: [{ IPProtocol: 'tcp', ports: ['22'] }], sourceRanges: ['10.0.0.0/8'] }));
      await call(e, 'POST', `/storage/v1/b?project=${PROJECT}`, { name: 'someone-elses-bucket' });
      // The proxy CA's bucket already exists and holds someone's file: used as found.
      await call(e, 'POST', `/storage/v1/b?project=${PROJECT}`, { name: 'dpgce-demo-proxy-cert' });
      const up = await fetch(`${e.url}/upload/storage/v1/b/dpgce-demo-proxy-cert/o?uploadType=media&name=keep-me.txt`,
        { method: 'POST', headers: { authorization: 'Bearer t', 'content-type': 'text/plain' }, body: 'not dpgce\'s' });
      assert.equal(up.status, 200, await up.text());
    });
  });

  after(() => {});

  it('plan --detailed-exitcode exits 2 before up', async () => {
    const r = await cli('plan', '--detailed-exitcode', '--json');
    assert.equal(r.code, 2, r.stderr);
    assert.ok(JSON.parse(r.stdout).changes.length > 40);
  });

  it('up --yes --json creates the whole foundation', async () => {
    const r = await cli('up', '--yes', '--json');
    assert.equal(r.code, 0, r.stderr);
    const doc = JSON.parse(r.stdout);
    const kinds = doc.changes.map((c: any) => c.kind);
    for (const k of ['network', 'firewall', 'ca-pool', 'certificate-authority', 'certificate', 'tls-inspection-policy',
      'gateway-security-policy', 'gateway-security-policy-rule', 'gateway', 'bucket']) {
      assert.ok(kinds.includes(k), `no ${k} change`);
    }
    assert.equal(kinds.filter((k: string) => k === 'subnetwork').length, 3);
    assert.equal(kinds.filter((k: string) => k === 'object').length, 2);
    for (const c of doc.changes) {
      assert.equal(c.action, 'create', c.address);
      assert.equal(c.status, 'done', `${c.address}: ${c.error}`);
    }
    assert.equal(doc.summary.create, doc.changes.length);
  });

  it('a second up reports zero changes and sends no mutating request', async () => {
    const before = requestLog(ws.state).length;
    const r = await cli('up', '--yes', '--json');
    assert.equal(r.code, 0, r.stderr);
    assert.deepEqual(JSON.parse(r.stdout).changes, []);
    const lines = requestLog(ws.state).slice(before);
    assert.ok(lines.length > 0);
    assert.deepEqual(lines.filter((l) => l.mutating), []);
    const plan = await cli('plan', '--detailed-exitcode');
    assert.equal(plan.code, 0, plan.stderr);
  });

  it('status lists every resource as present', async () => {
    const r = await cli('status', '--json');
    assert.equal(r.code, 0, r.stderr);
    const resources = JSON.parse(r.stdout).resources;
    assert.ok(resources.length > 40);
    for (const res of resources) assert.equal(res.state, 'present', `${res.address}: ${res.detail}`);
    // F23: each firewall rule says what it targets.
    for (const fw of resources.filter((x: any) => x.kind === 'firewall')) {
      assert.match(fw.detail, /targets all instances in the network|targets instances tagged dpgce-node/, fw.detail);
    }
  });

  it('a resource deleted behind the tool\'s back shows missing, and up recreates only it', async () => {
    await withEmulator(ws.state, async (e) => {
      await computeDone(e, await call(e, 'DELETE', `/compute/v1/projects/${PROJECT}/global/firewalls/dpgce-egress-deny-all`));
    });
    const st = await cli('status', '--json');
    assert.equal(st.code, 1);
    const missing = JSON.parse(st.stdout).resources.filter((x: any) => x.state !== 'present');
    assert.deepEqual(missing.map((x: any) => [x.address, x.state]), [['firewall.egress-deny-all', 'missing']]);
    const r = await cli('up', '--yes', '--json');
    assert.equal(r.code, 0, r.stderr);
    assert.deepEqual(JSON.parse(r.stdout).changes.map((c: any) => [c.address, c.action, c.status]),
      [['firewall.egress-deny-all', 'create', 'done']]);
  });

  it('down --yes removes everything owned, the proxy router too, and nothing else', async () => {
    const r = await cli('down', '--yes', '--json');
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stderr, / 0 retries\)/, 'F19: subnets and network go without retry loops');
    const doc = JSON.parse(r.stdout);
    assert.ok(doc.changes.every((c: any) => c.action === 'delete' && c.status === 'done'));
    assert.ok(doc.changes.some((c: any) => c.kind === 'router'));
    const left = Object.keys(stateResources(ws.state));
    assert.ok(left.includes(`projects/${PROJECT}/global/firewalls/foreign-allow-ssh`), left.join('\n'));
    assert.ok(left.some((k) => k.includes('someone-elses-bucket')), left.join('\n'));
    const ours = left.filter((k) => k.split('/').some((seg) =>
      /^(dpgce-(?!demo-project$|demo-proxy-cert$)|swg-autogen|main-subnet)/.test(seg)));
    assert.deepEqual(ours, []);
    const certBucket = left.filter((k) => k.includes('dpgce-demo-proxy-cert'));
    assert.ok(certBucket.some((k) => k.endsWith('keep-me.txt')), `the found bucket and its object stay: ${certBucket}`);
    assert.ok(!certBucket.some((k) => k.endsWith('proxy.cer')), 'the CA object dpgce wrote is gone');
    const again = await cli('plan', '--detailed-exitcode');
    assert.equal(again.code, 2);
  });
});
