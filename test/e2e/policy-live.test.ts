import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { parse } from 'jsonc-parser';
import { startEmulator, type Emulator } from '../../src/emulator/server.js';
import { requestLog, runCli, stateResources, workspace } from '../helpers/cli.js';
import { CASE_ENV, casesBySource, sourceFlags } from '../policy/policy-cases.js';

// The egress policy end to end: `up` on the embedded emulator, then
// `policy test --live` evaluating what was deployed, read back through the
// session. F20, the URL x rule table on the deployed policy, drift in a rule
// shown by plan and undone by up, and a rule inserted ahead of the others.

const PROJECT = 'dpgce-demo-project';
const LOC = `projects/${PROJECT}/locations/us-central1`;
const POLICY = `${LOC}/gatewaySecurityPolicies/dpgce-swp-policy`;
const AUTH = { authorization: 'Bearer test-token', 'content-type': 'application/json' };
const NVIDIA = 'https://developer.download.nvidia.com/compute/cuda/repos/debian12/x86_64/Release';

function setup(changes: Record<string, unknown>) {
  const ws = workspace();
  const write = (more: Record<string, unknown>): void =>
    writeFileSync(
      ws.env,
      JSON.stringify({
        ...(parse(
          readFileSync(new URL('../../../examples/env.json', import.meta.url), 'utf8'),
        ) as object),
        ...more,
      }),
    );
  write(changes);
  const target = ['--env', ws.env, '--local', '--local-state', ws.state];
  const cli = (...args: string[]) => runCli([...args, ...target], { cwd: ws.dir });
  const live = async (urls: string[], extra: string[] = []) => {
    const r = await cli('policy', 'test', '--live', '--json', ...extra, ...urls);
    assert.equal(r.code, 0, r.stderr);
    return JSON.parse(r.stdout).results as Array<{
      verdict: string;
      rule: string | null;
      tlsInspection: boolean;
    }>;
  };
  return { ws, write, cli, live };
}

async function up(
  cli: (...a: string[]) => Promise<{ code: number | null; stdout: string; stderr: string }>,
) {
  const r = await cli('up', '--yes', '--json');
  assert.equal(r.code, 0, r.stderr);
  const doc = JSON.parse(r.stdout);
  for (const c of doc.changes) assert.equal(c.status, 'done', `${c.address}: ${c.error}`);
  return doc;
}

async function withEmulator<T>(state: string, fn: (e: Emulator) => Promise<T>): Promise<T> {
  const e = await startEmulator({ stateDir: state });
  try {
    return await fn(e);
  } finally {
    await e.close();
  }
}

async function call(e: Emulator, method: string, path: string, body?: unknown): Promise<any> {
  const res = await fetch(`${e.url}${path}`, {
    method,
    headers: AUTH,
    body: body ? JSON.stringify(body) : undefined,
  });
  const text = await res.text();
  assert.ok(res.ok, `${method} ${path}: ${res.status} ${text}`);
  return text.startsWith('{') ? JSON.parse(text) : text;
}

describe('F20: the allowlist is not allow-all, and TLS inspection is wired', () => {
  const t = setup({ SWP_ALLOWED_HOSTS: ['developer.download.nvidia.com', 'deb.debian.org'] });

  it('up, then policy test --live: example.org DENY, the NVIDIA host ALLOW with TLS inspected', async () => {
    await up(t.cli);
    const before = requestLog(t.ws.state).length;
    const results = await t.live([
      'https://example.org/',
      NVIDIA,
      'https://deb.debian.org/debian/',
    ]);
    assert.deepEqual(
      results.map((r) => [r.verdict, r.rule, r.tlsInspection]),
      [
        ['deny', null, false],
        ['allow', 'gateway-security-policy-rule.dataproc-gpu', true],
        ['allow', 'gateway-security-policy-rule.dataproc-gpu', true],
      ],
    );
    const reads = requestLog(t.ws.state).slice(before);
    assert.ok(
      reads.some((l) => l.path.endsWith('/gatewaySecurityPolicies/dpgce-swp-policy/rules')),
      'rules were read',
    );
    assert.deepEqual(
      reads.filter((l) => l.mutating),
      [],
      'policy test --live changes nothing',
    );
  });

  it('rules inspect TLS, the policy names the TLS inspection policy on the pool, the CA PEM is exported', async () => {
    const state = stateResources(t.ws.state);
    const rules = Object.entries(state)
      .filter(([k]) => k.startsWith(`${POLICY}/rules/`))
      .map(([, v]) => v);
    assert.deepEqual(rules.map((r) => r.name.split('/').pop()).sort(), [
      'allowed-hosts',
      'dataproc-gpu',
    ]);
    assert.ok(rules.every((r) => r.tlsInspectionEnabled === true && r.basicProfile === 'ALLOW'));
    assert.ok(
      rules.every((r) => r.sessionMatcher !== 'true' && !/host\(\) != /.test(r.sessionMatcher)),
      'no allow-all',
    );
    const tls = state[POLICY].tlsInspectionPolicy;
    assert.equal(tls, `${LOC}/tlsInspectionPolicies/dpgce-swp-tls`);
    assert.equal(state[tls].caPool, `${LOC}/caPools/dpgce-swp-pool`);
    await withEmulator(t.ws.state, async (e) => {
      const ca = await call(
        e,
        'GET',
        `/v1/${LOC}/caPools/dpgce-swp-pool/certificateAuthorities/dpgce-swp-root`,
      );
      const pem = await call(e, 'GET', '/storage/v1/b/dpgce-demo-proxy-cert/o/proxy.cer?alt=media');
      assert.match(pem, /^-----BEGIN CERTIFICATE-----/);
      assert.equal(pem.trim(), ca.pemCaCertificates[0].trim());
    });
  });
});

