import { ApiError } from '../errors.js';
import type { Effect } from '../operations.js';
import type { EmuContext, EmuRequest, Router } from '../router.js';
import type { Resource } from '../store.js';
import { body, page } from './common.js';
import { buildCluster, createWarnings } from './dataproc-cluster.js';
import { invalid } from './dataproc-nodes.js';

// Dataproc v1 clusters (recording dataproc-cluster; gcp-api-facts §9). Every
// mutation is a google.longrunning.Operation named
// projects/P/regions/R/operations/ID whose metadata is a
// ClusterOperationMetadata (clusterName, clusterUuid, description,
// operationType, status, statusHistory once done). A new cluster is visible
// at once as CREATING and becomes RUNNING when its operation completes; a
// deleted one is DELETING until it is gone. requestId replays return the
// first operation.

const BASE = '/v1/projects/{project}/regions/{region}/clusters';
const METADATA_TYPE = 'type.googleapis.com/google.cloud.dataproc.v1.ClusterOperationMetadata';
const CLUSTER_TYPE = 'type.googleapis.com/google.cloud.dataproc.v1.Cluster';
const REQUEST_ID = /^[a-zA-Z0-9_-]{1,40}$/;

const keyOf = (p: Record<string, string>, name = p.cluster): string =>
  `projects/${p.project}/regions/${p.region}/clusters/${name}`;

function clusterOr404(ctx: EmuContext, key: string): Resource {
  const found = ctx.store.get(key);
  if (!found) throw new ApiError(404, `Not found: Cluster ${key}`, 'NOT_FOUND');
  return found;
}

/** Starts a cluster operation: PENDING now, DONE with its history later. */
function startOp(
  ctx: EmuContext,
  req: EmuRequest,
  cluster: Resource,
  a: {
    type: 'CREATE' | 'DELETE' | 'UPDATE';
    description: string;
    effects: Effect[];
    warnings?: string[];
  },
): Resource {
  const { project, region } = req.params;
  const now = new Date().toISOString();
  const base: Resource = {
    '@type': METADATA_TYPE,
    clusterName: cluster.clusterName,
    clusterUuid: cluster.clusterUuid,
    description: a.description,
    operationType: a.type,
  };
  const warnings = a.warnings?.length ? { warnings: a.warnings } : {};
  const key = keyOf(req.params, cluster.clusterName);
  const op = ctx.ops.startLro({
    api: 'dataproc',
    parent: `projects/${project}/regions/${region}`,
    verb: a.type.toLowerCase(),
    target: key,
    collection: 'clusters',
    metadataType: METADATA_TYPE,
    effects: a.effects,
    ...(a.type === 'DELETE' ? {} : { responseKey: key, responseType: CLUSTER_TYPE }),
    metadata: {
      ...base,
      status: { innerState: 'PENDING', state: 'PENDING', stateStartTime: now },
      ...warnings,
    },
    doneMetadata: {
      ...base,
      status: { innerState: 'DONE', state: 'DONE', stateStartTime: now },
      statusHistory: [
        { state: 'PENDING', stateStartTime: now },
        { state: 'RUNNING', stateStartTime: now },
      ],
      ...warnings,
    },
  });
  ctx.ops.remember(project, req.query.get('requestId'), op);
  return op;
}

/** A replayed requestId gets the first operation back; a malformed one is refused. */
function replayed(req: EmuRequest, ctx: EmuContext): Resource | undefined {
  const id = req.query.get('requestId');
  if (id !== null && !REQUEST_ID.test(id)) {
    throw invalid(
      `Invalid request_id '${id}': at most 40 letters, digits, underscores and hyphens.`,
    );
  }
  return ctx.ops.replay(req.params.project, id);
}

const running = (since: Resource): Resource => ({
  status: { state: 'RUNNING', stateStartTime: new Date().toISOString() },
  statusHistory: [since],
});

function create(req: EmuRequest, ctx: EmuContext): Resource {
  const again = replayed(req, ctx);
  if (again) return again;
  const { project, region } = req.params;
  const b = body(req);
  const cluster = buildCluster(ctx, project, region, b);
  const key = keyOf(req.params, cluster.clusterName);
  if (ctx.store.get(key)) {
    throw new ApiError(
      409,
      `Already exists: Failed to create cluster: Cluster ${key}`,
      'ALREADY_EXISTS',
    );
  }
  ctx.store.put(key, cluster);
  const workers = cluster.config.workerConfig?.numInstances ?? 0;
  return startOp(ctx, req, cluster, {
    type: 'CREATE',
    description: `Create cluster with ${workers} workers`,
    warnings: createWarnings(b),
    effects: [{ merge: key, value: running(cluster.status) }],
  });
}

