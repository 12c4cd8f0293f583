import { Reply, type EmuContext, type EmuRequest, type Router } from '../router.js';
import type { Resource } from '../store.js';
import { body, nowIso, page } from './common.js';
import { dropPolicy, seedPolicy } from './iam-policy.js';
import {
  badRequest,
  BUCKET_LINK,
  bucketOr404,
  checkPreconditions,
  conflict,
  nextGeneration,
  protoEtag,
  required,
} from './storage-common.js';
import { legacyBindings, registerBucketIam } from './storage-iam.js';
import { registerObjects } from './storage-object.js';

// Cloud Storage JSON API v1: buckets (objects are in storage-object.ts, the
// bucket IAM policy in storage-iam.ts). Buckets are synchronous, stored at `b/<name>`; names
// are global, so a name held by another project is refused. The created
// bucket carries the server-filled fields of the recorded storage-bucket
// transcript; `projection=full` adds the project-team ACLs.

const OUTPUT_ONLY = [
  'kind',
  'id',
  'selfLink',
  'projectNumber',
  'metageneration',
  'generation',
  'etag',
  'timeCreated',
  'updated',
  'owner',
  'locationType',
  'acl',
  'defaultObjectAcl',
];
const MULTI_REGIONS = ['US', 'EU', 'ASIA'];
const DUAL_REGIONS = ['NAM4', 'EUR4', 'ASIA1', 'EUR5', 'EUR7', 'EUR8'];

export function registerStorage(r: Router): void {
  r.add({ api: 'storage', method: 'POST', path: '/storage/v1/b' }, (req, ctx) =>
    insertBucket(req, ctx),
  );
  r.add({ api: 'storage', method: 'GET', path: '/storage/v1/b' }, (req, ctx) => {
    const project = req.query.get('project');
    if (!project) throw required('project');
    const number = ctx.projectNumber(project);
    const prefix = req.query.get('prefix') ?? '';
    const items = ctx.store
      .list('b')
      .filter((b) => b.projectNumber === number && b.name.startsWith(prefix))
      .map((b) => present(b, req));
    return { kind: 'storage#buckets', ...page(items, 'items', req, 'maxResults') };
  });
  r.add({ api: 'storage', method: 'GET', path: '/storage/v1/b/{bucket}' }, (req, ctx) => {
    const bucket = bucketOr404(ctx, req.params.bucket);
    checkPreconditions(req, bucket, true);
    return present(bucket, req);
  });
  r.add({ api: 'storage', method: 'PATCH', path: '/storage/v1/b/{bucket}' }, (req, ctx) =>
    updateBucket(req, ctx, true),
  );
  r.add({ api: 'storage', method: 'PUT', path: '/storage/v1/b/{bucket}' }, (req, ctx) =>
    updateBucket(req, ctx, false),
  );
  r.add({ api: 'storage', method: 'DELETE', path: '/storage/v1/b/{bucket}' }, (req, ctx) => {
    const bucket = bucketOr404(ctx, req.params.bucket);
    checkPreconditions(req, bucket);
    if (ctx.store.entries(`b/${bucket.name}/o/`).length)
      throw conflict('The bucket you tried to delete is not empty.');
    ctx.store.delete(`b/${bucket.name}`);
    dropPolicy(ctx, `b/${bucket.name}/iam`);
    return new Reply(204);
  });

  registerBucketIam(r);
  registerObjects(r);
}

function insertBucket(req: EmuRequest, ctx: EmuContext): Resource {
  const project = req.query.get('project');
  if (!project) throw required('project');
  const input = body(req);
  checkBucketName(input.name);
  const number = ctx.projectNumber(project);
  const existing = ctx.store.get(`b/${input.name}`);
  if (existing) {
    throw conflict(
      existing.projectNumber === number
        ? 'Your previous request to create the named bucket succeeded and you already own it.'
        : 'The requested bucket name is not available. The bucket namespace is shared by all users of the system. ' +
            'Please select a different name and try again.',
    );
  }

  const now = nowIso();
  const fields = withoutOutputOnly(input);
  const location = String(fields.location ?? 'US').toUpperCase();
  const bucket: Resource = {
    ...fields,
    kind: 'storage#bucket',
    selfLink: `${BUCKET_LINK}${input.name}`,
    id: input.name,
    name: input.name,
    projectNumber: number,
    generation: nextGeneration(),
    metageneration: '1',
    location,
    locationType: MULTI_REGIONS.includes(location)
      ? 'multi-region'
      : DUAL_REGIONS.includes(location)
        ? 'dual-region'
        : 'region',
    storageClass: fields.storageClass ?? 'STANDARD',
    rpo: fields.rpo ?? 'DEFAULT',
    iamConfiguration: iamConfiguration(fields.iamConfiguration),
    softDeletePolicy: {
      retentionDurationSeconds: '604800',
      effectiveTime: now,
      ...fields.softDeletePolicy,
    },
    timeCreated: now,
    updated: now,
    etag: protoEtag([1]),
  };
  ctx.store.put(`b/${input.name}`, bucket);
  seedPolicy(
    ctx,
    `b/${input.name}/iam`,
    legacyBindings(project, bucket.iamConfiguration.uniformBucketLevelAccess.enabled),
  );
  return present(bucket, req);
}

