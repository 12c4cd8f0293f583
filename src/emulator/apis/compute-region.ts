import { createHash } from 'node:crypto';
import { ApiError } from '../errors.js';
import type { EmuContext, Router } from '../router.js';
import type { Resource, Store } from '../store.js';
import { computeLink } from './common.js';
import { REGIONS } from './compute-aggregated.js';
import { notFound } from './compute-common.js';

// `regions.get` with the region's GPU quotas (gcp-api-facts §18.8): each
// quota is `{metric, limit, usage}`, numbers as Compute sends them. Usage is
// what the project's stored Dataproc clusters in the region hold. Limits
// start at DEFAULT_GPU_LIMIT; a test lowers them with
// `PUT /_emulator/quotas {"projects/P/regions/R": {"NVIDIA_T4_GPUS": 2}}`,
// kept in the state file. Only GPU metrics are listed.

/** Accelerator type -> quota metric, as the metric names follow the type names (§18.8). */
const GPU_METRICS: Record<string, string> = {
  'nvidia-tesla-k80': 'NVIDIA_K80_GPUS',
  'nvidia-tesla-p4': 'NVIDIA_P4_GPUS',
  'nvidia-tesla-p4-vws': 'NVIDIA_P4_VWS_GPUS',
  'nvidia-tesla-p100': 'NVIDIA_P100_GPUS',
  'nvidia-tesla-p100-vws': 'NVIDIA_P100_VWS_GPUS',
  'nvidia-tesla-t4': 'NVIDIA_T4_GPUS',
  'nvidia-tesla-t4-vws': 'NVIDIA_T4_VWS_GPUS',
  'nvidia-tesla-v100': 'NVIDIA_V100_GPUS',
  'nvidia-tesla-a100': 'NVIDIA_A100_GPUS',
  'nvidia-a100-80gb': 'NVIDIA_A100_80GB_GPUS',
  'nvidia-l4': 'NVIDIA_L4_GPUS',
  'nvidia-l4-vws': 'NVIDIA_L4_VWS_GPUS',
  'nvidia-h100-80gb': 'NVIDIA_H100_GPUS',
  'nvidia-h100-mega-80gb': 'NVIDIA_H100_MEGA_GPUS',
};

/** A project that has asked for GPUs before: enough for the examples' clusters. */
export const DEFAULT_GPU_LIMIT = 8;

const SETTING = 'quotas';
const CREATED = '1969-12-31T16:00:00.000-08:00';
const REGION_NAME = /^projects\/[^/]+\/regions\/[a-z]+(-[a-z]+)+\d+$/;

type Limits = Record<string, Record<string, number>>;

export function registerRegions(r: Router): void {
  r.add({ api: 'compute', method: 'GET', path: '/compute/v1/projects/{project}/regions/{region}' }, (req, ctx) => {
    const { project, region } = req.params;
    const name = `projects/${project}/regions/${region}`;
    if (!(region in REGIONS)) throw notFound(name);
    return {
      kind: 'compute#region',
      id: numericIdOf(region),
      creationTimestamp: CREATED,
      name: region,
      description: region,
      status: 'UP',
      zones: [...REGIONS[region]].map((z) => computeLink(`projects/${project}/zones/${region}-${z}`)),
      quotas: quotas(ctx, name),
      selfLink: computeLink(name),
      supportsPzs: false,
    };
  });
}

function quotas(ctx: EmuContext, region: string): Resource[] {
  const usage = gpuUsage(ctx, region);
  const limits = quotaLimits(ctx.store)[region] ?? {};
  const metrics = [...new Set(Object.values(GPU_METRICS))].flatMap((m) => [m, `PREEMPTIBLE_${m}`]);
  return metrics.map((metric) => ({
    metric,
    limit: limits[metric] ?? DEFAULT_GPU_LIMIT,
    usage: usage.get(metric) ?? 0,
  }));
}

/**
 * GPUs the region's stored clusters hold, by metric: instances ×
 * accelerators of the master and primary worker groups (the emulator stores
 * no secondary workers, the only preemptible ones, so PREEMPTIBLE_ usage is 0).
 */
function gpuUsage(ctx: EmuContext, region: string): Map<string, number> {
  const used = new Map<string, number>();
  for (const cluster of ctx.store.list(`${region}/clusters`)) {
    for (const group of [cluster.config?.masterConfig, cluster.config?.workerConfig]) {
      for (const a of group?.accelerators ?? []) {
        const metric = GPU_METRICS[String(a.acceleratorTypeUri).split('/').pop() ?? ''];
        if (metric) used.set(metric, (used.get(metric) ?? 0) + (group.numInstances ?? 0) * (a.acceleratorCount ?? 1));
      }
    }
  }
  return used;
}

export function quotaLimits(store: Store): Limits {
  return store.setting<Limits>(SETTING) ?? {};
}

/** The control's PUT: limits by region name and metric, merged into what was set. */
export function configureQuotas(store: Store, input: unknown): Limits {
  if (!input || typeof input !== 'object' || Array.isArray(input)) throw bad('the body must be a JSON object');
  const next: Limits = { ...quotaLimits(store) };
  for (const [region, limits] of Object.entries(input as Record<string, unknown>)) {
    if (!REGION_NAME.test(region)) throw bad(`"${region}" is not a region name (projects/P/regions/R)`);
    if (!limits || typeof limits !== 'object') throw bad(`the limits of ${region} must be an object`);
    for (const [metric, limit] of Object.entries(limits)) {
      if (!/^[A-Z][A-Z0-9_]*$/.test(metric)) throw bad(`"${metric}" is not a quota metric name`);
      if (typeof limit !== 'number' || limit < 0) throw bad(`the limit of ${metric} must be a number >= 0`);
    }
    next[region] = { ...next[region], ...(limits as Record<string, number>) };
  }
  store.setSetting(SETTING, next);
  return next;
}

const bad = (message: string): ApiError => new ApiError(400, message, 'INVALID_ARGUMENT');

/** A region's id is fixed for its name, as a real region's is. */
const numericIdOf = (name: string): string =>
  String(1000 + (createHash('sha256').update(name).digest().readUInt32BE(0) % 9000));
