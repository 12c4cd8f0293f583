// Hostnames and ports: SWP_HOSTNAME (the name nodes use for the proxy, and
// the domain of its certificate), SWP_ALLOWED_HOSTS patterns (what the
// gateway security policy lets through) and SWP_PORT.

import { problem, show, type Problem, type StringRule } from './problem.js';

const LABEL = /^[a-z0-9]([a-z0-9-]*[a-z0-9])?$/i;

const HOSTNAME_DETAIL =
  'Use a DNS name with at least one dot (e.g. swp.example.internal): labels of letters, ' +
  'digits and hyphens, each at most 63 characters and not starting or ending with a hyphen, ' +
  '253 in all.';

/** Why a dotted name is not an RFC 1123 hostname; undefined if it is one. */
function hostnameFlaw(name: string): string | undefined {
  if (name.endsWith('.')) return 'ends with a dot';
  if (name.length > 253) return 'is longer than 253 characters';
  const labels = name.split('.');
  if (labels.length < 2) return 'has no dot; a fully qualified name is needed';
  if (labels.some((label) => label === '')) return 'has an empty label (two dots in a row)';
  if (labels.some((label) => label.length > 63)) return 'has a label longer than 63 characters';
  const bad = labels.find((label) => !LABEL.test(label));
  if (bad !== undefined) {
    return `has the label ${JSON.stringify(bad)}, which is not letters, digits and inner hyphens`;
  }
  const top = labels[labels.length - 1];
  if (/^[0-9]+$/.test(top)) return 'ends in a numeric label, like an IP address';
  return undefined;
}

export const hostnameRule: StringRule = (value) => {
  const flaw = hostnameFlaw(value);
  if (flaw) return problem(`${show(value)} ${flaw}`, HOSTNAME_DETAIL);
  // Nodes send *.googleapis.com around the proxy (Private Google Access), so
  // a proxy named there would never be reached through its own name.
  if (/(^|\.)googleapis\.com$/i.test(value)) {
    return problem(`${show(value)} is under googleapis.com, which nodes reach without the proxy`,
      'Name the proxy in a domain of your own, e.g. swp.corp.example.');
  }
  return undefined;
};

const PATTERN_DETAIL =
  'Write an exact host (downloads.example.com) or a wildcard over a domain (*.example.com); ' +
  'the gateway security policy denies everything else.';

/** One SWP_ALLOWED_HOSTS entry: `host.example.com` or `*.example.com`. */
export const hostPatternRule: StringRule = (value) => {
  const v = show(value);
  if (/^[*.]*$/.test(value)) {
    return problem(`${v} would allow every host, which dpgce never does`, PATTERN_DETAIL);
  }
  const wildcard = value.startsWith('*.');
  const host = wildcard ? value.slice(2) : value;
  if (host.includes('*')) {
    return problem(`${v} has "*" somewhere other than a leading "*."`, PATTERN_DETAIL);
  }
  if (wildcard && !host.includes('.')) {
    return problem(`${v} covers a whole top-level domain`, PATTERN_DETAIL);
  }
  const flaw = hostnameFlaw(host);
  return flaw ? problem(`${v} ${flaw}`, PATTERN_DETAIL) : undefined;
};

/** True for hosts nodes reach over Private Google Access, not the proxy. */
export function isGoogleApisHost(pattern: string): boolean {
  const host = pattern.toLowerCase().replace(/^\*\./, '');
  return host === 'googleapis.com' || host.endsWith('.googleapis.com');
}

const PORT_DETAIL =
  'Give the proxy port as a number or a decimal string from 1 to 65535, e.g. "3128".';

/** SWP_PORT: a whole number 1-65535, as a JSON number or a decimal string. */
export function portProblem(value: number | string): Problem | undefined {
  const v = show(value);
  if (typeof value === 'string' && !/^(0|[1-9][0-9]*)$/.test(value)) {
    return problem(`${v} is not a decimal number`, PORT_DETAIL);
  }
  const port = Number(value);
  if (!Number.isInteger(port)) return problem(`${v} is not a whole number`, PORT_DETAIL);
  if (port < 1 || port > 65535) return problem(`${v} is not a port (1-65535)`, PORT_DETAIL);
  return undefined;
}
