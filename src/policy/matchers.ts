// CEL text for gateway security policy matchers, in the vocabulary of the
// CEL matcher reference (https://cloud.google.com/secure-web-proxy/docs/
// cel-matcher-language-reference): host(), inUrlList(), request.url(),
// source.matchServiceAccount(), source.matchTag(). Values reach here
// validated; quoting is still escaped so a value can never end a literal.

/** A CEL string literal. */
export function quote(value: string): string {
  return `'${value.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;
}

/** Exact names compare; `*.suffix` matches subdomains only, never the bare domain. */
export function hostMatcher(patterns: readonly string[]): string {
  const unique = [...new Set(patterns.map((p) => p.toLowerCase()))].sort();
  return unique
    .map((p) =>
      p.startsWith('*.') ? `host().endsWith(${quote(p.slice(1))})` : `host() == ${quote(p)}`,
    )
    .join(' || ');
}

export const inUrlList = (value: 'host()' | 'request.url()', list: string): string =>
  `inUrlList(${value}, ${quote(list)})`;

/** Requests from any of these accounts or secure tag values; undefined for "any source". */
export function sourceMatcher(
  serviceAccounts: readonly string[],
  tags: readonly string[],
): string | undefined {
  const terms = [
    ...serviceAccounts.map((sa) => `source.matchServiceAccount(${quote(sa)})`),
    ...tags.map((tag) => `source.matchTag(${quote(tag)})`),
  ];
  return terms.length ? terms.join(' || ') : undefined;
}

/** `a && b`, with either side in parentheses when it is a disjunction. */
export function and(...terms: Array<string | undefined>): string {
  const present = terms.filter((t): t is string => !!t);
  if (present.length === 1) return present[0];
  return present.map((t) => (t.includes('||') ? `(${t})` : t)).join(' && ');
}
