import { sleep } from '../gcp/retry.js';
import { orMissing, sorted } from './common.js';
import { diffFields, hasLabelMark, type ResourceHandler, type RunContext } from './types.js';

// Cloud DNS private zones and their record sets. Record sets cannot carry a
// mark: they belong to whoever owns their zone.

export const dnsZone: ResourceHandler = {
  kind: 'dns-zone',
  async read(ctx, d) {
    const dns = await ctx.session.client('dns');
    const actual: any = await orMissing(() => ctx.session.call({ method: 'dns.managedZones.get', resource: d.name },
      () => dns.managedZones.get({ project: ctx.config.projectId, managedZone: d.spec.name })));
    return { exists: !!actual, owned: hasLabelMark(actual?.labels, ctx.names.ownerMark), actual };
  },
  diff: (d, o) => diffFields(d.spec, o.actual, [
    { field: 'dnsName', immutable: true },
    { field: 'visibility', immutable: true },
    { field: 'privateVisibilityConfig.networks', norm: (n) => sorted((n ?? []).map((x: any) => x.networkUrl?.replace(/^.*projects\//, ''))) },
  ]),
  async create(ctx, d) {
    const dns = await ctx.session.client('dns');
    await ctx.session.call({ method: 'dns.managedZones.create', resource: d.name },
      () => dns.managedZones.create({ project: ctx.config.projectId, requestBody: d.spec }));
  },
  async update(ctx, d) {
    const dns = await ctx.session.client('dns');
    await ctx.session.call({ method: 'dns.managedZones.patch', resource: d.name },
      () => dns.managedZones.patch({ project: ctx.config.projectId, managedZone: d.spec.name,
        requestBody: { privateVisibilityConfig: d.spec.privateVisibilityConfig, labels: d.spec.labels } }));
  },
  async delete(ctx, d) {
    const dns = await ctx.session.client('dns');
    await ctx.session.call({ method: 'dns.managedZones.delete', resource: d.name },
      () => dns.managedZones.delete({ project: ctx.config.projectId, managedZone: d.spec.name }));
  },
  describe: (_d, o) => `${o.actual?.visibility ?? '?'} zone ${o.actual?.dnsName ?? ''}`,
};

const rrset = (spec: Record<string, any>) => ({ name: spec.name, type: spec.type, ttl: spec.ttl, rrdatas: spec.rrdatas });

export const dnsRecordSet: ResourceHandler = {
  kind: 'dns-record-set',
  async read(ctx, d) {
    const dns = await ctx.session.client('dns');
    const zone = ctx.observed.get(`dns-zone.${d.parent?.split('.')[1]}`);
    const actual: any = await orMissing(() => ctx.session.call({ method: 'dns.resourceRecordSets.get', resource: d.name },
      () => dns.resourceRecordSets.get({ project: ctx.config.projectId, managedZone: d.spec.zone, name: d.spec.name, type: d.spec.type })));
    return { exists: !!actual, owned: zone?.owned ?? false, actual };
  },
  diff: (d, o) => diffFields(d.spec, o.actual, [{ field: 'rrdatas', norm: sorted }, { field: 'ttl' }]),
  async create(ctx, d) {
    await change(ctx, d.spec.zone, { additions: [rrset(d.spec)] }, d.name);
  },
  async update(ctx, d, o) {
    await change(ctx, d.spec.zone, { deletions: [rrset(o.actual ?? {})], additions: [rrset(d.spec)] }, d.name);
  },
  async delete(ctx, d, o) {
    await change(ctx, d.spec.zone, { deletions: [rrset(o.actual ?? d.spec)] }, d.name);
  },
  describe: (_d, o) => `${o.actual?.type ?? ''} ${(o.actual?.rrdatas ?? []).join(' ')}`,
};

/** A DNS change, waited for until `done`. */
async function change(ctx: RunContext, managedZone: string, body: object, resource: string): Promise<void> {
  const dns = await ctx.session.client('dns');
  const project = ctx.config.projectId;
  let res = await ctx.session.call({ method: 'dns.changes.create', resource },
    () => dns.changes.create({ project, managedZone, requestBody: body }));
  const started = Date.now();
  while (res.status !== 'done') {
    await sleep(Math.min(ctx.session.poll.maxMs, Math.max(ctx.session.poll.minMs, (Date.now() - started) / 10)));
    const changeId = res.id ?? '';
    res = await ctx.session.call({ method: 'dns.changes.get', resource },
      () => dns.changes.get({ project, managedZone, changeId }));
  }
}
