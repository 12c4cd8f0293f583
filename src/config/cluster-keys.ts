// The env.json keys of the Dataproc cluster and of Secure Boot, in the order
// diagnostics report them. keys.ts appends them to the foundation's table, so
// the zod schema, the JSON Schema and the README list them like every other
// key. All are optional: without CLUSTER_NAME no cluster is planned at all.

import * as rules from './cluster-rules.js';
import type { KeySpec } from './keys.js';
import type { StringRule } from './problem.js';

function text(
  key: string,
  example: string,
  description: string,
  rule: StringRule,
  pattern?: RegExp,
): KeySpec {
  return { key, shape: 'string', required: false, description, example, rule, pattern };
}

function flag(key: string, description: string): KeySpec {
  return { key, shape: 'boolean', required: false, description, example: 'true' };
}

function count(
  key: string,
  example: string,
  description: string,
  min: number,
  max: number,
): KeySpec {
  return { key, shape: 'count', required: false, description, example, range: [min, max] };
}

export const CLUSTER_KEYS: readonly KeySpec[] = [
  text(
    'CLUSTER_NAME',
    '"gpu-cluster"',
    'Dataproc cluster name. When set, `up` creates the cluster (unless --no-create-cluster); ' +
      'also names the environment when ENV_NAME is absent.',
    rules.clusterNameRule,
    rules.CLUSTER_NAME,
  ),
  text(
    'IMAGE_VERSION',
    '"2.2-debian12"',
    'Dataproc image version of the cluster; not sent when CUSTOM_IMAGE_URI is set (a custom ' +
      'image carries its version).',
    rules.imageVersionRule,
    rules.IMAGE_VERSION,
  ),
  text(
    'CUSTOM_IMAGE_URI',
    '"projects/my-project/global/images/dataproc-2-2-gpu"',
    'Custom Dataproc image for every node; needed with SECURE_BOOT and a GPU (its UEFI db ' +
      'must trust the module-signing certificate).',
    rules.imageUriRule,
    rules.IMAGE_URI,
  ),
  text(
    'ACCELERATOR_TYPE',
    '"nvidia-tesla-t4"',
    'GPU type attached to the master and every worker; none when absent.',
    rules.acceleratorTypeRule,
    rules.ACCELERATOR_TYPE,
  ),
  count('ACCELERATOR_COUNT', '1', 'GPUs per node (default 1).', 1, 16),
  text(
    'MASTER_MACHINE_TYPE',
    '"n1-standard-8"',
    'Machine type of the master; default fits ACCELERATOR_TYPE (n1-standard-8 for T4, ' +
      'g2-standard-8 for L4, a2-highgpu-1g for A100, n2-standard-4 without a GPU).',
    rules.machineTypeRule,
    rules.MACHINE_TYPE,
  ),
  text(
    'WORKER_MACHINE_TYPE',
    '"n1-standard-8"',
    'Machine type of the workers; default as MASTER_MACHINE_TYPE.',
    rules.machineTypeRule,
    rules.MACHINE_TYPE,
  ),
  count('NUM_WORKERS', '2', 'Primary workers (default 2; Dataproc needs at least 2).', 0, 1000),
  flag('SINGLE_NODE', 'One node, no workers (default false).'),
  flag(
    'SECURE_BOOT',
    'Shielded VM Secure Boot on every node (default true); vTPM and integrity monitoring ' +
      'are always on.',
  ),
  text(
    'PRIVATE_SECRET_NAME',
    '"dpgce-efi-db-priv-key"',
    'Secret Manager secret holding the module-signing private key (PEM); default ' +
      '<ENV_NAME>-efi-db-priv-key. `dpgce secure-boot keys` creates it.',
    rules.secretIdRule,
    rules.SECRET_ID,
  ),
  text(
    'PUBLIC_SECRET_NAME',
    '"dpgce-efi-db-pub-key"',
    'Secret Manager secret holding the module-signing certificate (base64 of its DER form); ' +
      'default <ENV_NAME>-efi-db-pub-key.',
    rules.secretIdRule,
    rules.SECRET_ID,
  ),
  text(
    'GPU_DRIVER_PROVIDER',
    '"NVIDIA"',
    'Metadata gpu-driver-provider for the GPU driver action: NVIDIA (default) or OS.',
    rules.gpuDriverProviderRule,
  ),
  text(
    'CUDA_VERSION',
    '"12.4.1"',
    'Metadata cuda-version for the GPU driver action.',
    rules.dottedVersionRule,
    rules.DOTTED_VERSION,
  ),
  text(
    'GPU_DRIVER_VERSION',
    '"550.54.15"',
    'Metadata gpu-driver-version for the GPU driver action.',
    rules.dottedVersionRule,
    rules.DOTTED_VERSION,
  ),
  text(
    'GPU_INIT_ACTION_URI',
    '"gs://goog-dataproc-initialization-actions-us-central1/gpu/install_gpu_driver.sh"',
    'GPU driver initialization action run on every node; none when absent (a custom image ' +
      'may carry the driver).',
    rules.initActionRule,
  ),
  {
    key: 'SWP_NO_PROXY',
    shape: 'string-list',
    required: false,
    rule: rules.bypassEntryRule,
    example: '[".corp.example"]',
    description:
      "Extra entries of the nodes' no-proxy list (domains, hosts, ranges); RANGE " +
      'and PRIVATE_RANGE are always in it.',
  },
  text(
    'PROXY_TEST_URL',
    '"https://pypi.org/simple/pip/"',
    'An allowlisted https:// URL the node boot script fetches through the proxy as its ' +
      "self-test (metadata proxy-test-url); default one of the presets' hosts.",
    rules.httpsUrlRule,
  ),
  text(
    'MS_UEFI_CA_2011_FILE',
    '"uefi/MicCorUEFCA2011_2011-06-27.crt"',
    'Microsoft Corporation UEFI CA 2011 certificate file (DER or PEM), for the signature ' +
      'database `dpgce secure-boot keys` writes; relative to env.json.',
    rules.filePathRule,
  ),
  text(
    'MS_UEFI_CA_2023_FILE',
    '"uefi/microsoft-uefi-ca-2023.crt"',
    'Microsoft UEFI CA 2023 certificate file (DER or PEM), likewise; relative to env.json.',
    rules.filePathRule,
  ),
];
