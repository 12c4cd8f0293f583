// Rules for the values that shape the Dataproc cluster: its name, image,
// machine and accelerator types, the Secret Manager secrets of the
// module-signing key, the GPU driver action's versions, and local file
// paths. Patterns are the APIs' own (gcp-api-facts §1.3, §9, §18.5), so a
// value that passes here is not refused by the service halfway through `up`.

import { patternRule } from './name-rules.js';
import { problem, show, type StringRule } from './problem.js';

/** Dataproc `clusterName`: lowercase letter first, at most 51, no trailing hyphen. */
export const CLUSTER_NAME = /^[a-z]([-a-z0-9]{0,49}[a-z0-9])?$/;
/** `2.2`, `2.2-debian12`, `2.2.35-debian12`, `2.1-rocky8`. */
export const IMAGE_VERSION = /^\d+\.\d+(\.\d+)?(-[a-z]+\d*)?$/;
/** A Compute Engine image or image family, as a path or a full URL. */
export const IMAGE_URI = new RegExp(
  '^(https://(www|compute)\\.googleapis\\.com/compute/v1/)?projects/[a-z][-a-z0-9.:]*[a-z0-9]' +
    '/global/images/(family/)?[a-z]([-a-z0-9]{0,61}[a-z0-9])?$',
);
/** Compute Engine machine types: `n1-standard-8`, `g2-standard-4`, `a2-highgpu-1g`. */
export const MACHINE_TYPE = /^[a-z][a-z0-9]*-[a-z0-9-]*[a-z0-9]$/;
export const ACCELERATOR_TYPE = /^nvidia-[a-z0-9-]*[a-z0-9]$/;
/** Secret Manager `secretId`. */
export const SECRET_ID = /^[A-Za-z0-9_-]{1,255}$/;
export const DOTTED_VERSION = /^\d+(\.\d+){0,3}$/;
export const GPU_DRIVER_PROVIDERS = ['NVIDIA', 'OS'] as const;

export const clusterNameRule = patternRule(
  CLUSTER_NAME,
  1,
  51,
  'Dataproc cluster name',
  'starts with a lowercase letter, has only lowercase letters, digits and hyphens, and does ' +
    'not end with a hyphen (Dataproc adds -m and -w-N for the node names)',
);

export const imageVersionRule: StringRule = (value) =>
  IMAGE_VERSION.test(value)
    ? undefined
    : problem(
        `${show(value)} is not a Dataproc image version`,
        'Write a version such as 2.2-debian12, 2.2 or 2.2.35-debian12 (see the Dataproc ' +
          'image version list).',
      );

export const imageUriRule: StringRule = (value) =>
  IMAGE_URI.test(value)
    ? undefined
    : problem(
        `${show(value)} is not a Compute Engine image`,
        'Write it as projects/PROJECT/global/images/IMAGE (or .../images/family/FAMILY), or as ' +
          "the image's full https://www.googleapis.com/compute/v1/... URL.",
      );

export const machineTypeRule: StringRule = (value) =>
  MACHINE_TYPE.test(value)
    ? undefined
    : problem(
        `${show(value)} is not a Compute Engine machine type`,
        'Write a machine type name such as n1-standard-8, g2-standard-8 or a2-highgpu-1g.',
      );

export const acceleratorTypeRule: StringRule = (value) =>
  ACCELERATOR_TYPE.test(value)
    ? undefined
    : problem(
        `${show(value)} is not a GPU accelerator type`,
        'Write a Compute Engine accelerator type such as nvidia-tesla-t4, nvidia-l4 or ' +
          'nvidia-tesla-a100 (gcloud compute accelerator-types list).',
      );

export const secretIdRule: StringRule = (value) =>
  SECRET_ID.test(value)
    ? undefined
    : problem(
        `${show(value)} is not a Secret Manager secret ID`,
        'A secret ID has 1-255 letters, digits, hyphens and underscores.',
      );

export const dottedVersionRule: StringRule = (value) =>
  DOTTED_VERSION.test(value)
    ? undefined
    : problem(
        `${show(value)} is not a version number`,
        'Write digits separated by dots, e.g. 12.4.1 (CUDA) or 550.54.15 (driver).',
      );

export const gpuDriverProviderRule: StringRule = (value) =>
  (GPU_DRIVER_PROVIDERS as readonly string[]).includes(value)
    ? undefined
    : problem(
        `${show(value)} is not a GPU driver provider`,
        "Use NVIDIA (drivers from NVIDIA, the default) or OS (the distribution's packages).",
      );

/** An existing object (Google's own buckets start with `goog`, so no creation rules here). */
export const initActionRule: StringRule = (value) =>
  /^gs:\/\/[a-z0-9][a-z0-9._-]{1,220}[a-z0-9]\/[^\r\n]*[^/\r\n]$/.test(value)
    ? undefined
    : problem(
        `${show(value)} is not a gs://BUCKET/OBJECT location`,
        'Give the gs:// URI of the initialization action script, e.g. ' +
          'gs://goog-dataproc-initialization-actions-us-central1/gpu/install_gpu_driver.sh.',
      );

/** An https:// URL the proxy allows, for the node boot script's self-test. */
export const httpsUrlRule: StringRule = (value) => {
  let url: URL | undefined;
  try {
    url = new URL(value);
  } catch {
    url = undefined;
  }
  if (url?.protocol === 'https:' && url.hostname.includes('.')) return undefined;
  return problem(
    `${show(value)} is not an https:// URL`,
    "Give an https:// URL on the proxy's allowlist, e.g. https://pypi.org/simple/pip/.",
  );
};

/** A local file path (resolved against the folder of env.json). */
export const filePathRule: StringRule = (value) =>
  /[\0\r\n]/.test(value)
    ? problem(`${show(value)} is not a file path`, 'Write the path of a file on this machine.')
    : undefined;

/** One bypass entry: a domain suffix, a host, an address or a CIDR range. */
export const bypassEntryRule: StringRule = (value) => {
  if (/^[A-Za-z0-9.:/_*-]+$/.test(value) && !value.includes(',')) return undefined;
  return problem(
    `${show(value)} is not a host, domain suffix or address range`,
    'Write one entry per item: .corp.example (a domain and its hosts), host.example.com, ' +
      '10.20.0.0/16 or 10.20.0.5.',
  );
};
