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

export function evaluate(rules: EvaluatedRule[], url: string): Verdict {
  const u = new URL(url);
  const request = { host: u.hostname.toLowerCase(), url: u.href, path: u.pathname };
  const ordered = rules.filter((r) => r.enabled).sort((a, b) => a.priority - b.priority);
  for (const r of ordered) {
    if (!matches(r.sessionMatcher, request)) continue;
    if (r.applicationMatcher && !matches(r.applicationMatcher, request)) continue;
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

function matches(expression: string, req: Request): boolean {
  const env = celEnv({
    funcs: [
      celFunc('host', [], CelScalar.STRING, () => req.host),
      celFunc('request.url', [], CelScalar.STRING, () => req.url),
      celFunc('request.path', [], CelScalar.STRING, () => req.path),
    ],
  });
  const result = plan(env, parse(expression))();
  if (isCelError(result)) throw new Error(`CEL expression failed: ${expression}: ${String(result.message ?? result)}`);
  return result === true;
}
