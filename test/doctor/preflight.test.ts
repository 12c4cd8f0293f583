import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { builtWorkspace, type BuiltWorkspace } from '../helpers/built.js';
import { runCli } from '../helpers/cli.js';
import { changeCloud } from './doctor-run.js';
import { changeState, PROJECT, REGION, type Request } from './emulator-changes.js';

// `dpgce doctor --local --json` preflight checks on environments `up --local`
// built, then with what would stop `up` put in place through the emulator
// the way an administrator would: a service disabled, a permission taken
// from the caller, organisation policies set through the Org Policy API, the
// policies made unreadable, a GPU quota lowered.

interface Check { name: string; status: string; evidence: string; fix: string }
type Checks = Map<string, Check>;

async function doctor(ws: BuiltWorkspace): Promise<{ code: number | null; checks: Checks }> {
  const r = await runCli(['doctor', '--json', ...ws.target], { cwd: ws.dir });
  const checks = (JSON.parse(r.stdout).checks as Check[]).filter((c) => c.name.startsWith('preflight.'));
  return { code: r.code, checks: new Map(checks.map((c) => [c.name, c])) };
}

async function changed(kind: 'example' | 'gpu', change: (request: Request) => Promise<void>,
  edit?: (env: string) => string): Promise<{ code: number | null; checks: Checks }> {
  const ws = await builtWorkspace(kind);
  if (edit) writeFileSync(ws.env, edit(readFileSync(ws.env, 'utf8')));
  await changeState(ws.state, change);
  return doctor(ws);
}

function expectCheck(checks: Checks, name: string, status: string, evidence: RegExp, fix?: RegExp): void {
  const c = checks.get(name);
  assert.ok(c, `${name} is reported`);
  assert.equal(c.status, status, `${name}: ${c.evidence}`);
  assert.match(c.evidence, evidence, name);
  if (fix) assert.match(c.fix, fix, name);
  else assert.equal(c.fix, '');
}

/** An organisation policy set on the project as an administrator would (Org Policy v2 create). */
const setPolicy = (request: Request, constraint: string, rules: unknown[]): Promise<any> =>
  request('POST', `/v2/projects/${PROJECT}/policies`, { name: `projects/${PROJECT}/policies/${constraint}`, spec: { rules } });

const PROXY_ONLY = `projects/${PROJECT}/regions/${REGION}/subnetworks/dpgce-proxy-only`;

