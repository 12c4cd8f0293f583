import { propagationRetry } from './iam.js';
import { changeBinding, hasMember } from './iam-policy.js';
import type { ResourceHandler, RunContext } from './types.js';

// The cluster service account's role on one bucket: object admin on the
// staging and temp buckets, object viewer on the proxy CA's bucket. The
// grant names our account, so it is ours even on a bucket we only reuse.

async function bucketPolicy(ctx: RunContext, bucket: string) {
  const gcs = await ctx.session.client('storage');
  const resource = `projects/_/buckets/${bucket}`;
  return {
    get: () => ctx.session.call({ method: 'storage.buckets.getIamPolicy', resource },
      () => gcs.buckets.getIamPolicy({ bucket, optionsRequestedPolicyVersion: 3 })),
    set: (policy: object) => ctx.session.call({ method: 'storage.buckets.setIamPolicy', resource },
      () => gcs.buckets.setIamPolicy({ bucket, requestBody: policy }), propagationRetry),
  };
}

export const bucketIam: ResourceHandler = {
  kind: 'bucket-iam',
  async read(ctx, d) {
    const { get } = await bucketPolicy(ctx, d.spec.bucket);
    // Ours when the account it names is ours, even on a bucket we only reuse;
    // never on a bucket of another project (bucket names are global).
    const account = ctx.observed.get('service-account.cluster');
    const otherProject = !!(d.parent && ctx.observed.get(d.parent)?.otherProject);
    return { exists: hasMember(await get(), d.spec.role, d.spec.member), owned: !otherProject && (account?.owned ?? false) };
  },
  diff: () => [],
  async create(ctx, d) {
    const { get, set } = await bucketPolicy(ctx, d.spec.bucket);
    await changeBinding(get, set, d.spec.role, d.spec.member, true);
  },
  async delete(ctx, d) {
    const { get, set } = await bucketPolicy(ctx, d.spec.bucket);
    await changeBinding(get, set, d.spec.role, d.spec.member, false);
  },
  describe: (d) => `${d.spec.role} on gs://${d.spec.bucket} for ${d.spec.member}`,
};
