import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { builtWorkspace } from '../helpers/built.js';
import { changeCloud, check, doctor, LOC, notPassing, POLICY, POOL } from './doctor-run.js';

// The proxy group on a built example environment: a fresh one passes, and
// each change a user could make to the live proxy is a named failure whose
// evidence names the resource or rule and whose fix says what to run.

const RULE = `${POLICY}/rules/dataproc-gpu`;
const LIST = `${LOC}/urlLists/dpgce-dataproc-gpu`;
const NVIDIA = ['developer.download.nvidia.com', 'download.nvidia.com', 'us.download.nvidia.com', 'nvidia.github.io'];
/** What install_gpu_driver.sh fetches from those hosts (src/doctor/proxy-needed-urls.ts). */
const NVIDIA_URLS = [
  'https://developer.download.nvidia.com/compute/cuda/repos/debian12/x86_64/',
  'https://us.download.nvidia.com/XFree86/Linux-x86_64/550.54.15/NVIDIA-Linux-x86_64-550.54.15.run',
  'https://nvidia.github.io/libnvidia-container/gpgkey',
];
const GITHUB_URL = 'https://github.com/NVIDIA/open-gpu-kernel-modules/archive/refs/tags/550.54.15.tar.gz';

/** A rule someone adds to the live policy, matching nodes by their address (RANGE of examples/env.json). */
const onNodeAddresses = (basicProfile: 'ALLOW' | 'DENY') => ({
  basicProfile, enabled: true, priority: 500, sessionMatcher: "inIpRange(source.ip, '10.10.0.0/24')",
});

