import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { hostPatternRule, isGoogleApisHost } from '../../src/config/host-rules.js';
import { DEFAULT_PRESETS, PRESET_NAMES, PRESETS, presetHosts } from '../../src/policy/presets.js';

const DOCUMENTED = [
  'debian', 'ubuntu', 'rocky', 'nvidia-cuda', 'conda', 'pypi', 'github-releases', 'maven-central',
  'docker-hub', 'google-packages', 'dataproc-gpu',
];

const allHosts = Object.values(PRESETS)
  .flatMap((p) => p.hosts.map((h) => ({ preset: p.name, ...h })));

describe('policy presets', () => {
  it('are exactly the presets DESIGN.md §5 lists, each keyed by its own name', () => {
    assert.deepEqual([...PRESET_NAMES].sort(), [...DOCUMENTED].sort());
    for (const [name, preset] of Object.entries(PRESETS)) assert.equal(preset.name, name);
  });

  it('default to dataproc-gpu', () => {
    assert.deepEqual(DEFAULT_PRESETS, ['dataproc-gpu']);
  });

  it('never hold an allow-all or malformed pattern', () => {
    for (const h of allHosts) {
      assert.equal(hostPatternRule(h.host), undefined, `${h.preset}: ${h.host}`);
      assert.notEqual(h.host.replace(/^\*\./, ''), '', `${h.preset}: ${h.host}`);
      assert.equal(h.host, h.host.toLowerCase(), `${h.preset}: ${h.host} is lowercase`);
    }
  });

  it('never route a Google API host through the proxy', () => {
    const google = allHosts.filter((h) => isGoogleApisHost(h.host));
    assert.deepEqual(google, []);
  });

  it('give every host a one-line reason and an https source', () => {
    for (const h of allHosts) {
      assert.ok(h.reason.length > 5 && !h.reason.includes('\n'), `${h.preset}: ${h.host} reason`);
      assert.match(h.source, /^https:\/\/[a-z0-9.-]+\//, `${h.preset}: ${h.host} source`);
    }
  });

  it('list each host once per preset, and every preset has hosts', () => {
    for (const preset of Object.values(PRESETS)) {
      const hosts = preset.hosts.map((h) => h.host);
      assert.ok(hosts.length > 0, preset.name);
      assert.equal(new Set(hosts).size, hosts.length, preset.name);
    }
  });

  it('inspect TLS everywhere except on Google package hosts', () => {
    assert.equal(PRESETS['google-packages'].tlsInspection, false);
    const inspected = Object.values(PRESETS).filter((p) => p.name !== 'google-packages');
    assert.ok(inspected.every((p) => p.tlsInspection));
  });

  it('make dataproc-gpu the union of debian, nvidia-cuda, conda, pypi and github-releases', () => {
    const parts = ['debian', 'nvidia-cuda', 'conda', 'pypi', 'github-releases'];
    const union = new Set(parts.flatMap((n) => PRESETS[n].hosts.map((h) => h.host)));
    assert.deepEqual(new Set(PRESETS['dataproc-gpu'].hosts.map((h) => h.host)), union);
    const essentials = [
      'deb.debian.org', 'developer.download.nvidia.com', 'conda.anaconda.org',
      'files.pythonhosted.org', 'github.com', 'codeload.github.com', 'objects.githubusercontent.com',
      'raw.githubusercontent.com',
    ];
    for (const host of essentials) {
      assert.ok(union.has(host), host);
    }
  });
});

describe('presetHosts', () => {
  it('returns each host once, tagged with the first preset that names it', () => {
    const hosts = presetHosts(['dataproc-gpu', 'debian', 'google-packages']);
    const names = hosts.map((h) => h.host);
    assert.equal(new Set(names).size, names.length);
    assert.equal(hosts.find((h) => h.host === 'deb.debian.org')?.preset, 'dataproc-gpu');
    const google = hosts.find((h) => h.host === 'packages.cloud.google.com');
    assert.deepEqual([google?.preset, google?.tlsInspection], ['google-packages', false]);
  });

  it('returns nothing for no presets', () => {
    assert.deepEqual(presetHosts([]), []);
  });

  it('throws on an unknown preset, which validation should have caught', () => {
    assert.throws(() => presetHosts(['nope']), /unknown policy preset "nope"/);
    assert.throws(() => presetHosts(['toString']), /unknown policy preset/);
  });
});
