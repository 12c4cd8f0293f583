import { ApiError } from '../errors.js';
import type { Resource } from '../store.js';
import { computeLink, computeRef } from './common.js';

// The node side of a stored Dataproc cluster: the image a version resolves
// to and the instance groups (master, workers) as GET returns them, with
// the accelerators their machine series can take.

/** Image versions the emulator resolves: minor -> [patch, default OS]. */
const VERSIONS: Record<string, [string, string]> = {
  '2.0': ['2.0.136', 'debian10'],
  '2.1': ['2.1.95', 'debian11'],
  '2.2': ['2.2.63', 'debian12'],
  '2.3': ['2.3.10', 'debian12'],
};
const OS_IMAGE: Record<string, string> = {
  debian10: 'deb10',
  debian11: 'deb11',
  debian12: 'deb12',
  rocky8: 'rocky8',
  rocky9: 'rocky9',
  ubuntu18: 'ubu18',
  ubuntu20: 'ubu20',
  ubuntu22: 'ubu22',
};

/** Machine series each accelerator attaches to (Compute Engine GPU machine types). */
const GPU_SERIES: Record<string, string> = {
  'nvidia-tesla-t4': 'n1',
  'nvidia-tesla-t4-vws': 'n1',
  'nvidia-tesla-v100': 'n1',
  'nvidia-tesla-p100': 'n1',
  'nvidia-tesla-p100-vws': 'n1',
  'nvidia-tesla-p4': 'n1',
  'nvidia-tesla-p4-vws': 'n1',
  'nvidia-tesla-k80': 'n1',
  'nvidia-l4': 'g2',
  'nvidia-l4-vws': 'g2',
  'nvidia-tesla-a100': 'a2',
  'nvidia-a100-80gb': 'a2',
  'nvidia-h100-80gb': 'a3',
  'nvidia-h100-mega-80gb': 'a3',
};

export const invalid = (message: string): ApiError =>
  new ApiError(400, message, 'INVALID_ARGUMENT');

export const last = (ref: string): string => ref.split('/').pop() ?? ref;

/** `2.2`, `2.2-debian12` or `2.2.63-debian12` -> the full version and the image it names. */
export function resolveImage(version: string | undefined): { version: string; imageUri: string } {
  const m = /^(\d+\.\d+)(?:\.(\d+))?(?:-([a-z]+\d*))?$/.exec(version ?? '2.2');
  const known = m ? VERSIONS[m[1]] : undefined;
  if (!m || !known) throw invalid(`Image version '${version}' is not supported.`);
  const os = m[3] ?? known[1];
  if (!OS_IMAGE[os]) throw invalid(`Image version '${version}' is not supported.`);
  const full = `${m[2] ? `${m[1]}.${m[2]}` : known[0]}-${os}`;
  const image = `dataproc-${m[1].replace('.', '-')}-${OS_IMAGE[os]}-20250817-165100-rc01`;
  return { version: full, imageUri: computeLink(`projects/cloud-dataproc/global/images/${image}`) };
}

/** One instance group in its stored form. */
export function instanceGroup(
  ctx: { project: string; zone: string; name: string; imageUri: string },
  given: Resource | undefined,
  role: 'm' | 'w',
  count: number,
): Resource {
  const g = given ?? {};
  const machine = last(String(g.machineTypeUri ?? 'n2-standard-4'));
  const out: Resource = {
    diskConfig: {
      bootDiskSizeGb: g.diskConfig?.bootDiskSizeGb ?? 1000,
      bootDiskType: g.diskConfig?.bootDiskType ?? 'pd-standard',
    },
    imageUri: g.imageUri ? computeLink(computeRef(String(g.imageUri), ctx.project)) : ctx.imageUri,
    instanceNames: Array.from({ length: count }, (_, i) =>
      role === 'm' ? (count === 1 ? `${ctx.name}-m` : `${ctx.name}-m-${i}`) : `${ctx.name}-w-${i}`,
    ),
    machineTypeUri: computeLink(
      `projects/${ctx.project}/zones/${ctx.zone}/machineTypes/${machine}`,
    ),
    minCpuPlatform: g.minCpuPlatform ?? 'AUTOMATIC',
    numInstances: count,
    preemptibility: g.preemptibility ?? 'NON_PREEMPTIBLE',
  };
  const accelerators = (g.accelerators ?? []) as Resource[];
  if (accelerators.length) {
    out.accelerators = accelerators.map((a) => {
      const type = last(String(a.acceleratorTypeUri ?? ''));
      const series = GPU_SERIES[type];
      if (!series)
        throw invalid(`Accelerator type '${type}' is not available in zone '${ctx.zone}'.`);
      if (machine.split('-')[0] !== series) {
        throw invalid(
          `Accelerator type '${type}' cannot be attached to machine type '${machine}'; ` +
            `it requires a ${series.toUpperCase()} machine type.`,
        );
      }
      return {
        acceleratorCount: a.acceleratorCount ?? 1,
        acceleratorTypeUri: computeLink(
          `projects/${ctx.project}/zones/${ctx.zone}/acceleratorTypes/${type}`,
        ),
      };
    });
  }
  return out;
}
