import type { Desired } from '../resources/types.js';
import { fail, pass, type CheckResult, type DoctorContext } from './check.js';
import { couldNotRead } from './preflight-read.js';

// What the caller must be allowed to do for `up` to converge, asked with
// testIamPermissions: on the project, on each of the environment's buckets
// that exists and on the CA pool when it exists (a missing bucket or pool is
// created under the project's grants, so its permissions are asked there).
//
// PERMISSIONS is the one table: for each kind in the desired graph, the
// permissions Google documents for what `up` does with it (create, or grant
// on it), where they are tested, and the predefined role that holds them.

type Scope = 'project' | 'bucket' | 'ca-pool';

interface Need {
  permission: string;
  /** Graph kinds that need it; a bucket- or pool-scoped need counts kinds under that bucket or pool. */
  kinds: string[];
  on: Scope;
  /** A predefined role that includes the permission, to suggest. */
  role: string;
}

const row = (on: Scope, role: string, kinds: string[], ...permissions: string[]): Need[] =>
  permissions.map((permission) => ({ permission, kinds, on, role }));

export const PERMISSIONS: Need[] = [
  ...row('project', 'roles/serviceusage.serviceUsageAdmin', ['service'], 'serviceusage.services.enable'),
  ...row('project', 'roles/compute.networkAdmin', ['network'], 'compute.networks.create'),
  ...row('project', 'roles/compute.networkAdmin', ['route'], 'compute.routes.create'),
  ...row('project', 'roles/compute.networkAdmin', ['subnetwork'], 'compute.subnetworks.create'),
  ...row('project', 'roles/compute.securityAdmin', ['firewall'], 'compute.firewalls.create'),
  // Secure Web Proxy makes its Cloud Router and NAT with the caller's rights.
  ...row('project', 'roles/compute.networkAdmin', ['gateway'], 'compute.routers.create'),
  ...row('project', 'roles/networkservices.admin', ['gateway'], 'networkservices.gateways.create'),
  ...row('project', 'roles/dns.admin', ['dns-zone'], 'dns.managedZones.create'),
  ...row('project', 'roles/dns.admin', ['dns-record-set'], 'dns.changes.create'),
  ...row('project', 'roles/iam.serviceAccountAdmin', ['service-account'], 'iam.serviceAccounts.create'),
  ...row('project', 'roles/resourcemanager.projectIamAdmin', ['iam-binding'],
    'resourcemanager.projects.getIamPolicy', 'resourcemanager.projects.setIamPolicy'),
  ...row('project', 'roles/storage.admin', ['bucket'], 'storage.buckets.create'),
  ...row('project', 'roles/privateca.admin', ['ca-pool'], 'privateca.caPools.create'),
  ...row('project', 'roles/certificatemanager.editor', ['certificate-issuance-config'],
    'certificatemanager.certissuanceconfigs.create'),
  ...row('project', 'roles/certificatemanager.editor', ['certificate'], 'certificatemanager.certs.create'),
  ...row('project', 'roles/networksecurity.admin', ['tls-inspection-policy'], 'networksecurity.tlsInspectionPolicies.create'),
  ...row('project', 'roles/networksecurity.admin', ['url-list'], 'networksecurity.urlLists.create'),
  ...row('project', 'roles/networksecurity.admin', ['gateway-security-policy'],
    'networksecurity.gatewaySecurityPolicies.create'),
  ...row('project', 'roles/networksecurity.admin', ['gateway-security-policy-rule'],
    'networksecurity.gatewaySecurityPolicyRules.create'),
  ...row('project', 'roles/secretmanager.admin', ['secret-iam'], 'secretmanager.secrets.setIamPolicy'),
  ...row('project', 'roles/dataproc.editor', ['dataproc-cluster'], 'dataproc.clusters.create'),
  // The cluster runs as the environment's service account.
  ...row('project', 'roles/iam.serviceAccountUser', ['dataproc-cluster'], 'iam.serviceAccounts.actAs'),
  ...row('bucket', 'roles/storage.admin', ['bucket-iam'], 'storage.buckets.getIamPolicy', 'storage.buckets.setIamPolicy'),
  // Objects: the boot script, the proxy CA and the run lock.
  ...row('bucket', 'roles/storage.objectAdmin', ['object'],
    'storage.objects.create', 'storage.objects.get', 'storage.objects.delete'),
  ...row('ca-pool', 'roles/privateca.admin', ['certificate-authority'], 'privateca.certificateAuthorities.create'),
  ...row('ca-pool', 'roles/privateca.admin', ['ca-pool-iam'], 'privateca.caPools.getIamPolicy', 'privateca.caPools.setIamPolicy'),
];