function updateBucket(req: EmuRequest, ctx: EmuContext, merge: boolean): Resource {
  const current = bucketOr404(ctx, req.params.bucket);
  checkPreconditions(req, current);
  const input = withoutOutputOnly(body(req));
  if (input.name !== undefined && input.name !== current.name)
    throw badRequest('The bucket name cannot be changed.');
  if (input.location !== undefined && String(input.location).toUpperCase() !== current.location) {
    throw badRequest('The location of a bucket cannot be changed.');
  }
  const server = Object.fromEntries(
    OUTPUT_ONLY.map((f) => [f, current[f]]).filter(([, v]) => v !== undefined),
  );
  const next: Resource = merge
    ? { ...current }
    : { ...server, name: current.name, location: current.location };
  for (const [k, v] of Object.entries(input)) {
    if (v === null) delete next[k];
    else if (k === 'labels' && merge) next.labels = mergeLabels(current.labels, v as Resource);
    else next[k] = v;
  }
  if (next.labels && !Object.keys(next.labels).length) delete next.labels;
  next.iamConfiguration = iamConfiguration(next.iamConfiguration);
  next.storageClass ??= 'STANDARD';
  const metageneration = String(Number(current.metageneration) + 1);
  Object.assign(next, { metageneration, updated: nowIso(), etag: protoEtag([metageneration]) });
  ctx.store.put(`b/${current.name}`, next);
  return present(next, req);
}

/** Labels PATCH semantics: a null value removes the key. */
function mergeLabels(current: Resource | undefined, patch: Resource): Resource {
  const out: Resource = { ...current };
  for (const [k, v] of Object.entries(patch)) {
    if (v === null) delete out[k];
    else out[k] = v;
  }
  return out;
}

function iamConfiguration(input: Resource | undefined): Resource {
  const ubla =
    input?.uniformBucketLevelAccess?.enabled ?? input?.bucketPolicyOnly?.enabled ?? false;
  const flag: Resource = { enabled: ubla };
  if (ubla)
    flag.lockedTime =
      input?.uniformBucketLevelAccess?.lockedTime ??
      new Date(Date.now() + 90 * 86400e3).toISOString();
  return {
    bucketPolicyOnly: flag,
    uniformBucketLevelAccess: flag,
    publicAccessPrevention: input?.publicAccessPrevention ?? 'inherited',
  };
}

/** The bucket in the requested projection (noAcl by default). */
function present(bucket: Resource, req: EmuRequest): Resource {
  const ubla = bucket.iamConfiguration?.uniformBucketLevelAccess?.enabled;
  if (req.query.get('projection') !== 'full') return bucket;
  const n = bucket.projectNumber;
  const teams: [string, string][] = [
    ['owners', 'OWNER'],
    ['editors', 'OWNER'],
    ['viewers', 'READER'],
  ];
  const out: Resource = { ...bucket, owner: { entity: `project-owners-${n}` } };
  if (ubla) return out;
  out.acl = teams.map(([team, role]) => ({
    kind: 'storage#bucketAccessControl',
    id: `${bucket.name}/project-${team}-${n}`,
    bucket: bucket.name,
    entity: `project-${team}-${n}`,
    role,
    projectTeam: { projectNumber: n, team },
    etag: 'CAE',
    selfLink: `${BUCKET_LINK}${bucket.name}/acl/project-${team}-${n}`,
  }));
  out.defaultObjectAcl = teams.map(([team, role]) => ({
    kind: 'storage#objectAccessControl',
    entity: `project-${team}-${n}`,
    role,
    projectTeam: { projectNumber: n, team },
    etag: 'CAE=',
  }));
  return out;
}

function withoutOutputOnly(input: Resource): Resource {
  const out = { ...input };
  for (const f of OUTPUT_ONLY) delete out[f];
  return out;
}

/** GCS bucket naming rules, with GCS's error text. */
function checkBucketName(name: unknown): void {
  const bad = (): never => {
    throw badRequest(`Invalid bucket name: '${String(name ?? '')}'`);
  };
  if (typeof name !== 'string' || name === '') throw required('name');
  if (!/^[a-z0-9][a-z0-9._-]*[a-z0-9]$/.test(name)) bad();
  const parts = name.split('.');
  if (name.length > 222 || parts.some((p) => p.length === 0 || p.length > 63)) bad();
  if (!name.includes('.') && (name.length < 3 || name.length > 63)) bad();
  if (/^\d+\.\d+\.\d+\.\d+$/.test(name) || /-\.|\.-/.test(name)) bad();
  if (name.startsWith('goog') || /g[o0]{2}g(l|1)e/.test(name)) bad();
}
