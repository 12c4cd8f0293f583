import { CLUSTER_ADDRESS } from '../plan/graph-cluster.js';
import { fail, pass, warn, type CheckResult, type DoctorContext } from './check.js';
import {
  coversRegion, coversSubnetwork, enforced, evaluateList, type ListVerdict, type PolicyRule,
} from './org-policy-values.js';
import { couldNotRead } from './preflight-read.js';

// Organisation policy constraints that would stop `up`, read as the
// project's effective policy (Org Policy v2 getEffectivePolicy, which merges
// the hierarchy), one read per constraint, side by side. A caller who may not
// read them gets a warning per constraint, never a crash.

type Effective = { rules: PolicyRule[] } | { error: unknown };

const ASK_ADMIN = 'ask your organisation policy administrator';

export async function orgPolicyChecks(dc: DoctorContext): Promise<CheckResult[]> {
  const constraints = ['compute.requireShieldedVm', 'compute.vmExternalIpAccess', 'compute.restrictCloudNATUsage',
    'gcp.resourceLocations'] as const;
  const [shielded, externalIp, nat, locations] = await Promise.all(constraints.map((c) => effective(dc, c)));
  // Only to match values written with the number; a failed read leaves the id alone.
  const number = await dc.p.ctx.projectNumber().catch(() => '');
  return [
    guarded(dc, 'preflight.require-shielded-vm', 'compute.requireShieldedVm', shielded, requireShieldedVm),
    guarded(dc, 'preflight.vm-external-ip-access', 'compute.vmExternalIpAccess', externalIp, vmExternalIpAccess),
    guarded(dc, 'preflight.restrict-cloud-nat-usage', 'compute.restrictCloudNATUsage', nat,
      (d, n, rules) => restrictCloudNatUsage(d, n, rules, number)),
    guarded(dc, 'preflight.resource-locations', 'gcp.resourceLocations', locations, resourceLocations),
  ];
}

async function effective(dc: DoctorContext, constraint: string): Promise<Effective> {
  const s = dc.p.session;
  const name = `projects/${dc.p.config.projectId}/policies/${constraint}`;
  try {
    const orgpolicy = await s.client('orgpolicy');
    const policy = await s.call({ method: 'orgpolicy.projects.policies.getEffectivePolicy', resource: name },
      () => orgpolicy.projects.policies.getEffectivePolicy({ name }));
    // No spec, or no rules, is the constraint default.
    return { rules: (policy.spec?.rules ?? []) as PolicyRule[] };
  } catch (err) {
    return { error: err };
  }
}

type Evaluate = (dc: DoctorContext, name: string, rules: PolicyRule[]) => CheckResult;

function guarded(dc: DoctorContext, name: string, constraint: string, e: Effective, evaluate: Evaluate): CheckResult {
  if ('error' in e) {
    return couldNotRead(name, `the effective policy of ${constraint} on project ${dc.p.config.projectId}`, e.error,
      `grant the caller roles/orgpolicy.policyViewer (orgpolicy.policy.get) on the project or its organisation, ` +
      `or ${ASK_ADMIN} how ${constraint} is set; then run doctor again`);
  }
  return evaluate(dc, name, e.rules);
}

/** The cluster's Dataproc request, when env.json names a cluster. */
const clusterRequest = (dc: DoctorContext): Record<string, any> | undefined =>
  dc.p.graph.find((d) => d.address === CLUSTER_ADDRESS)?.spec.cluster;

