import type { Router } from '../router.js';
import type { Resource } from '../store.js';
import { body } from './common.js';
import { readPolicy, writePolicy, type PolicyRules } from './iam-policy.js';
import { badRequest, bucketOr404, preconditionFailed, protoEtag } from './storage-common.js';
import { heldPermissions } from './caller.js';

// A bucket's IAM policy: `GET/PUT /storage/v1/b/{bucket}/iam` and
// `testPermissions`. A new bucket's policy holds the legacy convenience
// bindings of its project; etags count revisions ("CAE=", "CAI=", ...) and a
// stale one is 412, as Cloud Storage answers preconditions.

export function registerBucketIam(r: Router): void {
  r.add({ api: 'storage', method: 'GET', path: '/storage/v1/b/{bucket}/iam' }, (req, ctx) => {
    const version = req.query.get('optionsRequestedPolicyVersion') ?? '1';
    if (!/^[013]$/.test(version)) throw badRequest(`Invalid requested policy version: ${version}`);
    const bucket = bucketOr404(ctx, req.params.bucket);
    return storagePolicy(bucket, readPolicy(ctx, policyRules(bucket)));
  });
  r.add({ api: 'storage', method: 'PUT', path: '/storage/v1/b/{bucket}/iam' }, (req, ctx) => {
    const bucket = bucketOr404(ctx, req.params.bucket);
    return storagePolicy(bucket, writePolicy(ctx, policyRules(bucket), body(req)));
  });
  r.add(
    { api: 'storage', method: 'GET', path: '/storage/v1/b/{bucket}/iam/testPermissions' },
    (req, ctx) => {
      bucketOr404(ctx, req.params.bucket);
      const permissions = heldPermissions(ctx, req.query.getAll('permissions'));
      return { kind: 'storage#testIamPermissionsResponse', ...(permissions.length ? { permissions } : {}) };
    },
  );
}

function policyRules(bucket: Resource): PolicyRules {
  return {
    key: `b/${bucket.name}/iam`,
    initial: () => legacyBindings(bucket.projectNumber, false),
    etag: (revision) => protoEtag([revision + 1]),
    conflict: preconditionFailed,
    invalid: (message) => badRequest(message),
  };
}

/** The convenience bindings a new bucket's policy holds for its project. */
export function legacyBindings(project: string, ubla: boolean): Resource[] {
  const owners = [`projectEditor:${project}`, `projectOwner:${project}`];
  const viewers = [`projectViewer:${project}`];
  return [
    { role: 'roles/storage.legacyBucketOwner', members: owners },
    { role: 'roles/storage.legacyBucketReader', members: viewers },
    ...(ubla
      ? [
          { role: 'roles/storage.legacyObjectOwner', members: owners },
          { role: 'roles/storage.legacyObjectReader', members: viewers },
        ]
      : []),
  ];
}

function storagePolicy(bucket: Resource, policy: Resource): Resource {
  return { kind: 'storage#policy', resourceId: `projects/_/buckets/${bucket.name}`, ...policy };
}
