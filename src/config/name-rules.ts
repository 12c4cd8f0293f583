// Rules for Google Cloud identifiers: project ID, region and zone, and the
// resource-name patterns of each API a name is given to. The patterns are the
// APIs' own (see gcp-api-facts §1.3), so a name that passes here is not
// rejected later by the server in the middle of an `up`.

import { problem, show, type StringRule } from './problem.js';

/** Compute Engine names (networks, subnetworks, firewalls): RFC 1035. */
export const COMPUTE_NAME = /^[a-z]([-a-z0-9]*[a-z0-9])?$/;
/** IAM service account ids (the part before the @). */
export const ACCOUNT_ID = /^[a-z]([-a-z0-9]*[a-z0-9])$/;
/** Certificate Authority Service pool and CA ids. */
export const CAS_ID = /^[a-zA-Z0-9_-]{1,63}$/;
/** Network Security and Network Services ids (policies, gateways). */
export const NETWORK_SECURITY_ID = /^[a-z]([a-z0-9-]{0,61}[a-z0-9])?$/;
/** ENV_NAME: 3-24 characters, so `<env>-egress-google-apis` fits 63. */
export const ENV_NAME = /^[a-z]([-a-z0-9]{1,22}[a-z0-9])$/;

/** The whole project ID shape, for the JSON Schema; the rule says which part fails. */
export const PROJECT_ID = /^[a-z][a-z0-9-]{4,28}[a-z0-9]$/;
export const REGION = /^[a-z]+-[a-z]+[0-9]+$/;
export const ZONE = /^[a-z]+-[a-z]+[0-9]+-[a-z]$/;

/** PROJECT_ID: 6-30 lowercase letters, digits, hyphens; letter first. */
export const projectIdRule: StringRule = (value) => {
  const v = show(value);
  const fix = 'Use the project ID (not the project name or number), e.g. my-project-123.';
  if (/[A-Z]/.test(value)) {
    return problem(`${v} has uppercase letters; project IDs are lowercase`, fix);
  }
  if (value.length < 6 || value.length > 30) {
    return problem(`${v} is ${value.length} characters; project IDs have 6-30`, fix);
  }
  if (!/^[a-z]/.test(value)) return problem(`${v} does not start with a letter`, fix);
  if (value.endsWith('-')) return problem(`${v} ends with a hyphen`, fix);
  // Resource Manager refuses restricted strings in project IDs.
  if (/google|ssl/.test(value)) return problem(`${v} contains a restricted string (google, ssl)`, fix);
  if (!/^[a-z][a-z0-9-]+$/.test(value)) {
    return problem(`${v} may only contain lowercase letters, digits and hyphens`, fix);
  }
  return undefined;
};

export const regionRule: StringRule = (value) =>
  REGION.test(value)
    ? undefined
    : problem(`${show(value)} is not a region name`,
      'Use a Compute Engine region such as us-central1 or europe-west4.');

export const zoneRule: StringRule = (value) =>
  ZONE.test(value)
    ? undefined
    : problem(`${show(value)} is not a zone name`,
      'A zone is a region plus a letter, e.g. us-central1-a.');

/** What the RFC 1035 style patterns below allow, in words. */
const LOWER_DASHED =
  'starts with a lowercase letter, has only lowercase letters, digits and hyphens, ' +
  'and does not end with a hyphen';

/** Builds a rule for one naming pattern, with its own length limits. */
export function patternRule(
  pattern: RegExp, min: number, max: number, what: string, shape: string,
): StringRule {
  const a = /^[aeiou]/i.test(what) ? 'an' : 'a';
  const detail = `${a === 'an' ? 'An' : 'A'} ${what} has ${min}-${max} characters and ${shape}.`;
  return (value) => {
    const v = show(value);
    if (value.length < min || value.length > max) {
      return problem(`${v} is ${value.length} characters; ${a} ${what} has ${min}-${max}`, detail);
    }
    if (/[A-Z]/.test(value) && !pattern.test(value)) {
      return problem(`${v} has uppercase letters, which ${a} ${what} cannot have`, detail);
    }
    return pattern.test(value) ? undefined : problem(`${v} is not a valid ${what}`, detail);
  };
}

export const computeNameRule =
  patternRule(COMPUTE_NAME, 1, 63, 'Compute Engine name', LOWER_DASHED);
export const accountIdRule = patternRule(ACCOUNT_ID, 6, 30, 'service account ID', LOWER_DASHED);
export const casIdRule = patternRule(
  CAS_ID, 1, 63, 'Certificate Authority Service ID',
  'uses only letters, digits, hyphens and underscores');
export const networkSecurityNameRule = patternRule(
  NETWORK_SECURITY_ID, 1, 63, 'Network Security resource name', LOWER_DASHED);
export const envNameRule = patternRule(
  ENV_NAME, 3, 24, 'environment name',
  `${LOWER_DASHED}; every derived resource name starts with it`);

/** True when ZONE names a zone of REGION (both already well formed). */
export function zoneInRegion(zone: string, region: string): boolean {
  return zone.slice(0, zone.lastIndexOf('-')) === region;
}

