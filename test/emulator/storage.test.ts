import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { client, type Client } from './raw-http.js';

// Cloud Storage buckets and bucket IAM against
// ../shared/reference/gcp-recordings/storage-bucket and gcp-api-facts §8.
// Objects are tested in storage-object.test.ts.

describe('cloud storage buckets', () => {
  let h: Client;
  before(async () => {
    h = await client();
  });
  after(async () => {
    await h.close();
  });

  it('creates a bucket with the server-filled fields of the recorded transcript', async () => {
    const b = await h.ok(
      'POST',
      '/storage/v1/b?alt=json&enableObjectRetention=False&project=p&projection=noAcl',
      {
        name: 'dpgce-staging',
        labels: { 'dpgce-env': 'dev' },
      },
    );
    assert.equal(b.kind, 'storage#bucket');
    assert.equal(b.id, 'dpgce-staging');
    assert.equal(b.location, 'US');
    assert.equal(b.locationType, 'multi-region');
    assert.equal(b.storageClass, 'STANDARD');
    assert.equal(b.metageneration, '1');
    assert.equal(b.etag, 'CAE=');
    assert.equal(b.rpo, 'DEFAULT');
    assert.match(b.generation, /^\d+$/);
    assert.match(b.projectNumber, /^\d{12}$/);
    assert.equal(b.selfLink, 'https://www.googleapis.com/storage/v1/b/dpgce-staging');
    assert.deepEqual(b.iamConfiguration, {
      bucketPolicyOnly: { enabled: false },
      uniformBucketLevelAccess: { enabled: false },
      publicAccessPrevention: 'inherited',
    });
    assert.equal(b.softDeletePolicy.retentionDurationSeconds, '604800');
    assert.deepEqual(b.labels, { 'dpgce-env': 'dev' });
    assert.equal(b.acl, undefined);

    const full = await h.ok('GET', '/storage/v1/b/dpgce-staging?projection=full');
    assert.equal(full.acl.length, 3);
    assert.equal(full.owner.entity, `project-owners-${b.projectNumber}`);
    const list = await h.ok('GET', '/storage/v1/b?project=p&maxResults=1000');
    assert.equal(list.kind, 'storage#buckets');
    assert.deepEqual(
      list.items.map((x: any) => x.name),
      ['dpgce-staging'],
    );
  });

  it('refuses a taken name with the texts GCS uses for owner and stranger', async () => {
    const mine = await h.call('POST', '/storage/v1/b?project=p', { name: 'dpgce-staging' });
    assert.equal(mine.status, 409);
    assert.deepEqual(mine.json, {
      error: {
        code: 409,
        message:
          'Your previous request to create the named bucket succeeded and you already own it.',
        errors: [
          {
            message:
              'Your previous request to create the named bucket succeeded and you already own it.',
            domain: 'global',
            reason: 'conflict',
          },
        ],
      },
    });
    const theirs = await h.call('POST', '/storage/v1/b?project=someone-else', {
      name: 'dpgce-staging',
    });
    assert.equal(theirs.status, 409);
    assert.match(theirs.json.error.message, /^The requested bucket name is not available/);
    const noProject = await h.call('POST', '/storage/v1/b', { name: 'x-bucket' });
    assert.equal(noProject.status, 400);
    const badName = await h.call('POST', '/storage/v1/b?project=p', { name: 'Google-Bucket' });
    assert.equal(badName.status, 400);
    assert.equal(badName.json.error.message, "Invalid bucket name: 'Google-Bucket'");
  });

  it('keeps a bucket IAM policy with an etag that refuses stale writes', async () => {
    await h.ok('POST', '/storage/v1/b?project=p', {
      name: 'dpgce-temp',
      iamConfiguration: { uniformBucketLevelAccess: { enabled: true } },
    });
    const policy = await h.ok('GET', '/storage/v1/b/dpgce-temp/iam');
    assert.equal(policy.kind, 'storage#policy');
    assert.equal(policy.resourceId, 'projects/_/buckets/dpgce-temp');
    assert.equal(policy.etag, 'CAE=');
    assert.deepEqual(policy.bindings[0], {
      role: 'roles/storage.legacyBucketOwner',
      members: ['projectEditor:p', 'projectOwner:p'],
    });

    const bindings = [
      ...policy.bindings,
      { role: 'roles/storage.objectAdmin', members: ['user:ops@example.com'] },
    ];
    const next = await h.ok('PUT', '/storage/v1/b/dpgce-temp/iam', { bindings, etag: policy.etag });
    assert.notEqual(next.etag, policy.etag);
    assert.equal(next.bindings.length, bindings.length);
    const stale = await h.call('PUT', '/storage/v1/b/dpgce-temp/iam', {
      bindings,
      etag: policy.etag,
    });
    assert.equal(stale.status, 412);
    const ghost = await h.call('PUT', '/storage/v1/b/dpgce-temp/iam', {
      bindings: [
        {
          role: 'roles/storage.objectViewer',
          members: ['serviceAccount:ghost-sa@p.iam.gserviceaccount.com'],
        },
      ],
    });
    assert.equal(ghost.status, 400);
    const perms = await h.ok(
      'GET',
      '/storage/v1/b/dpgce-temp/iam/testPermissions?permissions=storage.objects.get&permissions=storage.objects.create',
    );
    assert.deepEqual(perms.permissions, ['storage.objects.get', 'storage.objects.create']);
  });

  it('patches bucket labels with null removing a key and bumps the metageneration', async () => {
    await h.ok('PATCH', '/storage/v1/b/dpgce-temp', { labels: { a: '1', b: '2' } });
    const b = await h.ok('PATCH', '/storage/v1/b/dpgce-temp?ifMetagenerationMatch=2', {
      labels: { a: null },
    });
    assert.deepEqual(b.labels, { b: '2' });
    assert.equal(b.metageneration, '3');
    assert.equal(
      (await h.call('PATCH', '/storage/v1/b/dpgce-temp?ifMetagenerationMatch=2', { labels: {} }))
        .status,
      412,
    );
  });
});