describe('the URL x rule table on the deployed policy', () => {
  const t = setup(CASE_ENV);

  it('up creates every rule, then policy test --live gives the same verdicts as the generator', async () => {
    const doc = await up(t.cli);
    assert.equal(
      doc.changes.filter((c: any) => c.kind === 'gateway-security-policy-rule').length,
      16,
    );
    for (const { source, cases } of casesBySource()) {
      const got = await t.live(
        cases.map((k) => k.url),
        sourceFlags(source),
      );
      assert.deepEqual(
        got.map((r) => [r.verdict, r.rule, r.tlsInspection]),
        cases.map((k) => [
          k.verdict,
          k.rule ? `gateway-security-policy-rule.${k.rule}` : null,
          k.tls ?? false,
        ]),
        JSON.stringify(source),
      );
    }
  });

  it("a rule changed behind the tool's back is an update in plan, live tests see it, and up undoes it", async () => {
    const keyserver = 'https://keyserver.ubuntu.com/pks/lookup';
    await withEmulator(t.ws.state, async (e) => {
      await call(
        e,
        'PATCH',
        `/v1/${POLICY}/rules/deny-keyserver?updateMask=priority,basicProfile,sessionMatcher`,
        {
          priority: 4444,
          basicProfile: 'ALLOW',
          sessionMatcher: "host() == 'keyserver.ubuntu.com' || host() == 'example.org'",
        },
      );
    });
    assert.deepEqual(
      (await t.live([keyserver, 'https://example.org/'])).map((r) => [r.verdict, r.rule]),
      [
        ['allow', 'gateway-security-policy-rule.nvidia-cuda'],
        ['allow', 'gateway-security-policy-rule.deny-keyserver'],
      ],
    );
    const plan = await t.cli('plan', '--json');
    const changes = JSON.parse(plan.stdout).changes;
    assert.deepEqual(
      changes.map((c: any) => [c.address, c.action]),
      [['gateway-security-policy-rule.deny-keyserver', 'update']],
    );
    for (const field of ['priority', 'basicProfile', 'sessionMatcher'])
      assert.match(changes[0].reason, new RegExp(field));
    await up(t.cli);
    assert.deepEqual(
      (await t.live([keyserver, 'https://example.org/'])).map((r) => [r.verdict, r.rule]),
      [
        ['deny', 'gateway-security-policy-rule.deny-keyserver'],
        ['deny', null],
      ],
    );
  });

  it('a rule inserted first shifts the others without a priority clash, and the next plan is empty', async () => {
    t.write({
      ...CASE_ENV,
      SWP_POLICY_RULES: [
        { name: 'deny-example-org', action: 'deny', hosts: ['example.org', 'conda.anaconda.org'] },
        ...CASE_ENV.SWP_POLICY_RULES,
      ],
    });
    const doc = await up(t.cli);
    assert.deepEqual(
      doc.changes.filter((c: any) => c.action === 'create').map((c: any) => c.address),
      ['gateway-security-policy-rule.deny-example-org'],
    );
    assert.ok(
      doc.changes.some(
        (c: any) =>
          c.address === 'gateway-security-policy-rule.cuda-downloads' && c.action === 'update',
      ),
    );
    const rules = Object.entries(stateResources(t.ws.state)).filter(([k]) =>
      k.startsWith(`${POLICY}/rules/`),
    );
    const priority = (id: string) => rules.find(([k]) => k.endsWith(`/${id}`))![1].priority;
    assert.deepEqual(
      ['deny-example-org', 'deny-pypi-manage', 'deny-keyserver', 'many-hosts', 'allow-mirror'].map(
        priority,
      ),
      [100, 110, 120, 190, 50],
    );
    const all = rules.map(([, r]) => r.priority ?? 0);
    assert.equal(new Set(all).size, all.length);
    assert.equal((await t.cli('plan', '--detailed-exitcode')).code, 0);
    assert.deepEqual(
      (await t.live(['https://conda.anaconda.org/conda-forge/'])).map((r) => [r.verdict, r.rule]),
      [['deny', 'gateway-security-policy-rule.deny-example-org']],
    );
  });
});
