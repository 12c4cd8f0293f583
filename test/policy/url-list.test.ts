import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { referencedUrlLists, urlListMatches } from '../../src/policy/url-list.js';

// URL list matching against the examples of the URL list syntax reference
// (https://cloud.google.com/secure-web-proxy/docs/url-list-syntax-reference),
// given as request.url() values, plus the two points the page leaves open.

const DOC: Array<[string, string[], string[]]> = [
  [
    '*example.com',
    [
      'example.com/',
      'server.example.com/',
      'sample.server.example.com/',
      'example.com/path',
      'example.com/path?q=query',
      'example.com/path/subpath',
      'sample.server.example.com/path/',
    ],
    [
      'myexample.com/',
      'example.com.bad.com/',
      'us13.altostrat.com/go/example.com/path',
      'www.google.com/search?q=example.com',
    ],
  ],
  [
    '*.example.com',
    ['server.example.com/', 'sample.server.example.com/', 'sample.server.example.com/path/'],
    [
      'myexample.com/',
      'example.com.bad.com/',
      'us13.altostrat.com/go/example.com/path',
      'www.google.com/search?q=example.com',
      'example.com/',
      'example.com/path',
      'example.com/path/subpath',
    ],
  ],
  [
    'example.com',
    ['example.com/', 'example.com/path', 'example.com/path/subpath'],
    [
      'myexample.com/',
      'example.com.bad.com/',
      'us13.altostrat.com/go/example.com/path',
      'server.example.com/',
    ],
  ],
];

describe('URL list entries', () => {
  for (const [entry, matches, misses] of DOC) {
    it(`${entry} matches the documented examples, with and without a scheme`, () => {
      for (const value of matches) {
        assert.ok(urlListMatches(entry, value), `${entry} should match ${value}`);
        assert.ok(
          urlListMatches(entry, `https://${value}`),
          `${entry} should match https://${value}`,
        );
      }
      for (const value of misses) {
        assert.ok(!urlListMatches(entry, value), `${entry} should not match ${value}`);
        assert.ok(
          !urlListMatches(entry, `https://${value}`),
          `${entry} should not match https://${value}`,
        );
      }
    });
  }

  it('match host() values on the domain part only', () => {
    assert.ok(urlListMatches('pypi.org/simple/*', 'pypi.org'));
    assert.ok(urlListMatches('*.example.com/path', 'a.example.com'));
    assert.ok(!urlListMatches('*.example.com/path', 'example.com'));
    assert.ok(!urlListMatches('pypi.org/simple/*', 'files.pythonhosted.org'));
  });

  it('match a path exactly, or as a prefix when it ends in *; the query string does not count', () => {
    assert.ok(urlListMatches('example.com/path', 'https://example.com/path?x=1'));
    assert.ok(!urlListMatches('example.com/path', 'https://example.com/path/sub'));
    assert.ok(urlListMatches('example.com/path*', 'https://example.com/pathological'));
    assert.ok(urlListMatches('example.com/path/*', 'https://example.com/path/'));
    assert.ok(!urlListMatches('example.com/path/*', 'https://example.com/path'));
  });

  it('compare domains without case and without the port; paths keep their case', () => {
    assert.ok(urlListMatches('Example.COM', 'https://example.com:8443/x'));
    assert.ok(!urlListMatches('example.com/Path', 'https://example.com/path'));
  });
});

describe('referencedUrlLists', () => {
  it('finds every list a matcher names, once each', () => {
    const m =
      "inUrlList(host(), 'projects/p/locations/l/urlLists/a') && !inUrlList(request.url(), \"projects/p/locations/l/urlLists/b\") || inUrlList(host(), 'projects/p/locations/l/urlLists/a')";
    assert.deepEqual(referencedUrlLists(m), [
      'projects/p/locations/l/urlLists/a',
      'projects/p/locations/l/urlLists/b',
    ]);
    assert.deepEqual(referencedUrlLists("host() == 'x.com'"), []);
    assert.deepEqual(referencedUrlLists(undefined), []);
  });
});
