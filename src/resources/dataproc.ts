import { lastSegment, orMissing, requestId } from './common.js';
import { clusterDiff, wantedMetadata } from './dataproc-diff.js';
import { awaitOperation } from './lro.js';
import { hasLabelMark, type Desired, type ResourceHandler, type RunContext } from './types.js';

// The Dataproc cluster. Create and delete are long-running operations
// (ClusterOperationMetadata, polled under projects/P/regions/R/operations);
// every mutation carries a requestId so that a retried call is the same
// call. The signing values of the GPU driver action (secret version,
// certificate modulus fingerprint) come from what the read phase found in
// Secret Manager, never from env.json, so they always match the key.

async function clusters(ctx: RunContext) {
  return (await ctx.session.client('dataproc')).projects.regions.clusters;
}

/** `secret_version` and `modulus_md5sum`, from the observed certificate secret. */
export function resolvedSigning(ctx: RunContext, d: Desired): Record<string, string> | undefined {
  if (!d.spec.signing) return undefined;
  const cert = ctx.observed.get(d.spec.signing.certAddress)?.actual;
  if (!cert?.version || !cert.modulusMd5) return undefined;
  return { secret_version: String(cert.version), modulus_md5sum: cert.modulusMd5 };
}

/** The create request body, signing values filled in. */
export function createBody(ctx: RunContext, d: Desired): Record<string, any> {
  const body = structuredClone(d.spec.cluster);
  body.config.gceClusterConfig.metadata = wantedMetadata(d, resolvedSigning(ctx, d));
  return body;
}

export const dataprocCluster: ResourceHandler = {
  kind: 'dataproc-cluster',
  async read(ctx, d) {
    const api = await clusters(ctx);
    const clusterName = lastSegment(d.name);
    const actual: any = await orMissing(() =>
      ctx.session.call({ method: 'dataproc.clusters.get', resource: d.name }, () =>
        api.get({ projectId: ctx.config.projectId, region: d.spec.region, clusterName }),
      ),
    );
    if (!actual) return { exists: false, owned: false };
    // A cluster being deleted is as good as gone for planning a new one.
    if (actual.status?.state === 'DELETING') return { exists: false, owned: false };
    actual.dpgceSigning = resolvedSigning(ctx, d);
    return { exists: true, owned: hasLabelMark(actual.labels, ctx.names.ownerMark), actual };
  },
  diff: clusterDiff,
  async create(ctx, d) {
    const api = await clusters(ctx);
    const id = requestId();
    const site = { method: 'dataproc.clusters.create', resource: d.name };
    const op = await ctx.session.call(site, () =>
      api.create({
        projectId: ctx.config.projectId,
        region: d.spec.region,
        requestId: id,
        requestBody: createBody(ctx, d),
      }),
    );
    await awaitOperation(ctx, 'dataproc', op, site.method, d.name);
  },
  async update(ctx, d, _o, diffs) {
    const api = await clusters(ctx);
    const mask: string[] = [];
    const body: Record<string, any> = { config: {} };
    if (diffs.some((x) => x.field === 'config.workerConfig.numInstances')) {
      mask.push('config.worker_config.num_instances');
      body.config.workerConfig = {
        numInstances: d.spec.cluster.config.workerConfig?.numInstances ?? 0,
      };
    }
    if (diffs.some((x) => x.field.startsWith('labels'))) {
      mask.push('labels');
      body.labels = d.spec.cluster.labels;
    }
    if (!mask.length) return;
    const id = requestId();
    const site = { method: 'dataproc.clusters.patch', resource: d.name };
    const op = await ctx.session.call(site, () =>
      api.patch({
        projectId: ctx.config.projectId,
        region: d.spec.region,
        clusterName: lastSegment(d.name),
        updateMask: mask.join(','),
        requestId: id,
        requestBody: body,
      }),
    );
    await awaitOperation(ctx, 'dataproc', op, site.method, d.name);
  },
  async delete(ctx, d) {
    const api = await clusters(ctx);
    const id = requestId();
    const site = { method: 'dataproc.clusters.delete', resource: d.name };
    const op = await ctx.session.call(site, () =>
      api.delete({
        projectId: ctx.config.projectId,
        region: d.spec.region,
        clusterName: lastSegment(d.name),
        requestId: id,
      }),
    );
    await awaitOperation(ctx, 'dataproc', op, site.method, d.name);
  },
  describe: (_d, o) => {
    // A stored cluster, or the desired spec (plan's create lines), which wraps the request body in `cluster`.
    const c = (o.actual?.cluster ?? o.actual)?.config ?? {};
    const gpu = c.masterConfig?.accelerators?.[0];
    const workers = c.workerConfig?.numInstances ?? 0;
    const image =
      c.softwareConfig?.imageVersion ?? lastSegment(String(c.masterConfig?.imageUri ?? '?'));
    return (
      `${o.actual?.status?.state ?? '?'}, ${workers ? `${workers} workers` : 'single node'}, ` +
      `${lastSegment(String(c.masterConfig?.machineTypeUri ?? '?'))}` +
      `${gpu ? ` + ${gpu.acceleratorCount ?? 1}x ${lastSegment(gpu.acceleratorTypeUri)}` : ''}, image ${image}, ` +
      `Secure Boot ${c.gceClusterConfig?.shieldedInstanceConfig?.enableSecureBoot ? 'on' : 'off'}`
    );
  },
};
