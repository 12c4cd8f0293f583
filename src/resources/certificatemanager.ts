import { awaitOperation } from './lro.js';
import { lastSegment, orMissing, parentOf } from './common.js';
import { poolName } from './privateca.js';
import { diffFields, hasLabelMark, type ResourceHandler } from './types.js';

// Certificate Manager: the issuance config that ties Certificate Manager to
// the CA pool, and the gateway's managed certificate for SWP_HOSTNAME.

/** `projects/<id or number>/locations/l/caPools/p` -> `locations/l/caPools/p` (the API returns the number). */
const byLocation = (v: unknown): unknown => (typeof v === 'string' ? v.replace(/^projects\/[^/]+\//, '') : v);

export const certificateIssuanceConfig: ResourceHandler = {
  kind: 'certificate-issuance-config',
  async read(ctx, d) {
    const cm = await ctx.session.client('certificatemanager');
    const actual: any = await orMissing(() => ctx.session.call({ method: 'certificatemanager.certificateIssuanceConfigs.get', resource: d.name },
      () => cm.projects.locations.certificateIssuanceConfigs.get({ name: d.name })));
    return { exists: !!actual, owned: hasLabelMark(actual?.labels, ctx.names.ownerMark), actual };
  },
  diff: (d, o) => diffFields(d.spec, o.actual, [
    { field: 'certificateAuthorityConfig.certificateAuthorityServiceConfig.caPool', immutable: true, norm: byLocation },
    { field: 'lifetime', immutable: true },
    { field: 'keyAlgorithm', immutable: true },
    { field: 'rotationWindowPercentage', immutable: true },
  ]),
  async create(ctx, d) {
    const cm = await ctx.session.client('certificatemanager');
    const parent = parentOf(d.name);
    const requestBody = structuredClone(d.spec);
    requestBody.certificateAuthorityConfig.certificateAuthorityServiceConfig.caPool = poolName(ctx);
    const op = await ctx.session.call({ method: 'certificatemanager.certificateIssuanceConfigs.create', resource: d.name },
      () => cm.projects.locations.certificateIssuanceConfigs.create({ parent, certificateIssuanceConfigId: lastSegment(d.name), requestBody }));
    await awaitOperation(ctx, 'certificatemanager', op, 'certificatemanager.certificateIssuanceConfigs.create', d.name);
  },
  async delete(ctx, d) {
    const cm = await ctx.session.client('certificatemanager');
    const op = await ctx.session.call({ method: 'certificatemanager.certificateIssuanceConfigs.delete', resource: d.name },
      () => cm.projects.locations.certificateIssuanceConfigs.delete({ name: d.name }));
    await awaitOperation(ctx, 'certificatemanager', op, 'certificatemanager.certificateIssuanceConfigs.delete', d.name);
  },
  describe: (_d, o) => `issues from ${lastSegment(o.actual?.certificateAuthorityConfig?.certificateAuthorityServiceConfig?.caPool ?? '?')}, lifetime ${o.actual?.lifetime ?? '?'}`,
};

export const certificate: ResourceHandler = {
  kind: 'certificate',
  async read(ctx, d) {
    const cm = await ctx.session.client('certificatemanager');
    const actual: any = await orMissing(() => ctx.session.call({ method: 'certificatemanager.certificates.get', resource: d.name },
      () => cm.projects.locations.certificates.get({ name: d.name })));
    return { exists: !!actual, owned: hasLabelMark(actual?.labels, ctx.names.ownerMark), actual };
  },
  diff: (d, o) => diffFields(d.spec, o.actual, [
    { field: 'managed.domains', immutable: true },
    { field: 'managed.issuanceConfig', immutable: true, norm: byLocation },
  ]),
  async create(ctx, d) {
    const cm = await ctx.session.client('certificatemanager');
    const op = await ctx.session.call({ method: 'certificatemanager.certificates.create', resource: d.name },
      () => cm.projects.locations.certificates.create({ parent: parentOf(d.name), certificateId: lastSegment(d.name), requestBody: d.spec }));
    await awaitOperation(ctx, 'certificatemanager', op, 'certificatemanager.certificates.create', d.name);
  },
  async delete(ctx, d) {
    const cm = await ctx.session.client('certificatemanager');
    const op = await ctx.session.call({ method: 'certificatemanager.certificates.delete', resource: d.name },
      () => cm.projects.locations.certificates.delete({ name: d.name }));
    await awaitOperation(ctx, 'certificatemanager', op, 'certificatemanager.certificates.delete', d.name);
  },
  describe: (_d, o) => `managed for ${(o.actual?.managed?.domains ?? []).join(',')}, ${o.actual?.managed?.state ?? '?'}, expires ${o.actual?.expireTime ?? '?'}`,
};