describe('doctor: preflight', () => {
  it('passes every preflight check on a fresh environment', async () => {
    const { code, checks } = await doctor(await builtWorkspace());
    assert.equal(code, 0);
    assert.deepEqual([...checks.keys()], ['preflight.services-enabled', 'preflight.project-permissions',
      'preflight.bucket-permissions', 'preflight.ca-pool-permissions', 'preflight.require-shielded-vm',
      'preflight.vm-external-ip-access', 'preflight.restrict-cloud-nat-usage', 'preflight.resource-locations',
      'preflight.gpu-quota']);
    for (const c of checks.values()) assert.equal(c.status, 'pass', `${c.name}: ${c.evidence}`);
    expectCheck(checks, 'preflight.gpu-quota', 'pass', /^no accelerators requested \(env.json names no CLUSTER_NAME\)$/);
    expectCheck(checks, 'preflight.bucket-permissions', 'pass', /gs:\/\/dpgce-demo-staging, gs:\/\/dpgce-demo-temp, gs:\/\/dpgce-demo-proxy-cert/);
  });

  it('passes on a built GPU cluster, counting its own GPUs once', async () => {
    const { checks } = await doctor(await builtWorkspace('gpu'));
    for (const c of checks.values()) assert.equal(c.status, 'pass', `${c.name}: ${c.evidence}`);
    expectCheck(checks, 'preflight.gpu-quota', 'pass',
      /NVIDIA_T4_GPUS in us-central1: limit 8, usage 3, 3 of them held by this environment's cluster gpu-cluster; the cluster needs 3 \(1 × nvidia-tesla-t4 on 3 nodes\)/);
    expectCheck(checks, 'preflight.vm-external-ip-access', 'pass', /internal-IP only/);
    expectCheck(checks, 'preflight.require-shielded-vm', 'pass', /not enforced; cluster gpu-cluster asks for Secure Boot/);
  });

  it('fails on a disabled service, naming it and the command that enables it', async () => {
    const { code, checks } = await changed('example', async (request) => {
      await request('POST', `/v1/projects/${PROJECT}/services/dns.googleapis.com:disable`, {});
    });
    assert.equal(code, 1);
    expectCheck(checks, 'preflight.services-enabled', 'fail', /^not enabled in project dpgce-demo-project: dns\.googleapis\.com$/,
      /dpgce up.*gcloud services enable dns\.googleapis\.com --project=dpgce-demo-project/);
  });

  it('fails on permissions taken from the caller, on the project, a bucket and the CA pool, with the roles', async () => {
    const { code, checks } = await changed('example', async (request) => {
      await request('PUT', '/_emulator/caller',
        { deniedPermissions: ['dns.managedZones.create', 'storage.objects.create', 'privateca.caPools.setIamPolicy'] });
    });
    assert.equal(code, 1);
    expectCheck(checks, 'preflight.project-permissions', 'fail',
      /^the caller lacks projects\/dpgce-demo-project: dns\.managedZones\.create$/,
      /grant the caller roles\/dns\.admin on projects\/dpgce-demo-project \(gcloud projects add-iam-policy-binding dpgce-demo-project .*--role=roles\/dns\.admin\)/);
    expectCheck(checks, 'preflight.bucket-permissions', 'fail',
      /gs:\/\/dpgce-demo-staging: storage\.objects\.create; gs:\/\/dpgce-demo-proxy-cert: storage\.objects\.create$/,
      /roles\/storage\.objectAdmin on gs:\/\/dpgce-demo-staging \(gcloud storage buckets add-iam-policy-binding gs:\/\/dpgce-demo-staging/);
    assert.doesNotMatch(checks.get('preflight.bucket-permissions')!.evidence, /dpgce-demo-temp/, 'no object of ours lives there');
    expectCheck(checks, 'preflight.ca-pool-permissions', 'fail', /caPools\/dpgce-swp-pool: privateca\.caPools\.setIamPolicy$/,
      /roles\/privateca\.admin .*gcloud privateca pools add-iam-policy-binding dpgce-swp-pool --location=us-central1/);
  });

  it('asks the project for the permissions on a bucket that does not exist yet', async () => {
    const ws = await builtWorkspace();
    await changeCloud(ws, async (api) => {
      await api.ok('DELETE', '/storage/v1/b/dpgce-demo-temp');
      await api.ok('PUT', '/_emulator/caller', { deniedPermissions: ['storage.buckets.setIamPolicy'] });
    });
    const { checks } = await doctor(ws);
    expectCheck(checks, 'preflight.project-permissions', 'fail',
      /^the caller lacks projects\/dpgce-demo-project: storage\.buckets\.setIamPolicy$/, /roles\/storage\.admin/);
    expectCheck(checks, 'preflight.bucket-permissions', 'fail',
      /^the caller lacks gs:\/\/dpgce-demo-staging: storage\.buckets\.setIamPolicy; gs:\/\/dpgce-demo-proxy-cert: storage\.buckets\.setIamPolicy$/,
      /roles\/storage\.admin/);
  });

  it('fails when compute.requireShieldedVm is enforced and env.json turns Secure Boot off', async () => {
    const { code, checks } = await changed('gpu',
      (request) => setPolicy(request, 'compute.requireShieldedVm', [{ enforce: true }]),
      (env) => env.replace('"SECURE_BOOT": true', '"SECURE_BOOT": false'));
    assert.equal(code, 1);
    expectCheck(checks, 'preflight.require-shielded-vm', 'fail',
      /compute\.requireShieldedVm is enforced on project dpgce-demo-project and cluster gpu-cluster asks for enableSecureBoot off/,
      /set SECURE_BOOT to true in env\.json/);
  });

  it('passes an enforced compute.requireShieldedVm and a denied external IP for a Shielded, internal-IP cluster', async () => {
    const { checks } = await changed('gpu', async (request) => {
      await setPolicy(request, 'compute.requireShieldedVm', [{ enforce: true }]);
      await setPolicy(request, 'compute.vmExternalIpAccess', [{ denyAll: true }]);
    });
    expectCheck(checks, 'preflight.require-shielded-vm', 'pass', /is enforced and cluster gpu-cluster asks for Secure Boot, vTPM and integrity monitoring/);
    expectCheck(checks, 'preflight.vm-external-ip-access', 'pass',
      /restricts external IPs \(denyAll\); compatible: cluster gpu-cluster is internal-IP only \(gceClusterConfig\.internalIpOnly: true\)/);
  });

  it('fails on a Cloud NAT restriction that covers the proxy and on a region outside the allowed locations', async () => {
    const { code, checks } = await changed('example', async (request) => {
      await setPolicy(request, 'compute.restrictCloudNATUsage',
        [{ values: { allowedValues: [`projects/${PROJECT}/regions/${REGION}/subnetworks/other-subnet`] } }]);
      await setPolicy(request, 'gcp.resourceLocations', [{ values: { allowedValues: ['in:europe-locations'] } }]);
    });
    assert.equal(code, 1);
    expectCheck(checks, 'preflight.restrict-cloud-nat-usage', 'fail',
      new RegExp(`does not allow the Cloud NAT .* for ${PROXY_ONLY} \\(not among the allowed values .*other-subnet\\)`),
      new RegExp(`allow ${PROXY_ONLY} \\(or under:projects/${PROJECT}\\) in compute.restrictCloudNATUsage`));
    expectCheck(checks, 'preflight.resource-locations', 'fail',
      /gcp\.resourceLocations does not allow REGION us-central1 \(not among the allowed values in:europe-locations\)/,
      /set REGION \(and ZONE\) in env\.json to an allowed region, or .* allow in:us-central1-locations/);
  });

  it('fails on a denyAll Cloud NAT policy, and passes a region its own value group allows', async () => {
    const { checks } = await changed('example', async (request) => {
      await setPolicy(request, 'compute.restrictCloudNATUsage', [{ denyAll: true }]);
      await setPolicy(request, 'gcp.resourceLocations', [{ values: { allowedValues: ['in:us-locations'] } }]);
    });
    expectCheck(checks, 'preflight.restrict-cloud-nat-usage', 'fail', /does not allow .* \(denyAll\)/, /restrictCloudNATUsage/);
    expectCheck(checks, 'preflight.resource-locations', 'pass', /does allow REGION us-central1 \(allowed value in:us-locations\)/);
  });

  it('warns rather than guesses on value groups and folders it cannot evaluate', async () => {
    const { code, checks } = await changed('example', async (request) => {
      await setPolicy(request, 'compute.restrictCloudNATUsage', [{ values: { allowedValues: ['under:folders/1234'] } }]);
      await setPolicy(request, 'gcp.resourceLocations', [{ values: { allowedValues: ['in:northamerica-locations'] } }]);
    });
    assert.equal(code, 0);
    expectCheck(checks, 'preflight.restrict-cloud-nat-usage', 'warn', /depends on allowed value under:folders\/1234/, /administrator/);
    expectCheck(checks, 'preflight.resource-locations', 'warn', /depends on allowed value in:northamerica-locations/, /administrator/);
  });

  it('warns on each constraint when the caller may not read organisation policies (403)', async () => {
    const { code, checks } = await changed('example', async (request) => {
      await request('PUT', '/_emulator/caller', { deniedPermissions: ['orgpolicy.policy.get'] });
    });
    assert.equal(code, 0, 'a warning is not a failure');
    for (const [name, constraint] of [['require-shielded-vm', 'compute.requireShieldedVm'],
      ['vm-external-ip-access', 'compute.vmExternalIpAccess'], ['restrict-cloud-nat-usage', 'compute.restrictCloudNATUsage'],
      ['resource-locations', 'gcp.resourceLocations']]) {
      expectCheck(checks, `preflight.${name}`, 'warn',
        new RegExp(`could not read the effective policy of ${constraint.replace(/\./g, '\\.')} on project dpgce-demo-project ` +
          `\\(orgpolicy\\.projects\\.policies\\.getEffectivePolicy projects/dpgce-demo-project/policies/${constraint}\\): ` +
          "403 PERMISSION_DENIED: Permission 'orgpolicy.policy.get' denied"),
        /roles\/orgpolicy\.policyViewer/);
    }
  });

  it('fails when the region lacks the GPU quota the cluster needs', async () => {
    const { code, checks } = await changed('gpu', async (request) => {
      await request('PUT', '/_emulator/quotas', { [`projects/${PROJECT}/regions/${REGION}`]: { NVIDIA_T4_GPUS: 2 } });
    });
    assert.equal(code, 1);
    expectCheck(checks, 'preflight.gpu-quota', 'fail',
      /NVIDIA_T4_GPUS in us-central1: limit 2, usage 3, 3 of them held by .*gpu-cluster; the cluster needs 3 .*, 2 available$/,
      /request at least 1 more NVIDIA_T4_GPUS quota in us-central1 .*or lower NUM_WORKERS or ACCELERATOR_COUNT in env\.json/);
  });

  it('passes a limit the existing cluster alone fills, since it needs no more', async () => {
    const { checks } = await changed('gpu', async (request) => {
      await request('PUT', '/_emulator/quotas', { [`projects/${PROJECT}/regions/${REGION}`]: { NVIDIA_T4_GPUS: 3 } });
    });
    expectCheck(checks, 'preflight.gpu-quota', 'pass', /limit 3, usage 3, 3 of them held/);
  });
});
