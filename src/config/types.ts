import type { ClusterSettings } from './cluster-settings.js';

// The validated, normalised form of env.json that every other layer reads.
// Nothing outside src/config/ looks at the raw file: keys are UPPER_SNAKE in
// the file and camelCase here, and every value has been checked.

/** One configuration problem, always naming the env.json key it is about. */
export interface Diagnostic {
  severity: 'error' | 'warning';
  /** The env.json key (e.g. `SWP_IP`), or `env.json` for file-level problems. */
  key: string;
  /** One line, e.g. "SWP_PORT 99999 is not a port (1-65535)". */
  summary: string;
  /** What to do about it; may be empty. */
  detail: string;
}

/** A `gs://bucket/object` location, split. */
export interface GcsPath {
  bucket: string;
  object: string;
}

/**
 * The environment as configured. Invariants once `loadEnv` returns it with no
 * error diagnostics: every CIDR is canonical (`10.10.0.0/24`), the three
 * ranges do not overlap, `swpIp` lies inside `range` or `privateRange` and is
 * not a reserved address, `swpPort` is 1-65535, `zone` is in `region`.
 */
export interface EnvConfig {
  projectId: string;
  region: string;
  zone: string;
  /** Names every derived resource; ENV_NAME, else CLUSTER_NAME, else "dpgce". */
  envName: string;
  /** The cluster subnet's name (SUBNET); its range is `range`. */
  subnet: string;
  bucket: string;
  tempBucket: string;
  range: string;
  privateRange: string;
  swpRange: string;
  swpIp: string;
  swpPort: number;
  swpHostname: string;
  proxyCertGcsPath: GcsPath;
  /** Extra allowed host patterns (`example.com`, `*.example.com`). */
  allowedHosts: string[];
  /** Policy preset names; default ["dataproc-gpu"]. */
  policyPresets: string[];
  /** SWP_POLICY_RULES, in the order given (that order is their precedence). */
  policyRules: PolicyRuleConfig[];
  /** The Dataproc cluster (planned only when set). */
  clusterName?: string;
  imageVersion?: string;
  customImageUri?: string;
  acceleratorType?: string;
  /** The rest of the cluster's shape, with defaults applied. */
  cluster: ClusterSettings;
  /** Explicit name overrides (NETWORK, CA_POOL, ...), already validated. */
  overrides: Partial<Record<OverridableName, string>>;
}

/**
 * One SWP_POLICY_RULES entry, checked and normalised: hosts and the domain
 * part of URLs lower case, at least one of the two non-empty, `urls` only
 * with `tlsInspection` (the proxy sees an HTTPS path only when it inspects).
 */
export interface PolicyRuleConfig {
  /** Rule ID; also the address `gateway-security-policy-rule.<name>`. */
  name: string;
  action: 'allow' | 'deny';
  /** `example.com` or `*.example.com`. */
  hosts: string[];
  /** URL list entries with a path: `example.com/path`, `example.com/path/*`. */
  urls: string[];
  tlsInspection: boolean;
  /** The rule applies only to requests from these (any of them). */
  sourceServiceAccounts: string[];
  /** Secure tag values (`tagValues/123`); combined with the accounts by "or". */
  sourceTags: string[];
  /** Explicit priority; otherwise one from the rule's position. */
  priority?: number;
  description?: string;
}

/** Derived names that an env.json key may override. */
export type OverridableName =
  | 'network'
  | 'privateSubnet'
  | 'proxyOnlySubnet'
  | 'serviceAccount'
  | 'caPool'
  | 'rootCa'
  | 'gateway'
  | 'gatewaySecurityPolicy';

export interface LoadResult {
  /** Present only when there is no error diagnostic. */
  config?: EnvConfig;
  diagnostics: Diagnostic[];
}
