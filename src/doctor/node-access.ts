import type { Binding, Policy } from '../resources/iam-policy.js';
import { fail, pass, warn, type CheckResult, type DoctorContext } from './check.js';
import { desired, found, nodeServiceAccount, readOrMissing } from './observed.js';

// Whether the cluster service account may read the two objects a node
// fetches before it trusts anything (the boot script and the proxy CA):
// `storage.objects.get` on each, from the bucket's IAM policy or the
// project's. Roles are judged by the permissions Google documents for
// them; a custom role or a conditional grant cannot be judged from here,
// so it gives a warning rather than a pass or a failure.

export const READS = 'node.service-account-reads';

/**
 * Predefined roles that hold storage.objects.get: the Cloud Storage roles
 * (https://cloud.google.com/storage/docs/access-control/iam-roles; the legacy
 * *bucket* roles list objects but do not read them) and Dataproc Worker,
 * which holds storage.objects.* for the staging and temp buckets
 * (https://cloud.google.com/iam/docs/roles-permissions/dataproc).
 */
const OBJECT_READERS = new Set([
  'roles/storage.objectViewer',
  'roles/storage.objectUser',
  'roles/storage.objectAdmin',
  'roles/storage.admin',
  'roles/storage.legacyObjectReader',
  'roles/storage.legacyObjectOwner',
  'roles/dataproc.worker',
]);

/** Roles known not to read objects, so that they do not make the answer uncertain. */
const NOT_READERS = new Set([
  'roles/storage.objectCreator',
  'roles/storage.legacyBucketReader',
  'roles/storage.legacyBucketWriter',
  'roles/storage.legacyBucketOwner',
  'roles/logging.logWriter',
  'roles/monitoring.metricWriter',
  'roles/secretmanager.secretAccessor',
  'roles/viewer',
  'roles/editor',
  'roles/owner',
]);

/** A bucket's convenience members (`projectViewer:<project>`) stand for holders of these project roles. */
const CONVENIENCE: Record<string, string> = {
  projectViewer: 'roles/viewer',
  projectEditor: 'roles/editor',
  projectOwner: 'roles/owner',
};

interface Grant {
  where: string;
  role: string;
  conditional: boolean;
}

/** The grants that name the account, directly, as anyone, or through a convenience member. */
function grantsTo(policy: Policy | undefined, where: string, member: string,
  projectRoles: Set<string>, projects: string[]): Grant[] {
  const applies = (m: string): boolean => {
    if (m === member || m === 'allUsers' || m === 'allAuthenticatedUsers') return true;
    const [kind, project] = m.split(':');
    return !!CONVENIENCE[kind] && projects.includes(project) && projectRoles.has(CONVENIENCE[kind]);
  };
  return (policy?.bindings ?? []).filter((b: Binding) => (b.members ?? []).some(applies))
    .map((b) => ({ where, role: String(b.role), conditional: !!b.condition }));
}

export async function readsCheck(dc: DoctorContext): Promise<CheckResult | undefined> {
  const objects = ['object.boot-script', 'object.proxy-ca'].map((a) => desired(dc, a)).filter((d) => !!d);
  if (!objects.length) return undefined;
  // The account the live cluster runs as is the one that reads at boot, whatever env.json says.
  const runsAs = await nodeServiceAccount(dc);
  const email = runsAs.email;
  const other = email !== dc.p.names.serviceAccountEmail;
  const as = other ? ` (cluster ${dc.p.config.clusterName} runs as it, not as env.json's ${dc.p.names.serviceAccountEmail})` : '';
  if (!other && !found(dc, 'service-account.cluster')) {
    return fail(READS, `service account ${email} does not exist, so nodes cannot run as it`,
      'run `dpgce up` to create it with its roles');
  }
  const member = `serviceAccount:${email}`;
  const { projectId } = dc.p.config;

  // 1. The project's policy and each bucket's, side by side.
  const crm = await dc.p.session.client('cloudresourcemanager');
  const gcs = await dc.p.session.client('storage');
  const buckets = [...new Set(objects.map((d) => d.spec.bucket as string))];
  const [project, number, ...bucketPolicies] = await Promise.all([
    readOrMissing(dc, { method: 'cloudresourcemanager.projects.getIamPolicy', resource: `projects/${projectId}` },
      () => crm.projects.getIamPolicy({ resource: projectId, requestBody: { options: { requestedPolicyVersion: 3 } } })),
    dc.p.ctx.projectNumber(),
    ...buckets.map((bucket) => readOrMissing(dc,
      { method: 'storage.buckets.getIamPolicy', resource: `projects/_/buckets/${bucket}` },
      () => gcs.buckets.getIamPolicy({ bucket, optionsRequestedPolicyVersion: 3 }))),
  ]);
  const atProject = grantsTo(project as Policy, `project ${projectId}`, member, new Set(), []);
  const projectRoles = new Set(atProject.filter((g) => !g.conditional).map((g) => g.role));

  // 2. Per object: a plain grant of a reading role decides; else anything unknown makes it uncertain.
  const verdicts = objects.map((d) => {
    const i = buckets.indexOf(d.spec.bucket);
    const grants = [...grantsTo(bucketPolicies[i] as Policy, `gs://${d.spec.bucket}`, member, projectRoles,
      [projectId, number]), ...atProject];
    const reading = grants.find((g) => !g.conditional && OBJECT_READERS.has(g.role));
    const unsure = grants.filter((g) => g.conditional || (!OBJECT_READERS.has(g.role) && !NOT_READERS.has(g.role)));
    return { uri: `gs://${d.spec.bucket}/${d.spec.object}`, address: d.address, reading, unsure };
  });

  const fmt = (g: Grant): string => `${g.role}${g.conditional ? ' (conditional)' : ''} on ${g.where}`;
  const missing = verdicts.filter((v) => !v.reading);
  if (!missing.length) {
    return pass(READS, `${email}${as} reads ${verdicts.map((v) => `${v.uri} (${fmt(v.reading!)})`).join(', ')}`);
  }
  const grantFor = (v: (typeof verdicts)[number]): string => {
    const iam = desired(dc, v.address === 'object.boot-script' ? 'bucket-iam.staging' : 'bucket-iam.proxy-cert');
    return `${iam?.spec.role ?? 'roles/storage.objectViewer'} on gs://${v.uri.split('/')[2]}`;
  };
  const evidence = missing.map((v) => `${v.uri}: no role of ${email}${as} holds storage.objects.get` +
    (v.unsure.length ? ` (not judged: ${v.unsure.map(fmt).join(', ')})` : '')).join('; ');
  const fix = other
    ? `run \`dpgce up\`: it replaces the cluster with one that runs as ${dc.p.names.serviceAccountEmail} and grants ` +
      `${missing.map(grantFor).join(' and ')} (or grant ${email}: gcloud storage buckets add-iam-policy-binding gs://BUCKET ` +
      `--member=${member} --role=roles/storage.objectViewer)`
    : `run \`dpgce up\`, which grants ${missing.map(grantFor).join(' and ')} (or: gcloud storage buckets ` +
    `add-iam-policy-binding gs://BUCKET --member=${member} --role=roles/storage.objectViewer)`;
  if (missing.every((v) => v.unsure.length)) return warn(READS, evidence, `if those do not grant it, ${fix}`);
  return fail(READS, `${evidence}: nodes cannot fetch it at boot`, fix);
}