function remove(req: EmuRequest, ctx: EmuContext): Resource {
  const again = replayed(req, ctx);
  if (again) return again;
  const key = keyOf(req.params);
  const cluster = clusterOr404(ctx, key);
  const uuid = req.query.get('clusterUuid');
  if (uuid && uuid !== cluster.clusterUuid)
    throw new ApiError(404, `Not found: Cluster ${key}`, 'NOT_FOUND');
  if (['CREATING', 'UPDATING', 'DELETING'].includes(cluster.status?.state)) {
    throw new ApiError(
      400,
      `Cluster ${key} is in state ${cluster.status.state}; wait for its operation to end.`,
      'FAILED_PRECONDITION',
    );
  }
  ctx.store.put(key, {
    ...cluster,
    status: { state: 'DELETING', stateStartTime: new Date().toISOString() },
    statusHistory: [...(cluster.statusHistory ?? []), cluster.status],
  });
  return startOp(ctx, req, cluster, {
    type: 'DELETE',
    description: 'Delete cluster',
    effects: [{ delete: key }],
  });
}

/** The paths clusters.patch takes (Google's error lists them); the emulator models two. */
const PATCHABLE = ['config.worker_config.num_instances', 'config.lifecycle_config.idle_delete_ttl',
  'config.lifecycle_config.auto_delete_ttl', 'config.lifecycle_config.auto_delete_time',
  'config.secondary_worker_config.num_instances', 'config.autoscaling_config.policy_uri', 'labels'];

/** PATCH with updateMask: the worker count and labels, as the service allows. */
function patch(req: EmuRequest, ctx: EmuContext): Resource {
  const again = replayed(req, ctx);
  if (again) return again;
  const key = keyOf(req.params);
  const cluster = clusterOr404(ctx, key);
  if (cluster.status?.state !== 'RUNNING') {
    throw new ApiError(
      400,
      `Cluster ${key} is in state ${cluster.status?.state}; only a RUNNING cluster can be updated.`,
      'FAILED_PRECONDITION',
    );
  }
  const mask = (req.query.get('updateMask') ?? '')
    .split(',')
    .map((f) => f.trim())
    .filter(Boolean);
  const b = body(req);
  const next: Resource = structuredClone(cluster);
  let description = 'Update cluster labels.';
  for (const field of mask) {
    if (field === 'labels') {
      const goog = Object.fromEntries(
        Object.entries(cluster.labels ?? {}).filter(([k]) => k.startsWith('goog-')),
      );
      next.labels = { ...(b.labels ?? {}), ...goog };
    } else if (
      ['config.worker_config.num_instances', 'config.workerConfig.numInstances'].includes(field)
    ) {
      const want = b.config?.workerConfig?.numInstances;
      const have = cluster.config.workerConfig?.numInstances ?? 0;
      if (!Number.isInteger(want) || want < 2)
        throw invalid('A cluster needs at least 2 primary workers.');
      next.config.workerConfig.numInstances = want;
      next.config.workerConfig.instanceNames = Array.from(
        { length: want },
        (_, i) => `${cluster.clusterName}-w-${i}`,
      );
      description = want >= have ? `Add ${want - have} workers.` : `Remove ${have - want} workers.`;
    } else {
      // A path Google takes but the emulator does not model is not answered as if done.
      if (PATCHABLE.includes(field)) {
        throw new ApiError(501, `The emulator does not model updating '${field}'.`, 'UNIMPLEMENTED');
      }
      // Google's words (recorded in pulumi-google-native#649); `*` is refused alike.
      throw invalid(`FieldMask path '${field}' must be one of the following: [${PATCHABLE.join(', ')}].`);
    }
  }
  if (!mask.length) throw invalid('An update mask is required.');
  ctx.store.put(key, {
    ...cluster,
    status: { state: 'UPDATING', stateStartTime: new Date().toISOString() },
  });
  next.statusHistory = [
    ...(cluster.statusHistory ?? []),
    cluster.status,
    { state: 'UPDATING', stateStartTime: new Date().toISOString() },
  ];
  next.status = { state: 'RUNNING', stateStartTime: new Date().toISOString() };
  return startOp(ctx, req, cluster, {
    type: 'UPDATE',
    description,
    effects: [{ put: key, value: next }],
  });
}

export function registerDataproc(r: Router): void {
  r.add({ api: 'dataproc', method: 'POST', path: BASE }, create);
  r.add({ api: 'dataproc', method: 'GET', path: BASE }, (req, ctx) =>
    page(
      ctx.store.list(`projects/${req.params.project}/regions/${req.params.region}/clusters`),
      'clusters',
      req,
    ),
  );
  r.add({ api: 'dataproc', method: 'GET', path: `${BASE}/{cluster}` }, (req, ctx) =>
    clusterOr404(ctx, keyOf(req.params)),
  );
  r.add({ api: 'dataproc', method: 'PATCH', path: `${BASE}/{cluster}` }, patch);
  r.add({ api: 'dataproc', method: 'DELETE', path: `${BASE}/{cluster}` }, remove);
}
