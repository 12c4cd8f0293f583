// Turns validated values into the EnvConfig every other layer reads. Only
// called when validation found no error, so every value here has passed its
// rule; normalisation (canonical CIDRs, lowercase hosts, the port as a
// number, defaults) happens here and nowhere else.

import { DEFAULT_PRESETS } from '../policy/presets.js';
import { parseCidr } from './address-rules.js';
import { buildClusterSettings } from './cluster-settings.js';
import { KEYS } from './keys.js';
import { normalizePolicyRules } from './policy-rules.js';
import { splitGcsPath } from './storage-rules.js';
import type { EnvConfig, OverridableName } from './types.js';

/** Values keyed by env.json key, all of which passed validation. */
export type ValidatedValues = ReadonlyMap<string, unknown>;

function text(values: ValidatedValues, key: string): string {
  return values.get(key) as string;
}

function optionalText(values: ValidatedValues, key: string): string | undefined {
  return values.get(key) as string | undefined;
}

function canonicalCidr(values: ValidatedValues, key: string): string {
  return parseCidr(text(values, key))?.text ?? text(values, key);
}

/** Each list entry once, keeping the first occurrence's position. */
function unique(items: readonly string[]): string[] {
  return [...new Set(items)];
}

function overrides(values: ValidatedValues): Partial<Record<OverridableName, string>> {
  const found: Partial<Record<OverridableName, string>> = {};
  for (const spec of KEYS) {
    const value = optionalText(values, spec.key);
    if (spec.override && value !== undefined) found[spec.override] = value;
  }
  return found;
}

/** The sibling tools' keys that are set; absent ones stay absent. */
function siblingKeys(values: ValidatedValues): Partial<EnvConfig> {
  const fields: Array<[keyof EnvConfig, string]> = [
    ['clusterName', 'CLUSTER_NAME'], ['imageVersion', 'IMAGE_VERSION'],
    ['customImageUri', 'CUSTOM_IMAGE_URI'], ['acceleratorType', 'ACCELERATOR_TYPE'],
  ];
  const present = fields.filter(([, key]) => values.has(key));
  return Object.fromEntries(present.map(([field, key]) => [field, text(values, key)]));
}

export function buildConfig(values: ValidatedValues, envName: string): EnvConfig {
  const proxyCert = splitGcsPath(text(values, 'PROXY_CERT_GCS_PATH'));
  if (!proxyCert) {
    throw new Error('PROXY_CERT_GCS_PATH passed validation but does not split; this is a bug');
  }
  const allowed = (values.get('SWP_ALLOWED_HOSTS') as string[] | undefined) ?? [];
  const presets = (values.get('SWP_POLICY_PRESETS') as string[] | undefined) ?? DEFAULT_PRESETS;

  return {
    projectId: text(values, 'PROJECT_ID'),
    region: text(values, 'REGION'),
    zone: text(values, 'ZONE'),
    envName,
    subnet: text(values, 'SUBNET'),
    bucket: text(values, 'BUCKET'),
    tempBucket: text(values, 'TEMP_BUCKET'),
    range: canonicalCidr(values, 'RANGE'),
    privateRange: canonicalCidr(values, 'PRIVATE_RANGE'),
    swpRange: canonicalCidr(values, 'SWP_RANGE'),
    swpIp: text(values, 'SWP_IP'),
    swpPort: Number(values.get('SWP_PORT')),
    swpHostname: text(values, 'SWP_HOSTNAME').toLowerCase(),
    proxyCertGcsPath: proxyCert,
    allowedHosts: unique(allowed.map((host) => host.toLowerCase())),
    policyPresets: unique(presets),
    policyRules: normalizePolicyRules(values.get('SWP_POLICY_RULES')),
    ...siblingKeys(values),
    cluster: buildClusterSettings(values),
    overrides: overrides(values),
  };
}
