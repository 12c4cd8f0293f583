import { CelScalar, celEnv, celFunc, isCelError, mapType, parse, plan } from '@bufbuild/cel';
import ipaddr from 'ipaddr.js';
import { urlListMatches, type UrlLists } from './url-list.js';

// Evaluates gateway security policy rules the way Secure Web Proxy does
// (https://cloud.google.com/secure-web-proxy/docs/tls-rule-evaluation):
// enabled rules in priority order (lowest number first); a rule matches when
// its session matcher and, if it has one, its application matcher match; the
// first match decides; a request nothing matches is denied. The matchers are
// real CEL, run by @bufbuild/cel, with the proxy's attributes and functions
// bound to the request. An application matcher sees inside an HTTPS request
// only when the rule inspects TLS; otherwise the proxy sees just the CONNECT
// host, so such a rule cannot match an HTTPS URL.

export type { UrlLists } from './url-list.js';

export interface EvaluatedRule {
  name: string;
  priority: number;
  basicProfile: 'ALLOW' | 'DENY' | string;
  enabled: boolean;
  sessionMatcher: string;
  applicationMatcher?: string;
  tlsInspectionEnabled?: boolean;
}

/** Who sends the request: what `source.*` sees. Unset means "not this". */
export interface RequestSource {
  serviceAccount?: string;
  /** Secure tag values (`tagValues/123`). */
  tags?: string[];
  ip?: string;
}

export interface Verdict {
  url: string;
  verdict: 'allow' | 'deny';
  /** The deciding rule, or undefined when the default deny applied. */
  rule?: string;
  priority?: number;
  /** True when the deciding rule inspects TLS and the URL is HTTPS. */
  tlsInspection: boolean;
}

/** A matcher that does not evaluate to a boolean; names the rule and the field. */
export class PolicyEvaluationError extends Error {}

interface Request {
  url: URL;
  host: string;
  https: boolean;
}

export function evaluate(
  rules: EvaluatedRule[],
  url: string,
  lists: UrlLists = new Map(),
  source: RequestSource = {},
): Verdict {
  const u = new URL(url);
  const request: Request = {
    url: u,
    host: u.hostname.toLowerCase().replace(/^\[(.*)\]$/, '$1'),
    https: u.protocol === 'https:',
  };
  const ordered = rules
    .filter((r) => r.enabled)
    .sort((a, b) => a.priority - b.priority || a.name.localeCompare(b.name));

  for (const r of ordered) {
    if (!matches(r, 'sessionMatcher', request, lists, source)) continue;
    if (r.applicationMatcher) {
      // Without TLS inspection an HTTPS request is an opaque tunnel.
      if (request.https && !r.tlsInspectionEnabled) continue;
      if (!matches(r, 'applicationMatcher', request, lists, source)) continue;
    }
    return {
      url,
      verdict: r.basicProfile === 'ALLOW' ? 'allow' : 'deny',
      rule: r.name,
      priority: r.priority,
      tlsInspection: request.https && !!r.tlsInspectionEnabled,
    };
  }
  return { url, verdict: 'deny', tlsInspection: false };
}

const parsed = new Map<string, ReturnType<typeof parse>>();

function matches(
  rule: EvaluatedRule,
  field: 'sessionMatcher' | 'applicationMatcher',
  req: Request,
  lists: UrlLists,
  source: RequestSource,
): boolean {
  const expression = rule[field] ?? '';
  try {
    let ast = parsed.get(expression);
    if (!ast) parsed.set(expression, (ast = parse(expression)));
    const application = field === 'applicationMatcher';
    const result = plan(
      environment(req, lists, source, application),
      ast,
    )(bindings(req, source, application));
    if (isCelError(result)) throw new Error(String(result.message ?? result));
    if (typeof result !== 'boolean') throw new Error(`it gives ${typeof result}, not a boolean`);
    return result;
  } catch (err) {
    throw new PolicyEvaluationError(
      `rule ${rule.name}: ${field} ${JSON.stringify(expression)} ` +
        `cannot be evaluated: ${(err as Error).message}`,
    );
  }
}

const ANY_MAP = mapType(CelScalar.STRING, CelScalar.DYN);

/** The attributes of the CEL matcher reference; `request` only for application matchers. */
function environment(req: Request, lists: UrlLists, source: RequestSource, application: boolean) {
  const s = CelScalar.STRING;
  const funcs = [
    celFunc('host', [], s, () => req.host),
    celFunc(
      'source.matchServiceAccount',
      [s],
      CelScalar.BOOL,
      (sa) => sa === source.serviceAccount,
    ),
    celFunc('source.matchTag', [s], CelScalar.BOOL, (tag) => (source.tags ?? []).includes(tag)),
    celFunc('inIpRange', [s, s], CelScalar.BOOL, inIpRange),
    celFunc('inUrlList', [s, s], CelScalar.BOOL, (value, list) => {
      const entries = lists.get(list);
      if (!entries) throw new Error(`URL list ${list} is not known`);
      return entries.some((entry) => urlListMatches(entry, value));
    }),
  ];
  if (application) {
    funcs.push(
      celFunc(
        'request.url',
        [],
        s,
        () => `${req.url.protocol}//${req.url.host}${req.url.pathname}${req.url.search}`,
      ),
      celFunc('request.host', [], s, () => req.host),
      celFunc('request.useragent', [], s, () => ''),
    );
  }
  const variables: Record<string, typeof ANY_MAP> = { source: ANY_MAP, destination: ANY_MAP };
  if (application) variables.request = ANY_MAP;
  return celEnv({ funcs, variables });
}

function bindings(req: Request, source: RequestSource, application: boolean) {
  const port = BigInt(req.url.port || (req.https ? 443 : 80));
  const out: Record<string, Map<string, unknown>> = {
    source: new Map<string, unknown>([
      ['ip', source.ip ?? ''],
      ['port', 0n],
    ]),
    destination: new Map<string, unknown>([['port', port]]),
  };
  if (application) {
    out.request = new Map<string, unknown>([
      ['method', 'GET'],
      ['host', req.host],
      ['path', req.url.pathname],
      ['query', req.url.search.replace(/^\?/, '')],
      ['scheme', req.url.protocol.replace(/:$/, '')],
      ['headers', new Map<string, string>([['host', req.url.host]])],
    ]);
  }
  return out as any;
}

function inIpRange(ip: string, range: string): boolean {
  if (!ipaddr.isValid(ip)) return false;
  const [net, bits] = ipaddr.parseCIDR(range);
  const addr = ipaddr.parse(ip);
  return addr.kind() === net.kind() && addr.match(net, bits);
}
