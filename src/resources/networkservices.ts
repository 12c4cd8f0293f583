import { awaitOperation } from './lro.js';
import { computePath, lastSegment, orMissing, parentOf, sorted } from './common.js';
import { diffFields, hasLabelMark, type ResourceHandler } from './types.js';

// The Secure Web Proxy gateway. Its address, ports, network and subnetwork
// are fixed at creation; the policy and certificate can be patched.

export const gateway: ResourceHandler = {
  kind: 'gateway',
  async read(ctx, d) {
    const ns = await ctx.session.client('networkservices');
    const actual: any = await orMissing(() => ctx.session.call({ method: 'networkservices.gateways.get', resource: d.name },
      () => ns.projects.locations.gateways.get({ name: d.name })));
    return { exists: !!actual, owned: hasLabelMark(actual?.labels, ctx.names.ownerMark), actual };
  },
  diff: (d, o) => diffFields(d.spec, o.actual, [
    { field: 'type', immutable: true },
    { field: 'addresses', immutable: true, norm: sorted },
    { field: 'ports', immutable: true, norm: sorted },
    // EXPLICIT_ROUTING_MODE is the proto default, so GET may leave it out.
    { field: 'routingMode', immutable: true, norm: (v) => v ?? 'EXPLICIT_ROUTING_MODE' },
    { field: 'network', immutable: true, norm: computePath },
    { field: 'subnetwork', immutable: true, norm: computePath },
    { field: 'gatewaySecurityPolicy' },
    { field: 'certificateUrls', norm: sorted },
  ]),
  async create(ctx, d) {
    const ns = await ctx.session.client('networkservices');
    const op = await ctx.session.call({ method: 'networkservices.gateways.create', resource: d.name },
      () => ns.projects.locations.gateways.create({ parent: parentOf(d.name), gatewayId: lastSegment(d.name), requestBody: d.spec }));
    await awaitOperation(ctx, 'networkservices', op, 'networkservices.gateways.create', d.name);
  },
  async update(ctx, d, _o, diffs) {
    const ns = await ctx.session.client('networkservices');
    const updateMask = diffs.map((x) => x.field).join(',');
    const op = await ctx.session.call({ method: 'networkservices.gateways.patch', resource: d.name },
      () => ns.projects.locations.gateways.patch({ name: d.name, updateMask, requestBody: d.spec }));
    await awaitOperation(ctx, 'networkservices', op, 'networkservices.gateways.patch', d.name);
  },
  async delete(ctx, d) {
    const ns = await ctx.session.client('networkservices');
    const op = await ctx.session.call({ method: 'networkservices.gateways.delete', resource: d.name },
      () => ns.projects.locations.gateways.delete({ name: d.name }));
    await awaitOperation(ctx, 'networkservices', op, 'networkservices.gateways.delete', d.name);
  },
  describe: (_d, o) => `${o.actual?.type ?? '?'} at ${(o.actual?.addresses ?? []).join(',')}:${(o.actual?.ports ?? []).join(',')}`,
};
