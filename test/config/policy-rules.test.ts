import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { describeDiagnostics, errors, loadWith, warnings } from './env-fixture.js';

// SWP_POLICY_RULES validation: every problem is one diagnostic on the key,
// its summary starting with the path to the value.

const ok = { name: 'block-uploads', action: 'deny', hosts: ['uploads.example.com'] };

const rejected: Array<[unknown, RegExp]> = [
  ['not-a-list', /^SWP_POLICY_RULES must be an array of rules, not a string$/],
  [['str'], /^SWP_POLICY_RULES\[0\] must be an object, not a string$/],
  [[{ action: 'deny', hosts: ['a.example.com'] }], /^SWP_POLICY_RULES\[0\]\.name is missing$/],
  [[{ ...ok, name: 'x' }], /^SWP_POLICY_RULES\[0\]\.name "x" is not a rule name$/],
  [[{ ...ok, name: 'Block' }], /\.name "Block" is not a rule name/],
  [[{ ...ok, name: 'a'.repeat(39) }], /\.name "a+" is not a rule name/],
  [
    [{ ...ok, name: 'nvidia-cuda' }],
    /^SWP_POLICY_RULES\[0\]\.name "nvidia-cuda" is the name of a dpgce rule$/,
  ],
  [[{ ...ok, name: 'allowed-hosts' }], /is the name of a dpgce rule/],
  [
    [ok, ok],
    /^SWP_POLICY_RULES\[1\]\.name "block-uploads" is also the name of SWP_POLICY_RULES\[0\]$/,
  ],
  [
    [{ ...ok, action: 'ALLOW' }],
    /^SWP_POLICY_RULES\[0\]\.action "ALLOW" is not "allow" or "deny"$/,
  ],
  [[{ name: 'no-action', hosts: ['a.example.com'] }], /^SWP_POLICY_RULES\[0\]\.action is missing$/],
  [
    [{ ...ok, hosts: 'a.example.com' }],
    /^SWP_POLICY_RULES\[0\]\.hosts must be an array of host patterns, not a string$/,
  ],
  [
    [{ ...ok, hosts: ['ok.example.com', '*'] }],
    /^SWP_POLICY_RULES\[0\]\.hosts\[1\] "\*" would allow every host/,
  ],
  [
    [{ ...ok, hosts: ['a.*.example.com'] }],
    /\.hosts\[0\] "a\.\*\.example\.com" has "\*" somewhere other/,
  ],
  [
    [{ ...ok, hosts: [' a.example.com'] }],
    /\.hosts\[0\] " a\.example\.com" has leading or trailing whitespace/,
  ],
  [
    [{ ...ok, hosts: [3] }],
    /^SWP_POLICY_RULES\[0\]\.hosts\[0\] must be a string, not a number \(3\)$/,
  ],
  [
    [{ ...ok, hosts: [], urls: [] }],
    /^SWP_POLICY_RULES\[0\] matches nothing: it has no hosts and no urls$/,
  ],
  [
    [{ ...ok, hosts: undefined, urls: ['https://pypi.org/simple/'] }],
    /\.urls\[0\] "https:\/\/pypi\.org\/simple\/" has a scheme/,
  ],
  [[{ ...ok, hosts: undefined, urls: ['pypi.org'] }], /\.urls\[0\] "pypi\.org" has no path/],
  [
    [{ ...ok, hosts: undefined, urls: ['pypi.org/a?b=c'] }],
    /\.urls\[0\] "pypi\.org\/a\?b=c" has a query or fragment/,
  ],
  [
    [{ ...ok, hosts: undefined, urls: ['pypi.org/*/simple'] }],
    /\.urls\[0\] "pypi\.org\/\*\/simple" has "\*" or a space/,
  ],
  [
    [{ ...ok, hosts: undefined, urls: ['pypi/simple'] }],
    /\.urls\[0\] "pypi\/simple" has a bad host part/,
  ],
  [
    [{ ...ok, urls: ['pypi.org/simple/*'], tlsInspection: false }],
    /^SWP_POLICY_RULES\[0\]\.tlsInspection is false, but the rule matches URL paths$/,
  ],
  [[{ ...ok, tlsInspection: 'yes' }], /\.tlsInspection must be true or false, not a string/],
  [
    [{ ...ok, sourceServiceAccounts: ['etl'] }],
    /\.sourceServiceAccounts\[0\] "etl" is not a service account email/,
  ],
  [
    [{ ...ok, sourceTags: ['dataproc'] }],
    /^SWP_POLICY_RULES\[0\]\.sourceTags\[0\] "dataproc" is not a secure tag value ID$/,
  ],
  [
    [
      {
        ...ok,
        sourceTags: [
          'tagValues/1',
          'tagValues/2',
          'tagValues/3',
          'tagValues/4',
          'tagValues/5',
          'tagValues/6',
        ],
      },
    ],
    /^SWP_POLICY_RULES\[0\] restricts to 6 sources; at most 5 are allowed$/,
  ],
  [[{ ...ok, priority: -1 }], /\.priority -1 is not a whole number from 0 to 2147483647/],
  [[{ ...ok, priority: 10.5 }], /\.priority 10\.5 is not a whole number/],
  [
    [{ ...ok, prority: 5 }],
    /^SWP_POLICY_RULES\[0\]\.prority is not a rule field; did you mean priority\?$/,
  ],
  [[{ ...ok, description: 'two\nlines' }], /\.description must be one line/],
  [
    [{ ...ok, priority: 1000 }],
    /^SWP_POLICY_RULES\[0\]\.priority 1000 is also the priority of the dataproc-gpu rule$/,
  ],
  [
    [ok, { ...ok, name: 'second', priority: 100 }],
    /^SWP_POLICY_RULES\[1\]\.priority 100 is also the priority of SWP_POLICY_RULES\[0\] \(block-uploads\)$/,
  ],
  [
    Array.from({ length: 91 }, (_, i) => ({ ...ok, name: `rule-${i}` })),
    /has 91 rules; at most 90 are allowed/,
  ],
];

