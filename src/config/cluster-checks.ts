// Offline checks between cluster keys. Only shape conflicts live here:
// whether the combination can boot (Secure Boot with a GPU, GPU and machine
// family) is decided at plan time, and only when the cluster is planned, so
// that a foundation-only run is never blocked by the cluster it will not make.

import { asBoolean } from './cluster-schema.js';
import type { Diagnostic } from './types.js';

type Values = ReadonlyMap<string, unknown>;

function error(key: string, summary: string, detail: string): Diagnostic {
  return { severity: 'error', key, summary, detail };
}

function warning(key: string, summary: string, detail: string): Diagnostic {
  return { severity: 'warning', key, summary, detail };
}

function checkWorkers(values: Values): Diagnostic[] {
  const workers = values.has('NUM_WORKERS') ? Number(values.get('NUM_WORKERS')) : undefined;
  const single = asBoolean(values.get('SINGLE_NODE'));
  if (single && workers !== undefined && workers > 0) {
    return [
      error(
        'SINGLE_NODE',
        `SINGLE_NODE is true but NUM_WORKERS is ${workers}`,
        'A single-node cluster has no workers: remove NUM_WORKERS, or set SINGLE_NODE to false.',
      ),
    ];
  }
  if (workers === 1) {
    return [
      error(
        'NUM_WORKERS',
        'NUM_WORKERS is 1; a standard Dataproc cluster has at least 2 workers',
        'Set NUM_WORKERS to 2 or more, or set SINGLE_NODE to true for a one-node cluster.',
      ),
    ];
  }
  if (workers === 0 && !single) {
    return [
      error(
        'NUM_WORKERS',
        'NUM_WORKERS is 0 but SINGLE_NODE is not true',
        'Set SINGLE_NODE to true for a one-node cluster, or NUM_WORKERS to 2 or more.',
      ),
    ];
  }
  return [];
}

function checkImage(values: Values): Diagnostic[] {
  if (!values.has('CUSTOM_IMAGE_URI') || !values.has('IMAGE_VERSION')) return [];
  return [
    warning(
      'IMAGE_VERSION',
      'IMAGE_VERSION is not sent to Dataproc when CUSTOM_IMAGE_URI is set',
      'A custom image carries its Dataproc version; IMAGE_VERSION stays for the tools that build ' +
        'the image. Remove it here if nothing else reads it.',
    ),
  ];
}

function checkGpuKeys(values: Values): Diagnostic[] {
  if (values.has('ACCELERATOR_TYPE')) return [];
  const stray = [
    'ACCELERATOR_COUNT',
    'CUDA_VERSION',
    'GPU_DRIVER_VERSION',
    'GPU_DRIVER_PROVIDER',
    'GPU_INIT_ACTION_URI',
  ].filter((k) => values.has(k));
  return stray.map((key) =>
    warning(
      key,
      `${key} has no effect without ACCELERATOR_TYPE`,
      'Set ACCELERATOR_TYPE (e.g. nvidia-tesla-t4) to give the cluster GPUs, or remove the key.',
    ),
  );
}

/** Every cross-key diagnostic of the cluster keys. */
export function checkClusterValues(values: Values): Diagnostic[] {
  return [...checkWorkers(values), ...checkImage(values), ...checkGpuKeys(values)];
}
