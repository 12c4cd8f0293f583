// Checks that need more than one value: ZONE in REGION, where ENV_NAME comes
// from, subnetwork names that would collide, and advice (warnings) about the
// egress allowlist. Each runs only on values that passed their own rules.

import { checkAddressPlan } from './address-plan.js';
import { checkClusterValues } from './cluster-checks.js';
import { isGoogleApisHost } from './host-rules.js';
import { envNameRule, zoneInRegion } from './name-rules.js';
import { checkPolicyRuleValues } from './policy-rule-checks.js';
import { reasonOf, show } from './problem.js';
import { checkRegionAndZone } from './regions.js';
import type { Diagnostic } from './types.js';
import { BOOT_SCRIPT_OBJECT } from './names.js';

/** Values that passed their field rules, keyed by env.json key. */
export type Values = ReadonlyMap<string, unknown>;

const DEFAULT_ENV_NAME = 'dpgce';

function error(key: string, summary: string, detail: string): Diagnostic {
  return { severity: 'error', key, summary, detail };
}

function warning(key: string, summary: string, detail: string): Diagnostic {
  return { severity: 'warning', key, summary, detail };
}

function str(values: Values, key: string): string | undefined {
  const value = values.get(key);
  return typeof value === 'string' ? value : undefined;
}

function list(values: Values, key: string): string[] | undefined {
  const value = values.get(key);
  return Array.isArray(value) ? (value as string[]) : undefined;
}

function checkZone(values: Values): Diagnostic[] {
  const zone = str(values, 'ZONE');
  const region = str(values, 'REGION');
  if (!zone || !region || zoneInRegion(zone, region)) return checkRegionAndZone(region, zone);
  return [error('ZONE', `ZONE ${zone} is not in REGION ${region}`,
    `Use a zone of ${region} (e.g. ${region}-a), or change REGION to the zone's region.`)];
}

/**
 * ENV_NAME, else CLUSTER_NAME, else "dpgce". A CLUSTER_NAME that cannot name
 * the environment is reported on CLUSTER_NAME, since that is the value the
 * user wrote, with the advice to set ENV_NAME.
 */
export function resolveEnvName(values: Values): { envName?: string; diagnostics: Diagnostic[] } {
  const explicit = str(values, 'ENV_NAME');
  if (explicit !== undefined) return { envName: explicit, diagnostics: [] };
  const cluster = str(values, 'CLUSTER_NAME');
  if (cluster === undefined) return { envName: DEFAULT_ENV_NAME, diagnostics: [] };

  const flaw = envNameRule(cluster);
  if (!flaw) return { envName: cluster, diagnostics: [] };
  const why = reasonOf(flaw, cluster);
  const summary =
    `CLUSTER_NAME ${show(cluster)} cannot name the environment (it ${why}); set ENV_NAME`;
  const detail = 'Set ENV_NAME to name the environment (3-24 lowercase letters, digits and ' +
    'hyphens, starting with a letter); CLUSTER_NAME then only names the cluster.';
  return { diagnostics: [error('CLUSTER_NAME', summary, detail)] };
}

/** SUBNET must not take the name dpgce gives one of the other two subnetworks. */
function checkSubnetNames(values: Values, envName: string | undefined): Diagnostic[] {
  const subnet = str(values, 'SUBNET');
  if (!subnet || !envName) return [];
  const others: Array<[string, string, string]> = [
    ['PRIVATE_SUBNET', 'private', `${envName}-private`],
    ['PROXY_ONLY_SUBNET', 'proxy-only', `${envName}-proxy-only`],
  ];
  return others
    .filter(([key, , derived]) => (str(values, key) ?? derived) === subnet)
    .map(([key, what]) => error('SUBNET',
      `SUBNET ${subnet} is also the name of the ${what} subnetwork`,
      `Subnetwork names are unique per region; rename SUBNET or set ${key}.`));
}

/** Advice about the allowlist: never blocking, but worth reading. */
function checkAllowlist(values: Values): Diagnostic[] {
  const found: Diagnostic[] = [];
  const hosts = list(values, 'SWP_ALLOWED_HOSTS') ?? [];
  hosts.forEach((host, i) => {
    const label = `SWP_ALLOWED_HOSTS[${i}] ${show(host)}`;
    if (isGoogleApisHost(host)) {
      found.push(warning('SWP_ALLOWED_HOSTS',
        `${label} is a Google API host, which never goes through the proxy`,
        'Nodes reach *.googleapis.com over Private Google Access; remove the entry.'));
    } else if (hosts.findIndex((h) => h.toLowerCase() === host.toLowerCase()) < i) {
      found.push(warning('SWP_ALLOWED_HOSTS', `${label} is listed twice`,
        'Remove the repeated entry.'));
    }
  });

  const presets = list(values, 'SWP_POLICY_PRESETS');
  const rules = (values.get('SWP_POLICY_RULES') ?? []) as Array<{ action?: string }>;
  const allowRules = rules.filter((r) => r.action === 'allow');
  if (presets && presets.length === 0 && hosts.length === 0 && allowRules.length === 0) {
    found.push(warning('SWP_POLICY_PRESETS',
      'SWP_POLICY_PRESETS is empty and SWP_ALLOWED_HOSTS lists nothing, ' +
        'so the proxy will deny every request',
      'Remove SWP_POLICY_PRESETS to get the default ["dataproc-gpu"], ' +
        'or list the hosts nodes need.'));
  }
  return found;
}

/**
 * The proxy CA must not land on the boot script's object: each `up` would
 * overwrite one with the other, and nodes would boot a PEM as their script.
 */
function checkObjectPaths(values: Values): Diagnostic[] {
  const cert = values.get('PROXY_CERT_GCS_PATH');
  const bucket = values.get('BUCKET');
  if (typeof cert !== 'string' || typeof bucket !== 'string') return [];
  if (cert !== `gs://${bucket}/${BOOT_SCRIPT_OBJECT}`) return [];
  return [{ severity: 'error', key: 'PROXY_CERT_GCS_PATH',
    summary: `PROXY_CERT_GCS_PATH ${cert} is where dpgce uploads the node boot script`,
    detail: `Pick another object, e.g. gs://${bucket}/proxy/ca.pem.` }];
}

/** All cross-field diagnostics, and the environment name if it resolved. */
export function crossCheck(values: Values): { envName?: string; diagnostics: Diagnostic[] } {
  const env = resolveEnvName(values);
  const strings: Record<string, string> = {};
  for (const [key, value] of values) if (typeof value === 'string') strings[key] = value;
  return {
    envName: env.envName,
    diagnostics: [
      ...checkZone(values), ...env.diagnostics, ...checkSubnetNames(values, env.envName),
      ...checkAddressPlan(strings), ...checkAllowlist(values),
      ...checkClusterValues(values), ...checkPolicyRuleValues(values), ...checkObjectPaths(values),
    ],
  };
}
