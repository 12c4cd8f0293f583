// The values inside one SWP_POLICY_RULES entry: host patterns (the rule of
// SWP_ALLOWED_HOSTS), URL patterns in URL list syntax, service accounts and
// secure tag value IDs, each checked on its own and reported at its path.

import { hostPatternRule } from './host-rules.js';
import { firstNonAscii, jsonType, show, type Problem } from './problem.js';

/** One problem at a path inside the value, e.g. `[2, 'hosts', 0]`. */
export interface PathProblem extends Problem {
  path: Array<string | number>;
}

const MAX_PATTERNS = 500;
const SERVICE_ACCOUNT = /^[a-z0-9][a-z0-9._-]*@[a-z0-9-]+(\.[a-z0-9-]+)*\.gserviceaccount\.com$/;
const TAG_VALUE = /^tagValues\/[0-9]+$/;

export const RULE_EXAMPLE =
  '{"name": "block-uploads", "action": "deny", "hosts": ["uploads.example.com"]}';
const URL_DETAIL =
  'Write a URL list entry: a host (or *.domain) and a path, without scheme or ' +
  'query, e.g. "pypi.org/simple/*" ("*" only at the end of the path, for a prefix).';

export type Found = PathProblem[];

export const at = (path: Array<string | number>, summary: string, detail: string): PathProblem => ({
  path,
  summary,
  detail,
});

function textProblem(value: string): string | undefined {
  if (value === '') return 'is empty';
  if (value.trim() !== value) return `${show(value)} has leading or trailing whitespace`;
  const odd = firstNonAscii(value);
  return odd ? `${show(value)} contains ${odd}, which is not printable ASCII` : undefined;
}

/** One URL pattern: `host/path`, the host part as in `hosts`. */
export function urlPatternProblem(value: string): Problem | undefined {
  const v = show(value);
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(value)) {
    return {
      summary: `${v} has a scheme; URL list entries are written without one`,
      detail: URL_DETAIL,
    };
  }
  const slash = value.indexOf('/');
  if (slash === -1) {
    return { summary: `${v} has no path`, detail: 'A host without a path belongs in "hosts".' };
  }
  const host = hostPatternRule(value.slice(0, slash));
  if (host) return { summary: `${v} has a bad host part: ${host.summary}`, detail: host.detail };
  const path = value.slice(slash);
  if (/[?#]/.test(path)) return { summary: `${v} has a query or fragment`, detail: URL_DETAIL };
  if (/\s/.test(path) || path.slice(0, -1).includes('*')) {
    return { summary: `${v} has "*" or a space inside its path`, detail: URL_DETAIL };
  }
  return undefined;
}

export function stringList(
  raw: unknown,
  path: Array<string | number>,
  rule: (v: string) => Problem | undefined,
  what: string,
): Found {
  if (!Array.isArray(raw)) {
    return [at(path, `must be an array of ${what}, not ${jsonType(raw)}`, `e.g. ${RULE_EXAMPLE}`)];
  }
  if (raw.length > MAX_PATTERNS) {
    return [
      at(
        path,
        `has ${raw.length} entries; at most ${MAX_PATTERNS} are allowed`,
        'Use wildcard patterns (*.example.com) instead of listing every host.',
      ),
    ];
  }
  return raw.flatMap((item, i): Found => {
    if (typeof item !== 'string') {
      return [
        at(
          [...path, i],
          `must be a string, not ${jsonType(item)}`,
          `Each entry is one of the ${what}, in quotes.`,
        ),
      ];
    }
    const text = textProblem(item);
    if (text) return [at([...path, i], text, 'Retype the value in plain ASCII, without spaces.')];
    const found = rule(item);
    return found ? [at([...path, i], found.summary, found.detail)] : [];
  });
}

export const serviceAccountRule = (v: string): Problem | undefined =>
  SERVICE_ACCOUNT.test(v)
    ? undefined
    : {
        summary: `${show(v)} is not a service account email`,
        detail: 'Give the account as name@project.iam.gserviceaccount.com.',
      };

export const tagRule = (v: string): Problem | undefined =>
  TAG_VALUE.test(v)
    ? undefined
    : {
        summary: `${show(v)} is not a secure tag value ID`,
        detail:
          'The proxy matches Resource Manager secure tags by permanent ID, e.g. ' +
          '"tagValues/123456" (gcloud resource-manager tags values describe); Compute Engine ' +
          'network tags cannot be matched.',
      };