describe('SWP_POLICY_RULES', () => {
  for (const [value, summary] of rejected) {
    it(`refuses ${JSON.stringify(value).slice(0, 90)}`, () => {
      const result = loadWith({ SWP_POLICY_RULES: value });
      assert.equal(result.config, undefined);
      const found = errors(result).filter((d) => d.key === 'SWP_POLICY_RULES');
      assert.ok(
        found.some((d) => summary.test(d.summary)),
        describeDiagnostics(result),
      );
      assert.ok(
        found.every((d) => d.detail.length > 0),
        describeDiagnostics(result),
      );
    });
  }

  it('reports every problem of every rule at once', () => {
    const result = loadWith({
      SWP_POLICY_RULES: [{ name: 'x', action: 'maybe', hosts: ['*'] }, 'str'],
    });
    assert.equal(errors(result).length, 4, describeDiagnostics(result));
  });

  it('accepts and normalises a full rule; hosts and URL hosts lower case, tlsInspection on by default', () => {
    const rule = {
      name: 'pypi-simple',
      action: 'allow',
      hosts: ['Files.PythonHosted.org', 'files.pythonhosted.org'],
      urls: ['PyPI.org/simple/*'],
      sourceServiceAccounts: ['etl@p-1.iam.gserviceaccount.com'],
      sourceTags: ['tagValues/123'],
      priority: 7,
      description: 'pip only',
    };
    const result = loadWith({ SWP_POLICY_RULES: [rule] });
    assert.deepEqual(result.diagnostics, []);
    assert.deepEqual(result.config?.policyRules, [
      {
        name: 'pypi-simple',
        action: 'allow',
        hosts: ['files.pythonhosted.org'],
        urls: ['pypi.org/simple/*'],
        tlsInspection: true,
        sourceServiceAccounts: ['etl@p-1.iam.gserviceaccount.com'],
        sourceTags: ['tagValues/123'],
        priority: 7,
        description: 'pip only',
      },
    ]);
  });

  it('is empty when absent', () => {
    assert.deepEqual(loadWith({}).config?.policyRules, []);
  });

  it('warns about Google API hosts, which never reach the proxy', () => {
    const result = loadWith({
      SWP_POLICY_RULES: [
        { ...ok, hosts: ['storage.googleapis.com'], urls: ['*.googleapis.com/x'] },
      ],
    });
    assert.ok(result.config, describeDiagnostics(result));
    assert.deepEqual(
      warnings(result).map((d) => d.summary.split(' ')[0]),
      ['SWP_POLICY_RULES[0].hosts[0]', 'SWP_POLICY_RULES[0].urls[0]'],
    );
  });

  it('counts allow rules before warning that the policy denies everything', () => {
    const none = loadWith({ SWP_POLICY_PRESETS: [], SWP_POLICY_RULES: [ok] });
    assert.ok(warnings(none).some((d) => /deny every request/.test(d.summary)));
    const some = loadWith({
      SWP_POLICY_PRESETS: [],
      SWP_POLICY_RULES: [{ ...ok, action: 'allow' }],
    });
    assert.ok(
      !warnings(some).some((d) => /deny every request/.test(d.summary)),
      describeDiagnostics(some),
    );
  });
});
