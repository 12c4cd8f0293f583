// Every env.json key dpgce knows, in the order diagnostics are reported:
// what it means, its rule, and an example for "add this" advice. The zod
// schema and the JSON Schema are generated from this table, so a key is
// added in exactly one place.

import { addressRule, cidrRule } from './address-rules.js';
import { hostnameRule } from './host-rules.js';
import {
  ACCOUNT_ID, accountIdRule, CAS_ID, casIdRule, COMPUTE_NAME, computeNameRule, ENV_NAME, envNameRule,
  NETWORK_SECURITY_ID, networkSecurityNameRule, PROJECT_ID, projectIdRule, REGION, regionRule, ZONE,
  zoneRule,
} from './name-rules.js';
import type { StringRule } from './problem.js';
import { bucketRule, gcsObjectPathRule } from './storage-rules.js';
import type { OverridableName } from './types.js';

/** How a value is shaped in JSON; `string` values go through `rule`. */
export type ValueShape = 'string' | 'port' | 'host-list' | 'preset-list';

export interface KeySpec {
  key: string;
  shape: ValueShape;
  required: boolean;
  description: string;
  /** The value part of an example line, as JSON. */
  example: string;
  rule?: StringRule;
  /** The rule's pattern, when one regex says it all (for the JSON Schema). */
  pattern?: RegExp;
  /** Non-ASCII is allowed (sibling tools' free text, object names). */
  unicode?: boolean;
  /** The derived name this key overrides. */
  override?: OverridableName;
}

const SUBNET_RANGE = 'Google Cloud subnetwork primary ranges are /8 to /29.';
const PROXY_ONLY =
  'A proxy-only subnetwork (REGIONAL_MANAGED_PROXY) needs at least 64 addresses: /26 or shorter.';

function seed(key: string, description: string, example: string, rule: StringRule, pattern?: RegExp): KeySpec {
  return { key, shape: 'string', required: true, description, example, rule, pattern };
}

function optional(key: string, description: string, example: string, rule?: StringRule, pattern?: RegExp): KeySpec {
  return { key, shape: 'string', required: false, description, example, rule, pattern, unicode: !rule };
}

function override(key: string, name: OverridableName, what: string, rule: StringRule, pattern: RegExp): KeySpec {
  const description = `Overrides the derived name of the ${what}.`;
  return { ...optional(key, description, '"my-name"', rule, pattern), override: name };
}

export const KEYS: readonly KeySpec[] = [
  seed('PROJECT_ID', 'Google Cloud project ID the environment is built in.', '"my-project-123"', projectIdRule, PROJECT_ID),
  seed('REGION', 'Compute Engine region of the subnetworks and the Secure Web Proxy.', '"us-central1"', regionRule, REGION),
  seed('ZONE', 'Compute Engine zone of the cluster; must be in REGION.', '"us-central1-a"', zoneRule, ZONE),
  seed('SUBNET', 'Name of the cluster subnetwork (its range is RANGE).', '"main-subnet"', computeNameRule, COMPUTE_NAME),
  seed('BUCKET', 'Cloud Storage staging bucket; holds the node boot script.', '"my-staging-bucket"', bucketRule),
  seed('TEMP_BUCKET', 'Cloud Storage temp bucket of the cluster.', '"my-temp-bucket"', bucketRule),
  seed('RANGE', 'IPv4 range of the cluster subnetwork.', '"10.10.0.0/24"', cidrRule(8, 29, SUBNET_RANGE)),
  seed('PRIVATE_RANGE', 'IPv4 range of the second private subnetwork.', '"10.11.0.0/24"', cidrRule(8, 29, SUBNET_RANGE)),
  seed('SWP_RANGE', 'IPv4 range of the proxy-only subnetwork.', '"10.12.0.0/23"', cidrRule(8, 26, PROXY_ONLY)),
  seed('SWP_IP', 'Secure Web Proxy address, inside RANGE or PRIVATE_RANGE.', '"10.11.0.250"', addressRule),
  {
    key: 'SWP_PORT', shape: 'port', required: true, example: '"3128"',
    description: 'Port the Secure Web Proxy listens on (number or decimal string).',
  },
  seed('SWP_HOSTNAME', 'DNS name nodes use for the proxy; its certificate is issued for it.',
    '"swp.example.internal"', hostnameRule),
  { ...seed('PROXY_CERT_GCS_PATH', 'gs:// object the proxy root CA certificate is exported to.',
    '"gs://my-bucket/proxy.cer"', gcsObjectPathRule), unicode: true },
  optional('ENV_NAME', 'Names the environment; prefix of every derived name. Default CLUSTER_NAME, else "dpgce".',
    '"dpgce"', envNameRule, ENV_NAME),
  {
    key: 'SWP_ALLOWED_HOSTS', shape: 'host-list', required: false, example: '["downloads.example.com"]',
    description: 'Extra hosts the proxy allows: "example.com" or "*.example.com".',
  },
  {
    key: 'SWP_POLICY_PRESETS', shape: 'preset-list', required: false, example: '["dataproc-gpu"]',
    description: 'Egress allowlist presets. Default ["dataproc-gpu"].',
  },
  optional('CLUSTER_NAME', 'Dataproc cluster name (shared with sibling tools).', '"my-cluster"'),
  optional('IMAGE_VERSION', 'Dataproc image version (shared with sibling tools).', '"2.2-debian12"'),
  optional('CUSTOM_IMAGE_URI', 'Custom image URI (shared with sibling tools).', '"projects/p/global/images/i"'),
  optional('ACCELERATOR_TYPE', 'GPU accelerator type (shared with sibling tools).', '"nvidia-tesla-t4"'),
  optional('PURPOSE', 'Free text used by sibling tools.', '"gpu"'),
  optional('DOMAIN', 'Domain used by sibling tools.', '"example.com"'),
  override('NETWORK', 'network', 'VPC network', computeNameRule, COMPUTE_NAME),
  override('PRIVATE_SUBNET', 'privateSubnet', 'private subnetwork', computeNameRule, COMPUTE_NAME),
  override('PROXY_ONLY_SUBNET', 'proxyOnlySubnet', 'proxy-only subnetwork', computeNameRule, COMPUTE_NAME),
  override('SERVICE_ACCOUNT', 'serviceAccount', 'cluster service account (account ID)', accountIdRule, ACCOUNT_ID),
  override('CA_POOL', 'caPool', 'CA pool', casIdRule, CAS_ID),
  override('ROOT_CA', 'rootCa', 'root certificate authority', casIdRule, CAS_ID),
  override('GATEWAY', 'gateway', 'Secure Web Proxy gateway', networkSecurityNameRule, NETWORK_SECURITY_ID),
  override('GATEWAY_SECURITY_POLICY', 'gatewaySecurityPolicy', 'gateway security policy', networkSecurityNameRule, NETWORK_SECURITY_ID),
];

export const KNOWN_KEYS: readonly string[] = KEYS.map((spec) => spec.key);

export function keySpec(key: string): KeySpec | undefined {
  return KEYS.find((spec) => spec.key === key);
}
