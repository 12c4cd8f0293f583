import type { compute_v1 } from 'googleapis/build/src/apis/compute/v1.js';
import { waitCompute } from '../gcp/operations.js';
import type { Session } from '../gcp/session.js';
import { computePath, lastSegment, list, orMissing, requestId } from './common.js';
import { diffFields, hasDescriptionMark, type ResourceHandler } from './types.js';

// The VPC network and its firewall rules: global compute resources, marked
// in their description (compute has no labels for them).

/** Inserts through compute and waits for the operation; reuses one requestId across retries. */
export async function computeMutation(
  s: Session, project: string, method: string, resource: string,
  call: (compute: compute_v1.Compute, requestId: string) => Promise<{ data: compute_v1.Schema$Operation }>,
): Promise<void> {
  const compute = await s.client('compute');
  const id = requestId();
  const site = { method: `compute.${method}`, resource };
  const op = await s.call(site, () => call(compute, id));
  await waitCompute(s, project, op, site);
}

export const network: ResourceHandler = {
  kind: 'network',
  async read(ctx, d) {
    const compute = await ctx.session.client('compute');
    const actual = await orMissing(() => ctx.session.call({ method: 'compute.networks.get', resource: d.name },
      () => compute.networks.get({ project: ctx.config.projectId, network: d.spec.name })));
    return { exists: !!actual, owned: hasDescriptionMark(actual?.description, ctx.names.ownerMark), actual: actual as any };
  },
  diff: (d, o) => diffFields(d.spec, o.actual, [
    { field: 'autoCreateSubnetworks', immutable: true },
    { field: 'routingConfig.routingMode' },
  ]),
  async create(ctx, d) {
    await computeMutation(ctx.session, ctx.config.projectId, 'networks.insert', d.name,
      (c, id) => c.networks.insert({ project: ctx.config.projectId, requestId: id, requestBody: d.spec }));
  },
  async update(ctx, d) {
    await computeMutation(ctx.session, ctx.config.projectId, 'networks.patch', d.name,
      (c, id) => c.networks.patch({ project: ctx.config.projectId, network: d.spec.name, requestId: id,
        requestBody: { routingConfig: d.spec.routingConfig, description: d.spec.description } }));
  },
  async delete(ctx, d) {
    await computeMutation(ctx.session, ctx.config.projectId, 'networks.delete', d.name,
      (c, id) => c.networks.delete({ project: ctx.config.projectId, network: d.spec.name, requestId: id }));
  },
  describe: (d, o) => `custom-mode VPC, routing ${o.actual?.routingConfig?.routingMode ?? '?'}`,
};

const ports = (rules: unknown): unknown =>
  Array.isArray(rules)
    ? rules.map((r) => `${r.IPProtocol}:${(r.ports ?? []).join(',')}`).sort()
    : [];

export const firewall: ResourceHandler = {
  kind: 'firewall',
  async read(ctx, d) {
    const compute = await ctx.session.client('compute');
    const actual = await orMissing(() => ctx.session.call({ method: 'compute.firewalls.get', resource: d.name },
      () => compute.firewalls.get({ project: ctx.config.projectId, firewall: d.spec.name })));
    return { exists: !!actual, owned: hasDescriptionMark(actual?.description, ctx.names.ownerMark), actual: actual as any };
  },
  diff: (d, o) => diffFields(d.spec, o.actual, [
    { field: 'network', immutable: true, norm: computePath },
    { field: 'direction', immutable: true },
    { field: 'priority' },
    { field: 'allowed', norm: ports },
    { field: 'denied', norm: ports },
    { field: 'sourceRanges', norm: list },
    { field: 'destinationRanges', norm: list },
    { field: 'targetTags', norm: list },
    { field: 'targetServiceAccounts', norm: list },
    { field: 'sourceTags', norm: list },
    { field: 'sourceServiceAccounts', norm: list },
    { field: 'disabled', norm: (v) => v ?? false },
  ]),
  async create(ctx, d) {
    await computeMutation(ctx.session, ctx.config.projectId, 'firewalls.insert', d.name,
      (c, id) => c.firewalls.insert({ project: ctx.config.projectId, requestId: id, requestBody: d.spec }));
  },
  async update(ctx, d) {
    // PUT replaces the whole rule, so fields removed from the spec go too.
    await computeMutation(ctx.session, ctx.config.projectId, 'firewalls.update', d.name,
      (c, id) => c.firewalls.update({ project: ctx.config.projectId, firewall: d.spec.name, requestId: id,
        requestBody: d.spec }));
  },
  async delete(ctx, d) {
    await computeMutation(ctx.session, ctx.config.projectId, 'firewalls.delete', d.name,
      (c, id) => c.firewalls.delete({ project: ctx.config.projectId, firewall: d.spec.name, requestId: id }));
  },
  describe: (d, o) => {
    const a = o.actual ?? d.spec;
    const verb = a.denied ? 'deny' : 'allow';
    const rules = ((a.allowed ?? a.denied ?? []) as any[]).map((r) => `${r.IPProtocol}${r.ports ? ':' + r.ports.join(',') : ''}`);
    const peer = a.direction === 'EGRESS' ? `to ${(a.destinationRanges ?? []).join(',')}` : `from ${(a.sourceRanges ?? []).join(',')}`;
    const target = a.targetTags?.length ? `instances tagged ${a.targetTags.join(',')}`
      : a.targetServiceAccounts?.length ? `instances running as ${a.targetServiceAccounts.join(',')}`
        : 'all instances in the network';
    return `${a.direction} ${verb} ${rules.join(' ')} ${peer}, priority ${a.priority}; targets ${target}`;
  },
};

export { lastSegment };