function requireShieldedVm(dc: DoctorContext, name: string, rules: PolicyRule[]): CheckResult {
  const on = enforced(rules);
  const cluster = clusterRequest(dc);
  if (!cluster) {
    return pass(name, `compute.requireShieldedVm ${on ? 'is enforced' : 'is not enforced'}; env.json names no ` +
      'cluster and the foundation creates no VM instance (the proxy is a managed service)');
  }
  const shielded = cluster.config.gceClusterConfig.shieldedInstanceConfig ?? {};
  const off = ['enableSecureBoot', 'enableVtpm', 'enableIntegrityMonitoring'].filter((k) => shielded[k] !== true);
  const asked = off.length ? `asks for ${off.join(', ')} off` : 'asks for Secure Boot, vTPM and integrity monitoring';
  if (!on) return pass(name, `compute.requireShieldedVm is not enforced; cluster ${cluster.clusterName} ${asked}`);
  if (!off.length) return pass(name, `compute.requireShieldedVm is enforced and cluster ${cluster.clusterName} ${asked}`);
  return fail(name, `compute.requireShieldedVm is enforced on project ${dc.p.config.projectId} and cluster ` +
    `${cluster.clusterName} ${asked}: its nodes would be refused`,
  'set SECURE_BOOT to true in env.json (a GPU driver then needs signed modules: run `dpgce secure-boot keys` and ' +
    `use a custom image that trusts the key, docs/secure-boot.md), or ${ASK_ADMIN} for an exception`);
}

function vmExternalIpAccess(dc: DoctorContext, name: string, rules: PolicyRule[]): CheckResult {
  const verdict = evaluateList(rules, () => undefined);
  const policy = verdict.allowed === true ? `compute.vmExternalIpAccess allows external IPs (${verdict.by})`
    : `compute.vmExternalIpAccess restricts external IPs (${verdict.by})`;
  const cluster = clusterRequest(dc);
  if (!cluster) return pass(name, `${policy}; the foundation creates no VM instance`);
  if (cluster.config.gceClusterConfig.internalIpOnly === true) {
    return pass(name, `${policy}; compatible: cluster ${cluster.clusterName} is internal-IP only ` +
      '(gceClusterConfig.internalIpOnly: true)');
  }
  return warn(name, `${policy}; cluster ${cluster.clusterName} does not ask for internal IPs only`,
    'nodes with external IPs bypass the proxy: this is a bug in dpgce, report it');
}

function restrictCloudNatUsage(dc: DoctorContext, name: string, rules: PolicyRule[], number: string): CheckResult {
  const { config, names } = dc.p;
  const subnet = dc.p.ctx.observed.get('subnetwork.proxy-only')?.foundName ??
    `projects/${config.projectId}/regions/${config.region}/subnetworks/${names.proxyOnlySubnet}`;
  const verdict = evaluateList(rules, coversSubnetwork(subnet, config.projectId, number));
  const nat = `the Cloud NAT Secure Web Proxy creates on its router swg-autogen-router-* for ${subnet}`;
  return decide(name, verdict, `compute.restrictCloudNATUsage`, `allow ${nat}`,
    `${ASK_ADMIN} to allow ${subnet} (or under:projects/${config.projectId}) in compute.restrictCloudNATUsage; ` +
    'without it the proxy has no way out to the hosts its policy allows');
}

function resourceLocations(dc: DoctorContext, name: string, rules: PolicyRule[]): CheckResult {
  const { region, projectId } = dc.p.config;
  const verdict = evaluateList(rules, coversRegion(region));
  return decide(name, verdict, 'gcp.resourceLocations', `allow REGION ${region}`,
    `set REGION (and ZONE) in env.json to an allowed region, or ${ASK_ADMIN} to allow in:${region}-locations ` +
    `for project ${projectId}`);
}

/** `<constraint> does (not) <what>`, or a warning when the answer hangs on what cannot be evaluated. */
function decide(name: string, v: ListVerdict, constraint: string, what: string, fix: string): CheckResult {
  if (v.allowed === true) return pass(name, `${constraint} does ${what} (${v.by})`);
  if (v.allowed === false) return fail(name, `${constraint} does not ${what} (${v.by})`, fix);
  return warn(name, `cannot tell whether ${constraint} does ${what}: it depends on ${v.by}, which doctor ` +
    'cannot evaluate exactly', `check it with ${ASK_ADMIN}; if it is refused: ${fix}`);
}