/** The three permission checks: the project, the buckets that exist, the pool when it exists. */
export async function permissionChecks(dc: DoctorContext): Promise<CheckResult[]> {
  const { graph, ctx, config } = dc.p;
  const exists = (d: Desired): boolean => !!ctx.observed.get(d.address)?.exists;
  // The buckets or the pool a need is about: those holding one of its kinds.
  const under = (parent: Desired, kind: string): boolean => graph.some((d) => d.kind === kind &&
    (d.parent === parent.address || (parent.kind === 'ca-pool' && d.name.startsWith(`${parent.name}/`))));
  const holders = (n: Need): Desired[] => n.on === 'project' ? []
    : graph.filter((d) => d.kind === (n.on === 'bucket' ? 'bucket' : 'ca-pool') && n.kinds.some((k) => under(d, k)));
  const inGraph = (n: Need): boolean => n.kinds.some((k) => graph.some((d) => d.kind === k));
  // A resource that does not exist yet is made under the project's grants.
  const projectNeeds = PERMISSIONS.filter((n) => inGraph(n) && (n.on === 'project' || holders(n).some((h) => !exists(h))));
  const on = (holder: Desired): Need[] => PERMISSIONS.filter((n) => holders(n).includes(holder));
  const buckets = graph.filter((d) => d.kind === 'bucket' && exists(d));
  const pool = graph.find((d) => d.kind === 'ca-pool' && exists(d));

  const poolName = pool && (ctx.observed.get(pool.address)?.foundName ?? pool.name);
  return Promise.all([
    tested(dc, 'preflight.project-permissions', [[`projects/${config.projectId}`, projectNeeds]]),
    tested(dc, 'preflight.bucket-permissions', buckets.map((b) => [`gs://${b.spec.name}`, on(b)])),
    tested(dc, 'preflight.ca-pool-permissions', pool && poolName ? [[poolName, on(pool)]] : []),
  ]);
}

/** One check over some resources: every permission held on each, or the missing ones with their roles. */
async function tested(dc: DoctorContext, name: string, targets: [string, Need[]][]): Promise<CheckResult> {
  const asked = targets.filter(([, needs]) => needs.length);
  if (!asked.length) return pass(name, 'none of the environment\'s resources of this kind exists yet; ' +
    'their permissions are tested on the project');
  let answers: Set<string>[];
  try {
    answers = await Promise.all(asked.map(async ([resource, needs]) =>
      new Set(await testPermissions(dc, resource, needs.map((n) => n.permission)))));
  } catch (err) {
    return couldNotRead(name, 'the caller\'s permissions', err,
      'check that the caller may call testIamPermissions there and run doctor again');
  }
  const missing: string[] = [];
  const fixes: string[] = [];
  for (const [i, [resource, needs]] of asked.entries()) {
    const lacking = needs.filter((n) => !answers[i].has(n.permission));
    if (!lacking.length) continue;
    missing.push(`${resource}: ${lacking.map((n) => n.permission).join(', ')}`);
    const roles = [...new Set(lacking.map((n) => n.role))];
    fixes.push(`grant the caller ${roles.join(' and ')} on ${resource} ` +
      `(${roles.map((role) => grantCommand(dc, resource, role)).join('; ')})`);
  }
  const counted = asked.reduce((sum, [, needs]) => sum + needs.length, 0);
  if (!missing.length) {
    return pass(name, `the caller holds all ${counted} permissions \`dpgce up\` needs on ${asked.map(([r]) => r).join(', ')}`);
  }
  return fail(name, `the caller lacks ${missing.join('; ')}`, fixes.join('; '));
}

function grantCommand(dc: DoctorContext, resource: string, role: string): string {
  const member = '--member=user:YOU@example.com';
  if (resource.startsWith('gs://')) return `gcloud storage buckets add-iam-policy-binding ${resource} ${member} --role=${role}`;
  if (resource.includes('/caPools/')) {
    return `gcloud privateca pools add-iam-policy-binding ${resource.split('/').pop()} ` +
      `--location=${dc.p.config.region} --project=${dc.p.config.projectId} ${member} --role=${role}`;
  }
  return `gcloud projects add-iam-policy-binding ${dc.p.config.projectId} ${member} --role=${role}`;
}

/** testIamPermissions on a project, a bucket (`gs://b`) or a CA pool: the subset held. */
async function testPermissions(dc: DoctorContext, resource: string, permissions: string[]): Promise<string[]> {
  const s = dc.p.session;
  const site = { method: 'testIamPermissions', resource };
  if (resource.startsWith('gs://')) {
    const storage = await s.client('storage');
    const bucket = resource.slice('gs://'.length);
    const r = await s.call({ ...site, method: 'storage.buckets.testIamPermissions' },
      () => storage.buckets.testIamPermissions({ bucket, permissions }));
    return r.permissions ?? [];
  }
  if (resource.includes('/caPools/')) {
    const privateca = await s.client('privateca');
    const r = await s.call({ ...site, method: 'privateca.caPools.testIamPermissions' },
      () => privateca.projects.locations.caPools.testIamPermissions({ resource, requestBody: { permissions } }));
    return r.permissions ?? [];
  }
  const crm = await s.client('cloudresourcemanager');
  const r = await s.call({ ...site, method: 'cloudresourcemanager.projects.testIamPermissions' },
    () => crm.projects.testIamPermissions({ resource: dc.p.config.projectId, requestBody: { permissions } }));
  return r.permissions ?? [];
}
