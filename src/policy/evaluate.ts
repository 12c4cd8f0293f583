import { CelScalar, celEnv, celFunc, isCelError, parse, plan } from '@bufbuild/cel';

// Evaluates gateway security policy rules the way Secure Web Proxy does:
// enabled rules in priority order (lowest number first), the session
// matcher on the host, the application matcher (only where TLS inspection
// lets the proxy see the request) on the URL; the first match decides, and
// a request nothing matches is denied. The matchers are real CEL, run by
// @bufbuild/cel, with the proxy's functions bound to the request.

export interface EvaluatedRule {
  name: string;
  priority: number;
  basicProfile: 'ALLOW' | 'DENY' | string;
  enabled: boolean;
  sessionMatcher: string;
  applicationMatcher?: string;
  tlsInspectionEnabled?: boolean;
}

export interface Verdict {
  url: string;
  verdict: 'allow' | 'deny';
  /** The deciding rule, or undefined when the default deny applied. */
  rule?: string;
  tlsInspection: boolean;
}

/** URL list name -> its values (`example.com`, `*.example.com`, `example.com/path`). */
export type UrlLists = ReadonlyMap<string, readonly string[]>;

export function evaluate(rules: EvaluatedRule[], url: string, lists: UrlLists = new Map()): Verdict {
  const u = new URL(url);
  const request = { host: u.hostname.toLowerCase(), url: u.href, path: u.pathname };
  const ordered = rules.filter((r) => r.enabled).sort((a, b) => a.priority - b.priority);
  for (const r of ordered) {
    if (!matches(r.sessionMatcher, request, lists)) continue;
    if (r.applicationMatcher && !matches(r.applicationMatcher, request, lists)) continue;
    return { url, verdict: r.basicProfile === 'ALLOW' ? 'allow' : 'deny', rule: r.name,
      tlsInspection: !!r.tlsInspectionEnabled };
  }
  return { url, verdict: 'deny', tlsInspection: false };
}

interface Request {
  host: string;
  url: string;
  path: string;
}

function matches(expression: string, req: Request, lists: UrlLists): boolean {
  const env = celEnv({
    funcs: [
      celFunc('inUrlList', [CelScalar.STRING, CelScalar.STRING], CelScalar.BOOL, (value, list) => {
        const values = lists.get(list);
        if (!values) throw new Error(`URL list ${list} is not known`);
        return values.some((pattern) => urlListMatches(pattern, value));
      }),
      celFunc('host', [], CelScalar.STRING, () => req.host),
      celFunc('request.url', [], CelScalar.STRING, () => req.url),
      celFunc('request.path', [], CelScalar.STRING, () => req.path),
    ],
  });
  const result = plan(env, parse(expression))();
  if (isCelError(result)) throw new Error(`CEL expression failed: ${expression}: ${String(result.message ?? result)}`);
  return result === true;
}

/**
 * URL list syntax: a leading `*.` matches subdomains only (not the bare
 * domain); `example.com` is `example.com/*`; a path part must prefix the
 * request's path. The value is a host, or host + path.
 */
export function urlListMatches(pattern: string, value: string): boolean {
  const [patternHost, ...patternPath] = pattern.toLowerCase().split('/');
  const [host, ...path] = value.toLowerCase().split('/');
  const hostOk = patternHost.startsWith('*.') ? host.endsWith(patternHost.slice(1)) : host === patternHost;
  if (!hostOk) return false;
  const prefix = patternPath.join('/').replace(/\*$/, '');
  return prefix === '' || path.join('/').startsWith(prefix);
}
