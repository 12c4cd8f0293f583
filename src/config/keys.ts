// Every env.json key dpgce knows, in the order diagnostics are reported:
// what it means, its rule, and an example for "add this" advice. The zod
// schema and the JSON Schema are generated from this table, so a key is
// added in exactly one place.

import { addressRule, cidrRule } from './address-rules.js';
import { CLUSTER_KEYS } from './cluster-keys.js';
import { hostnameRule } from './host-rules.js';
import * as names from './name-rules.js';
import type { StringRule } from './problem.js';
import { bucketRule, gcsObjectPathRule } from './storage-rules.js';
import type { OverridableName } from './types.js';

/** How a value is shaped in JSON; `string` values go through `rule`. */
export type ValueShape = 'string' | 'port' | 'host-list' | 'preset-list' | 'policy-rules'
  | 'boolean' | 'count' | 'string-list';

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
  /** `count` keys: the smallest and largest accepted integer. */
  range?: [number, number];
}

const SUBNET_RANGE = 'Google Cloud subnetwork primary ranges are /8 to /29.';
const PROXY_ONLY =
  'A proxy-only subnetwork (REGIONAL_MANAGED_PROXY) needs at least 64 addresses: /26 or shorter.';

/** A required string key of the seed's env.json. */
function seed(key: string, example: string, description: string, rule: StringRule,
  pattern?: RegExp): KeySpec {
  return { key, shape: 'string', required: true, description, example, rule, pattern };
}

/** An optional string key; without a rule it is free text from a sibling tool. */
function optional(key: string, example: string, description: string, rule?: StringRule,
  pattern?: RegExp): KeySpec {
  const unicode = !rule;
  return { key, shape: 'string', required: false, description, example, rule, pattern, unicode };
}

function sibling(key: string, example: string, what: string): KeySpec {
  return optional(key, example, `${what} (shared with sibling tools; carried, not used).`);
}

function override(key: string, name: OverridableName, what: string, rule: StringRule,
  pattern: RegExp): KeySpec {
  const description = `Overrides the derived name of the ${what}.`;
  return { ...optional(key, '"my-name"', description, rule, pattern), override: name };
}

export const KEYS: readonly KeySpec[] = [
  seed('PROJECT_ID', '"my-project-123"', 'Google Cloud project ID the environment is built in.',
    names.projectIdRule, names.PROJECT_ID),
  seed('REGION', '"us-central1"', 'Compute Engine region of the subnetworks and the proxy.',
    names.regionRule, names.REGION),
  seed('ZONE', '"us-central1-a"', 'Compute Engine zone of the cluster; must be in REGION.',
    names.zoneRule, names.ZONE),
  seed('SUBNET', '"main-subnet"', 'Name of the cluster subnetwork (its range is RANGE).',
    names.computeNameRule, names.COMPUTE_NAME),
  seed('BUCKET', '"my-staging-bucket"', 'Cloud Storage staging bucket; holds the node boot script.',
    bucketRule),
  seed('TEMP_BUCKET', '"my-temp-bucket"', 'Cloud Storage temp bucket of the cluster.', bucketRule),
  seed('RANGE', '"10.10.0.0/24"', 'IPv4 range of the cluster subnetwork.',
    cidrRule(8, 29, SUBNET_RANGE)),
  seed('PRIVATE_RANGE', '"10.11.0.0/24"', 'IPv4 range of the second private subnetwork.',
    cidrRule(8, 29, SUBNET_RANGE)),
  seed('SWP_RANGE', '"10.12.0.0/23"', 'IPv4 range of the proxy-only subnetwork.',
    cidrRule(8, 26, PROXY_ONLY)),
  seed('SWP_IP', '"10.11.0.250"', 'Secure Web Proxy address, inside RANGE or PRIVATE_RANGE.',
    addressRule),
  {
    key: 'SWP_PORT', shape: 'port', required: true, example: '"3128"',
    description: 'Port the Secure Web Proxy listens on (number or decimal string).',
  },
  seed('SWP_HOSTNAME', '"swp.example.internal"',
    'DNS name nodes use for the proxy; its certificate is issued for it.', hostnameRule),
  {
    ...seed('PROXY_CERT_GCS_PATH', '"gs://my-bucket/proxy.cer"',
      'gs:// object the proxy root CA certificate is exported to.', gcsObjectPathRule),
    unicode: true,
  },
  optional('ENV_NAME', '"dpgce"',
    'Names the environment; prefix of every derived name. Default CLUSTER_NAME, else "dpgce".',
    names.envNameRule, names.ENV_NAME),
  {
    key: 'SWP_ALLOWED_HOSTS', shape: 'host-list', required: false,
    example: '["downloads.example.com"]',
    description: 'Extra hosts the proxy allows: "example.com" or "*.example.com".',
  },
  {
    key: 'SWP_POLICY_PRESETS', shape: 'preset-list', required: false, example: '["dataproc-gpu"]',
    description: 'Egress allowlist presets. Default ["dataproc-gpu"].',
  },
  {
    key: 'SWP_POLICY_RULES', shape: 'policy-rules', required: false,
    example: '[{"name": "block-uploads", "action": "deny", "hosts": ["uploads.example.com"]}]',
    description: 'Named egress rules (allow or deny; hosts and/or URL paths; TLS inspection; ' +
      'source service accounts or secure tags), evaluated before the presets in list order.',
  },
  ...CLUSTER_KEYS,
  sibling('PURPOSE', '"gpu"', 'Free text'),
  sibling('DOMAIN', '"example.com"', 'Domain'),
  override('NETWORK', 'network', 'VPC network', names.computeNameRule, names.COMPUTE_NAME),
  override('PRIVATE_SUBNET', 'privateSubnet', 'private subnetwork',
    names.computeNameRule, names.COMPUTE_NAME),
  override('PROXY_ONLY_SUBNET', 'proxyOnlySubnet', 'proxy-only subnetwork',
    names.computeNameRule, names.COMPUTE_NAME),
  override('SERVICE_ACCOUNT', 'serviceAccount', 'cluster service account (account ID)',
    names.accountIdRule, names.ACCOUNT_ID),
  override('CA_POOL', 'caPool', 'CA pool', names.casIdRule, names.CAS_ID),
  override('ROOT_CA', 'rootCa', 'root certificate authority', names.casIdRule, names.CAS_ID),
  override('GATEWAY', 'gateway', 'Secure Web Proxy gateway',
    names.networkSecurityNameRule, names.NETWORK_SECURITY_ID),
  override('GATEWAY_SECURITY_POLICY', 'gatewaySecurityPolicy', 'gateway security policy',
    names.networkSecurityNameRule, names.NETWORK_SECURITY_ID),
];

export const KNOWN_KEYS: readonly string[] = KEYS.map((spec) => spec.key);