describe('doctor: proxy', () => {
  it('passes every proxy check on a fresh environment', async () => {
    const run = await doctor(await builtWorkspace());
    assert.deepEqual(run.checks.filter((c) => c.name.startsWith('proxy.')).map((c) => [c.name, c.status]), [
      ['proxy.gateway-ready', 'pass'],
      ['proxy.allows-needed-hosts', 'pass'],
      ['proxy.denies-other-hosts', 'pass'],
      ['proxy.tls-inspection-policy', 'pass'],
      ['proxy.tls-ca-pool', 'pass'],
      ['proxy.tls-ca-enabled', 'pass'],
      ['proxy.tls-service-agent-role', 'pass'],
    ]);
    assert.match(check(run, 'proxy.allows-needed-hosts').evidence, /gateway-security-policy-rule\.dataproc-gpu \(15\)/);
    assert.equal(check(run, 'proxy.denies-other-hosts').evidence, 'example.org denied: no rule matches, ' +
      '203.0.113.10 denied: no rule matches in the live policy dpgce-swp-policy');
  });

  it('fails allows-needed-hosts when the NVIDIA hosts are taken out of the rule\'s URL list', async () => {
    const ws = await builtWorkspace();
    await changeCloud(ws, async (api) => {
      const list = await api.ok('GET', `/v1/${LIST}`);
      const values = list.values.filter((v: string) => !NVIDIA.includes(v));
      await api.done('PATCH', `/v1/${LIST}?updateMask=values`, { values });
    });
    const run = await doctor(ws);
    const c = check(run, 'proxy.allows-needed-hosts');
    assert.equal(c.status, 'fail');
    assert.match(c.evidence, /^3 of \d+ URLs nodes fetch are refused by the live policy dpgce-swp-policy: denied: no rule matches, though env\.json's gateway-security-policy-rule\.dataproc-gpu should allow them: /);
    for (const url of NVIDIA_URLS) assert.ok(c.evidence.includes(`${url} (install_gpu_driver.sh`), c.evidence);
    assert.doesNotMatch(c.evidence, /deb\.debian\.org/);
    assert.match(c.fix, /run `dpgce up`: it restores gateway-security-policy-rule\.dataproc-gpu/);
    assert.equal(run.code, 1);
    assert.deepEqual(notPassing(run, 'proxy.'), ['proxy.allows-needed-hosts fail']);
  });

  it('fails allows-needed-hosts when the rule allowing the NVIDIA hosts is deleted', async () => {
    const ws = await builtWorkspace();
    await changeCloud(ws, async (api) => {
      await api.done('DELETE', `/v1/${RULE}`);
    });
    const c = check(await doctor(ws), 'proxy.allows-needed-hosts');
    assert.equal(c.status, 'fail');
    assert.match(c.evidence, /denied: no rule matches, though env\.json's gateway-security-policy-rule\.dataproc-gpu should allow them: /);
    assert.ok(c.evidence.includes(`${NVIDIA_URLS[0]} (install_gpu_driver.sh`), c.evidence);
    assert.match(c.fix, /dpgce up/);
  });

  it('fails allows-needed-hosts when github.com leaves the live URL list, naming the driver URL', async () => {
    const ws = await builtWorkspace();
    await changeCloud(ws, async (api) => {
      const list = await api.ok('GET', `/v1/${LIST}`);
      await api.done('PATCH', `/v1/${LIST}?updateMask=values`, { values: list.values.filter((v: string) => v !== 'github.com') });
    });
    const c = check(await doctor(ws), 'proxy.allows-needed-hosts');
    assert.equal(c.status, 'fail');
    assert.match(c.evidence, /^1 of \d+ URLs nodes fetch are refused by the live policy dpgce-swp-policy: denied: no rule matches, though env\.json's gateway-security-policy-rule\.dataproc-gpu should allow them: /);
    assert.ok(c.evidence.endsWith(`: ${GITHUB_URL} (install_gpu_driver.sh (build_driver_from_github, drivers >= 515.43.04 on Turing and later))`), c.evidence);
    assert.match(c.fix, /run `dpgce up`: it restores gateway-security-policy-rule\.dataproc-gpu/);
  });

  it("fails allows-needed-hosts when neither env.json's presets nor the live policy allow a URL the driver install fetches", async () => {
    const ws = await builtWorkspace();
    // env.json has comments (JSONC): the key goes in as text, first in the object.
    writeFileSync(ws.env, readFileSync(ws.env, 'utf8')
      .replace('{', '{\n  "SWP_POLICY_PRESETS": ["debian", "nvidia-cuda", "conda", "pypi"],'));
    await changeCloud(ws, async (api) => {
      const list = await api.ok('GET', `/v1/${LIST}`);
      await api.done('PATCH', `/v1/${LIST}?updateMask=values`, { values: list.values.filter((v: string) => v !== 'github.com') });
    });
    const c = check(await doctor(ws), 'proxy.allows-needed-hosts');
    assert.equal(c.status, 'fail');
    assert.ok(c.evidence.endsWith('denied: no rule matches, and no rule env.json defines allows them either: ' +
      `${GITHUB_URL} (install_gpu_driver.sh (build_driver_from_github, drivers >= 515.43.04 on Turing and later))`), c.evidence);
    assert.match(c.fix, /^env\.json's policy lacks github\.com \(preset github-releases or dataproc-gpu\): add it to SWP_ALLOWED_HOSTS or SWP_POLICY_PRESETS, then run `dpgce up`/);
    assert.doesNotMatch(c.fix, /restores/);
  });

  it("fails allows-needed-hosts when a DENY rule on the nodes' addresses is put ahead, naming it", async () => {
    const ws = await builtWorkspace();
    await changeCloud(ws, async (api) => {
      await api.done('POST', `/v1/${POLICY}/rules?gatewaySecurityPolicyRuleId=deny-nodes`, onNodeAddresses('DENY'));
    });
    const run = await doctor(ws);
    const c = check(run, 'proxy.allows-needed-hosts');
    assert.equal(c.status, 'fail');
    assert.match(c.evidence, /denied by gateway-security-policy-rule\.deny-nodes, though env\.json's gateway-security-policy-rule\.dataproc-gpu should allow them: /);
    assert.ok(c.evidence.includes(`${GITHUB_URL} (`), c.evidence);
    assert.match(c.fix, /^delete or re-prioritise gateway-security-policy-rule\.deny-nodes, which dpgce did not write \(gcloud network-security gateway-security-policies rules delete deny-nodes /);
    assert.doesNotMatch(c.fix, /dpgce up/);
    assert.equal(check(run, 'proxy.denies-other-hosts').status, 'pass');
  });

  it("fails denies-other-hosts when an ALLOW rule on the nodes' addresses is put ahead, naming it", async () => {
    const ws = await builtWorkspace();
    await changeCloud(ws, async (api) => {
      await api.done('POST', `/v1/${POLICY}/rules?gatewaySecurityPolicyRuleId=allow-nodes`, onNodeAddresses('ALLOW'));
    });
    const run = await doctor(ws);
    const c = check(run, 'proxy.denies-other-hosts');
    assert.equal(c.status, 'fail');
    assert.match(c.evidence, /^example\.org allowed by gateway-security-policy-rule\.allow-nodes; 203\.0\.113\.10 allowed by gateway-security-policy-rule\.allow-nodes/);
    assert.match(c.fix, /delete gateway-security-policy-rule\.allow-nodes, which dpgce did not write/);
  });

  it('fails denies-other-hosts when an allow-all rule is added ahead, naming it and how to delete it', async () => {
    const ws = await builtWorkspace();
    await changeCloud(ws, async (api) => {
      await api.done('POST', `/v1/${POLICY}/rules?gatewaySecurityPolicyRuleId=allow-all`, {
        basicProfile: 'ALLOW', enabled: true, priority: 10, sessionMatcher: "host() != 'none'",
      });
    });
    const c = check(await doctor(ws), 'proxy.denies-other-hosts');
    assert.equal(c.status, 'fail');
    assert.match(c.evidence, /example\.org allowed by gateway-security-policy-rule\.allow-all; 203\.0\.113\.10 allowed by/);
    assert.match(c.fix, /delete gateway-security-policy-rule\.allow-all, which dpgce did not write \(gcloud network-security gateway-security-policies rules delete allow-all --gateway-security-policy=dpgce-swp-policy --location=us-central1 --project=dpgce-demo-project\)/);
  });

  it('fails allows-needed-hosts when a rule cannot be evaluated, naming the rule', async () => {
    const ws = await builtWorkspace();
    await changeCloud(ws, async (api) => {
      await api.done('POST', `/v1/${POLICY}/rules?gatewaySecurityPolicyRuleId=not-boolean`, {
        basicProfile: 'DENY', enabled: true, priority: 20, sessionMatcher: 'host()',
      });
    });
    const c = check(await doctor(ws), 'proxy.allows-needed-hosts');
    assert.equal(c.status, 'fail');
    assert.match(c.evidence, /cannot be evaluated: rule not-boolean: sessionMatcher "host\(\)"/);
    assert.match(c.fix, /correct or delete the rule/);
  });

  it("fails tls-service-agent-role when the networksecurity agent's pool role is removed", async () => {
    const ws = await builtWorkspace();
    await changeCloud(ws, async (api) => {
      const policy = await api.ok('GET', `/v1/${POOL}:getIamPolicy`);
      policy.bindings = policy.bindings.filter((b: any) => b.role !== 'roles/privateca.certificateManager');
      await api.ok('POST', `/v1/${POOL}:setIamPolicy`, { policy });
    });
    const run = await doctor(ws);
    const c = check(run, 'proxy.tls-service-agent-role');
    assert.equal(c.status, 'fail');
    assert.match(c.evidence, /^service-\d+@gcp-sa-networksecurity\.iam\.gserviceaccount\.com \(the Network Security service agent\) has no role on CA pool dpgce-swp-pool, not roles\/privateca\.certificateManager/);
    assert.match(c.fix, /gcloud privateca pools add-iam-policy-binding dpgce-swp-pool --location=us-central1 --project=dpgce-demo-project --member=serviceAccount:service-\d+@gcp-sa-networksecurity\.iam\.gserviceaccount\.com --role=roles\/privateca\.certificateManager/);
    assert.deepEqual(notPassing(run, 'proxy.'), ['proxy.tls-service-agent-role fail']);
  });

  it('fails tls-ca-enabled when the root CA is disabled (the exported PEM still matches it)', async () => {
    const ws = await builtWorkspace();
    await changeCloud(ws, async (api) => {
      await api.done('POST', `/v1/${POOL}/certificateAuthorities/dpgce-swp-root:disable`, { ignoreDependentResources: true });
    });
    const run = await doctor(ws);
    const c = check(run, 'proxy.tls-ca-enabled');
    assert.equal(c.status, 'fail');
    assert.match(c.evidence, /CA pool dpgce-swp-pool has no ENABLED CA \(dpgce-swp-root: DISABLED\)/);
    assert.match(c.fix, /dpgce up.*enables dpgce-swp-root.*gcloud privateca roots enable dpgce-swp-root --pool=dpgce-swp-pool/);
    assert.equal(check(run, 'node.proxy-ca-pem').status, 'pass');
  });

  it('fails tls-ca-enabled and node.proxy-ca-pem when the root CA is deleted', async () => {
    const ws = await builtWorkspace();
    await changeCloud(ws, async (api) => {
      const ca = `${POOL}/certificateAuthorities/dpgce-swp-root`;
      await api.done('POST', `/v1/${ca}:disable`, { ignoreDependentResources: true });
      await api.done('DELETE', `/v1/${ca}?skipGracePeriod=true&ignoreActiveCertificates=true`);
    });
    const run = await doctor(ws);
    const c = check(run, 'proxy.tls-ca-enabled');
    assert.equal(c.status, 'fail');
    assert.match(c.evidence, /CA pool dpgce-swp-pool has no ENABLED CA \((no CA|dpgce-swp-root: DELETED)\)/);
    const pem = check(run, 'node.proxy-ca-pem');
    assert.equal(pem.status, 'fail');
    assert.equal(pem.evidence, 'CA pool dpgce-swp-pool has no CA, so gs://dpgce-demo-proxy-cert/proxy.cer matches no current root');
    assert.match(pem.fix, /dpgce up/);
    const root = check(run, 'expiry.root-ca');
    assert.equal(root.status, 'fail');
    assert.match(root.evidence, /^root CA \S+dpgce-swp-root (does not exist|holds no certificate \(state DELETED\))$/);
  });

  it('fails tls-inspection-policy when the TLS inspection policy is force-deleted, and follows env.json past it', async () => {
    const ws = await builtWorkspace();
    await changeCloud(ws, async (api) => {
      await api.done('DELETE', `/v1/${LOC}/tlsInspectionPolicies/dpgce-swp-tls?force=true`);
    });
    const run = await doctor(ws);
    const link = check(run, 'proxy.tls-inspection-policy');
    assert.equal(link.status, 'fail');
    assert.equal(link.evidence, `gateway security policy dpgce-swp-policy names TLS inspection policy ${LOC}/tlsInspectionPolicies/dpgce-swp-tls, which does not exist`);
    assert.match(link.fix, /dpgce up.*re-create dpgce-swp-tls/);
    const pool = check(run, 'proxy.tls-ca-pool');
    assert.equal(pool.status, 'fail');
    assert.match(pool.evidence, /dpgce-swp-tls \(env\.json's name: the link before is broken\) does not exist/);
    assert.equal(check(run, 'proxy.tls-ca-enabled').status, 'pass');
  });

  it('fails tls-inspection-policy when the policy names none, and tls-ca-pool when the TLS policy names a missing pool', async () => {
    const ws = await builtWorkspace();
    await changeCloud(ws, async (api) => {
      await api.seed(POLICY, (p) => ({ ...p, tlsInspectionPolicy: undefined }));
      await api.seed(`${LOC}/tlsInspectionPolicies/dpgce-swp-tls`, (t) => ({ ...t, caPool: `${LOC}/caPools/gone` }));
    });
    const run = await doctor(ws);
    const link = check(run, 'proxy.tls-inspection-policy');
    assert.equal(link.status, 'fail');
    assert.match(link.evidence, /dpgce-swp-policy names no TLS inspection policy, so no rule can inspect TLS/);
    assert.match(link.fix, /sets tlsInspectionPolicy to .*tlsInspectionPolicies\/dpgce-swp-tls/);
    const pool = check(run, 'proxy.tls-ca-pool');
    assert.equal(pool.status, 'fail');
    assert.match(pool.evidence, /names CA pool projects\/dpgce-demo-project\/locations\/us-central1\/caPools\/gone, which does not exist/);
    assert.match(pool.fix, /points dpgce-swp-tls at .*caPools\/dpgce-swp-pool/);
    // The rest of the chain is judged on env.json's pool.
    assert.equal(check(run, 'proxy.tls-ca-enabled').status, 'pass');
    assert.equal(check(run, 'proxy.tls-service-agent-role').status, 'pass');
  });

  it('fails gateway-ready when the certificate FAILED and the port differs', async () => {
    const ws = await builtWorkspace();
    await changeCloud(ws, async (api) => {
      await api.seed(`${LOC}/certificates/dpgce-swp-cert`, (c) => ({
        ...c, managed: { ...c.managed, state: 'FAILED', provisioningIssue: { reason: 'AUTHORIZATION_ISSUE' } },
        pemCertificate: undefined, expireTime: undefined,
      }));
      await api.seed(`${LOC}/gateways/dpgce-swp`, (g) => ({ ...g, ports: [8080] }));
    });
    const run = await doctor(ws);
    const c = check(run, 'proxy.gateway-ready');
    assert.equal(c.status, 'fail');
    const expiry = check(run, 'expiry.gateway-certificate');
    assert.equal(expiry.status, 'fail');
    assert.equal(expiry.evidence, `gateway certificate ${LOC}/certificates/dpgce-swp-cert has no certificate issued yet`);
    assert.equal(c.evidence, 'gateway dpgce-swp (SECURE_WEB_GATEWAY at 10.11.0.250:8080): ports [8080] lack SWP_PORT 3128; ' +
      `certificate ${LOC}/certificates/dpgce-swp-cert is FAILED (AUTHORIZATION_ISSUE)`);
    assert.match(c.fix, /FAILED managed certificate is never retried.*gcloud certificate-manager certificates delete dpgce-swp-cert --location=us-central1/);
  });

  it('fails gateway-ready, allows-needed-hosts and tls-inspection-policy when gateway and policy are deleted', async () => {
    const ws = await builtWorkspace();
    await changeCloud(ws, async (api) => {
      await api.done('DELETE', `/v1/${LOC}/gateways/dpgce-swp`);
      await api.done('DELETE', `/v1/${RULE}`);
      await api.done('DELETE', `/v1/${POLICY}`);
    });
    const run = await doctor(ws);
    const gw = check(run, 'proxy.gateway-ready');
    assert.equal(gw.status, 'fail');
    assert.equal(gw.evidence, `gateway ${LOC}/gateways/dpgce-swp does not exist: nodes have no proxy to reach`);
    assert.match(gw.fix, /dpgce up/);
    const allows = check(run, 'proxy.allows-needed-hosts');
    assert.equal(allows.status, 'fail');
    assert.equal(allows.evidence, `gateway security policy ${POLICY} does not exist, so the proxy allows nothing`);
    const tls = check(run, 'proxy.tls-inspection-policy');
    assert.equal(tls.status, 'fail');
    assert.equal(tls.evidence, `gateway security policy ${POLICY} does not exist`);
  });
});
