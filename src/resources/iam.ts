import { isPropagation, isTransient, type GcpError } from '../gcp/errors.js';
import { awaitOperation } from './lro.js';
import { orMissing } from './common.js';
import { changeBinding, hasMember } from './iam-policy.js';
import { diffFields, hasDescriptionMark, type ResourceHandler, type RunContext } from './types.js';

// Services, the cluster service account, and its project-level grants.

export const service: ResourceHandler = {
  kind: 'service',
  async read(ctx, d) {
    const su = await ctx.session.client('serviceusage');
    const name = `projects/${ctx.config.projectId}/services/${d.spec.service}`;
    const actual: any = await orMissing(() => ctx.session.call({ method: 'serviceusage.services.get', resource: name },
      () => su.services.get({ name })));
    // Services belong to the project, not to us: never disabled, so "owned"
    // only means "nothing to protect".
    return { exists: actual?.state === 'ENABLED', owned: true, actual };
  },
  diff: () => [],
  async create(ctx, d) {
    const su = await ctx.session.client('serviceusage');
    const name = `projects/${ctx.config.projectId}/services/${d.spec.service}`;
    const op = await ctx.session.call({ method: 'serviceusage.services.enable', resource: name },
      () => su.services.enable({ name, requestBody: {} }));
    await awaitOperation(ctx, 'serviceusage', op, 'serviceusage.services.enable', name);
    ctx.session.noteEnabled(d.spec.service);
  },
  async delete() {
    // Never reached: planDown skips services.
  },
  describe: () => 'enabled',
};

export const serviceAccount: ResourceHandler = {
  kind: 'service-account',
  async read(ctx, d) {
    const iam = await ctx.session.client('iam');
    const actual: any = await orMissing(() => ctx.session.call({ method: 'iam.serviceAccounts.get', resource: d.name },
      () => iam.projects.serviceAccounts.get({ name: d.name })));
    return { exists: !!actual, owned: hasDescriptionMark(actual?.description, ctx.names.ownerMark), actual };
  },
  diff: (d, o) => diffFields(d.spec, o.actual, [{ field: 'displayName' }]),
  async create(ctx, d) {
    const iam = await ctx.session.client('iam');
    const { accountId, displayName, description } = d.spec;
    await ctx.session.call({ method: 'iam.serviceAccounts.create', resource: d.name },
      () => iam.projects.serviceAccounts.create({ name: `projects/${ctx.config.projectId}`,
        requestBody: { accountId, serviceAccount: { displayName, description } } }));
    // A new account is not visible everywhere at once: reads answer 403 (or
    // 404) for a while (terraform-provider-google#15042). Wait until it reads.
    await ctx.session.call({ method: 'iam.serviceAccounts.get', resource: d.name },
      () => iam.projects.serviceAccounts.get({ name: d.name }),
      { retryable: (e) => isTransient(e) || e.httpStatus === 403 || e.notFound });
  },
  async update(ctx, d) {
    const iam = await ctx.session.client('iam');
    await ctx.session.call({ method: 'iam.serviceAccounts.patch', resource: d.name },
      () => iam.projects.serviceAccounts.patch({ name: d.name, requestBody: {
        serviceAccount: { displayName: d.spec.displayName, description: d.spec.description },
        updateMask: 'displayName,description' } }));
  },
  async delete(ctx, d) {
    const iam = await ctx.session.client('iam');
    await ctx.session.call({ method: 'iam.serviceAccounts.delete', resource: d.name },
      () => iam.projects.serviceAccounts.delete({ name: d.name }));
  },
  describe: (d) => d.spec.accountId,
};

/** A new service account takes a while to be visible to IAM policy writes. */
export const propagationRetry = {
  retryable: (e: GcpError) => isTransient(e) || isPropagation(e) ||
    (e.httpStatus === 400 && /does not exist|not found/i.test(e.detail)),
};

async function projectPolicy(ctx: RunContext) {
  const crm = await ctx.session.client('cloudresourcemanager');
  const resource = ctx.config.projectId;
  return {
    get: () => ctx.session.call({ method: 'cloudresourcemanager.projects.getIamPolicy', resource: `projects/${resource}` },
      () => crm.projects.getIamPolicy({ resource, requestBody: { options: { requestedPolicyVersion: 3 } } })),
    set: (policy: object) => ctx.session.call({ method: 'cloudresourcemanager.projects.setIamPolicy', resource: `projects/${resource}` },
      () => crm.projects.setIamPolicy({ resource, requestBody: { policy } }), propagationRetry),
  };
}

export const iamBinding: ResourceHandler = {
  kind: 'iam-binding',
  async read(ctx, d) {
    const { get } = await projectPolicy(ctx);
    const policy = await get();
    // A grant to the environment's service account is ours only while that
    // account is ours: never remove roles from someone else's account.
    const account = ctx.observed.get('service-account.cluster');
    return { exists: hasMember(policy, d.spec.role, d.spec.member), owned: account?.owned ?? false };
  },
  diff: () => [],
  async create(ctx, d) {
    const { get, set } = await projectPolicy(ctx);
    await changeBinding(get, set, d.spec.role, d.spec.member, true);
  },
  async delete(ctx, d) {
    const { get, set } = await projectPolicy(ctx);
    await changeBinding(get, set, d.spec.role, d.spec.member, false);
  },
  describe: (d) => `${d.spec.role} for ${d.spec.member}`,
};
