import { CLUSTER_ADDRESS } from '../plan/graph-cluster.js';
import { fail, pass, warn, type CheckResult, type DoctorContext } from './check.js';
import { couldNotRead } from './preflight-read.js';

// Regional GPU quota for the cluster env.json asks for: accelerators per node
// × nodes (master and workers), against `limit − usage` of the
// accelerator's metric in REGION (compute regions.get). A cluster of this
// environment that already exists holds part of that usage itself, so what
// it holds is given back before comparing: it must not be counted twice.

const NAME = 'preflight.gpu-quota';

/**
 * Accelerator type -> regional quota metric. Compute names the metrics after
 * the types (gcp-api-facts §18.8); the API offers no mapping to read.
 */
const METRICS: Record<string, string> = {
  'nvidia-tesla-t4': 'NVIDIA_T4_GPUS', 'nvidia-tesla-t4-vws': 'NVIDIA_T4_VWS_GPUS',
  'nvidia-tesla-v100': 'NVIDIA_V100_GPUS',
  'nvidia-tesla-p100': 'NVIDIA_P100_GPUS', 'nvidia-tesla-p100-vws': 'NVIDIA_P100_VWS_GPUS',
  'nvidia-tesla-p4': 'NVIDIA_P4_GPUS', 'nvidia-tesla-p4-vws': 'NVIDIA_P4_VWS_GPUS',
  'nvidia-l4': 'NVIDIA_L4_GPUS', 'nvidia-l4-vws': 'NVIDIA_L4_VWS_GPUS',
  'nvidia-tesla-a100': 'NVIDIA_A100_GPUS', 'nvidia-a100-80gb': 'NVIDIA_A100_80GB_GPUS',
  'nvidia-h100-80gb': 'NVIDIA_H100_GPUS', 'nvidia-h100-mega-80gb': 'NVIDIA_H100_MEGA_GPUS',
};

/** GPUs of `type` in a Dataproc cluster config (master and primary workers). */
function gpus(config: Record<string, any> | undefined, type: string): number {
  let total = 0;
  for (const group of [config?.masterConfig, config?.workerConfig]) {
    for (const a of group?.accelerators ?? []) {
      if (String(a.acceleratorTypeUri).split('/').pop() === type) total += (group.numInstances ?? 0) * (a.acceleratorCount ?? 1);
    }
  }
  return total;
}

export async function gpuQuotaCheck(dc: DoctorContext): Promise<CheckResult> {
  const { config, session } = dc.p;
  const wanted = dc.p.graph.find((d) => d.address === CLUSTER_ADDRESS);
  const type = config.acceleratorType;
  if (!wanted || !type) {
    return pass(NAME, `no accelerators requested (env.json names ${wanted ? 'no ACCELERATOR_TYPE' : 'no CLUSTER_NAME'})`);
  }
  const metric = METRICS[type];
  if (!metric) {
    return warn(NAME, `dpgce does not know the quota metric of ${type}`,
      `check the ${type} quota of ${config.region} in the console (IAM & Admin > Quotas)`);
  }

  // 1. What the cluster needs, and what an existing one already holds.
  const need = gpus(wanted.spec.cluster.config, type);
  const existing = dc.p.ctx.observed.get(CLUSTER_ADDRESS);
  const own = existing?.exists ? gpus(existing.actual?.config, type) : 0;

  // 2. The region's quota for the metric.
  const compute = await session.client('compute');
  const site = { method: 'compute.regions.get', resource: `projects/${config.projectId}/regions/${config.region}` };
  let quotas: { metric?: string | null; limit?: number | null; usage?: number | null }[];
  try {
    quotas = (await session.call(site, () => compute.regions.get({ project: config.projectId, region: config.region })))
      .quotas ?? [];
  } catch (err) {
    return couldNotRead(NAME, `the quotas of region ${config.region}`, err,
      'grant the caller compute.regions.get (roles/compute.viewer) on the project and run doctor again');
  }
  const quota = quotas.find((q) => q.metric === metric);
  if (!quota) {
    return warn(NAME, `region ${config.region} lists no ${metric} quota`,
      `check that ${type} is offered in ${config.zone} and ask for ${metric} quota in ${config.region}`);
  }

  // 3. Compare.
  const limit = quota.limit ?? 0;
  const usage = quota.usage ?? 0;
  const available = limit - usage + own;
  const held = own ? `, ${own} of them held by this environment's cluster ${existing?.actual?.clusterName}` : '';
  const facts = `${metric} in ${config.region}: limit ${limit}, usage ${usage}${held}; the cluster needs ${need} ` +
    `(${config.cluster.acceleratorCount} × ${type} on ${need / config.cluster.acceleratorCount} nodes)`;
  if (need <= available) return pass(NAME, facts);
  return fail(NAME, `${facts}, ${available} available`,
    `request at least ${need - available} more ${metric} quota in ${config.region} (console: IAM & Admin > Quotas), ` +
    'or lower NUM_WORKERS or ACCELERATOR_COUNT in env.json');
}
