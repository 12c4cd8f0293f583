// The cluster keys as the planner reads them: validated values with their
// defaults applied. Called by build.ts only when validation found no error.

import { defaultMachineType } from './accelerators.js';
import { asBoolean } from './cluster-schema.js';

/** The cluster's shape beyond its name and image. Invariant: counts are whole numbers. */
export interface ClusterSettings {
  /** GPUs per node; 1 when ACCELERATOR_COUNT is absent. */
  acceleratorCount: number;
  masterMachineType: string;
  workerMachineType: string;
  /** Primary workers; 0 exactly when `singleNode`. */
  numWorkers: number;
  singleNode: boolean;
  /** Shielded VM Secure Boot; default true (vTPM and integrity monitoring are always on). */
  secureBoot: boolean;
  /** PRIVATE_SECRET_NAME / PUBLIC_SECRET_NAME as written; names.ts applies the defaults. */
  privateSecretName?: string;
  publicSecretName?: string;
  gpuDriverProvider: 'NVIDIA' | 'OS';
  cudaVersion?: string;
  gpuDriverVersion?: string;
  gpuInitActionUri?: string;
  /** SWP_NO_PROXY entries, in the order written. */
  noProxy: string[];
  proxyTestUrl?: string;
  /** Paths as written in env.json (relative to its folder). */
  uefiCa2011File?: string;
  uefiCa2023File?: string;
}

/** Values keyed by env.json key, all of which passed validation. */
type Values = ReadonlyMap<string, unknown>;

const str = (values: Values, key: string): string | undefined =>
  values.get(key) as string | undefined;

export function buildClusterSettings(values: Values): ClusterSettings {
  const accelerator = str(values, 'ACCELERATOR_TYPE');
  const acceleratorCount = Number(values.get('ACCELERATOR_COUNT') ?? 1);
  const machine = defaultMachineType(accelerator, acceleratorCount);
  const singleNode = asBoolean(values.get('SINGLE_NODE'));

  return {
    acceleratorCount,
    masterMachineType: str(values, 'MASTER_MACHINE_TYPE') ?? machine,
    workerMachineType:
      str(values, 'WORKER_MACHINE_TYPE') ?? str(values, 'MASTER_MACHINE_TYPE') ?? machine,
    numWorkers: singleNode ? 0 : Number(values.get('NUM_WORKERS') ?? 2),
    singleNode,
    secureBoot: values.has('SECURE_BOOT') ? asBoolean(values.get('SECURE_BOOT')) : true,
    privateSecretName: str(values, 'PRIVATE_SECRET_NAME'),
    publicSecretName: str(values, 'PUBLIC_SECRET_NAME'),
    gpuDriverProvider: (str(values, 'GPU_DRIVER_PROVIDER') ?? 'NVIDIA') as 'NVIDIA' | 'OS',
    cudaVersion: str(values, 'CUDA_VERSION'),
    gpuDriverVersion: str(values, 'GPU_DRIVER_VERSION'),
    gpuInitActionUri: str(values, 'GPU_INIT_ACTION_URI'),
    noProxy: [...new Set((values.get('SWP_NO_PROXY') as string[] | undefined) ?? [])],
    proxyTestUrl: str(values, 'PROXY_TEST_URL'),
    uefiCa2011File: str(values, 'MS_UEFI_CA_2011_FILE'),
    uefiCa2023File: str(values, 'MS_UEFI_CA_2023_FILE'),
  };
}
