import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { parse } from 'jsonc-parser';
import { EXAMPLE_ENV } from '../helpers/example.js';
import { COMPILED_CLI, runCli } from '../helpers/cli.js';
import { CASE_ENV, casesBySource, sourceFlags } from '../policy/policy-cases.js';

// `dpgce policy test` and `dpgce policy explain` as a user runs them,
// offline: the policy env.json generates, no Google API client loaded.

const NVIDIA = 'https://developer.download.nvidia.com/compute/cuda/repos/debian12/x86_64/Release';
const STORAGE =
  'https://storage.googleapis.com/dpgce-demo-staging/custom-image-deps/gce-proxy-setup.sh';

function envFile(changes: Record<string, unknown> = {}): { dir: string; env: string } {
  const dir = mkdtempSync(join(tmpdir(), 'dpgce-policy-'));
  const env = join(dir, 'env.json');
  writeFileSync(
    env,
    JSON.stringify({ ...(parse(readFileSync(EXAMPLE_ENV, 'utf8')) as object), ...changes }),
  );
  return { dir, env };
}

async function test(changes: Record<string, unknown>, ...args: string[]) {
  const { dir, env } = envFile(changes);
  const r = await runCli(['policy', 'test', '--env', env, '--json', ...args], { cwd: dir });
  assert.equal(r.code, 0, r.stderr);
  return JSON.parse(r.stdout).results as Array<{
    url: string;
    verdict: string;
    rule: string | null;
    tlsInspection: boolean;
  }>;
}

const DENY_NVIDIA = {
  name: 'no-cuda-repo',
  action: 'deny',
  hosts: ['developer.download.nvidia.com'],
};

describe('dpgce policy test', () => {
  for (const [label, changes, rule] of [
    [
      'the seed example with presets debian, nvidia-cuda, conda, pypi',
      { SWP_POLICY_PRESETS: ['debian', 'nvidia-cuda', 'conda', 'pypi'] },
      'nvidia-cuda',
    ],
    ['examples/env.json with its default presets', {}, 'dataproc-gpu'],
  ] as const) {
    it(`${label}: NVIDIA ALLOW, example.org DENY, Cloud Storage BYPASS; a deny rule wins`, async () => {
      const results = await test(changes, NVIDIA, 'https://example.org/', STORAGE);
      assert.deepEqual(results, [
        {
          url: NVIDIA,
          verdict: 'allow',
          rule: `gateway-security-policy-rule.${rule}`,
          tlsInspection: true,
        },
        { url: 'https://example.org/', verdict: 'deny', rule: null, tlsInspection: false },
        { url: STORAGE, verdict: 'bypass', rule: null, tlsInspection: false },
      ]);
      const denied = await test({ ...changes, SWP_POLICY_RULES: [DENY_NVIDIA] }, NVIDIA);
      assert.deepEqual(
        denied.map((x) => [x.verdict, x.rule]),
        [['deny', 'gateway-security-policy-rule.no-cuda-repo']],
      );
    });
  }

  it('examples/env.json with its default presets allows what the GPU driver install fetches from GitHub', async () => {
    // install_gpu_driver.sh: build_driver_from_github, its archive redirect, and the GPU agent.
    const urls = [
      'https://github.com/NVIDIA/open-gpu-kernel-modules/archive/refs/tags/550.54.15.tar.gz',
      'https://codeload.github.com/NVIDIA/open-gpu-kernel-modules/tar.gz/refs/tags/550.54.15',
      'https://raw.githubusercontent.com/GoogleCloudPlatform/ml-on-gcp/master/dlvm/gcp-gpu-utilization-metrics/report_gpu_metrics.py',
    ];
    const results = await test({}, ...urls);
    assert.deepEqual(results.map((x) => [x.url, x.verdict, x.rule]),
      urls.map((u) => [u, 'allow', 'gateway-security-policy-rule.dataproc-gpu']));
  });

  it('prints a verdict, the deciding rule and the TLS inspection for people', async () => {
    const { dir, env } = envFile();
    const r = await runCli(['policy', 'test', '--env', env, NVIDIA, 'example.org', STORAGE], {
      cwd: dir,
    });
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /^policy: env\.json$/m);
    assert.match(
      r.stdout,
      new RegExp(
        `^ALLOW   ${NVIDIA.replace(/[.]/g, '\\.')}\\n {8}gateway-security-policy-rule\\.dataproc-gpu \\(priority 1000\\); TLS inspected$`,
        'm',
      ),
    );
    assert.match(r.stdout, /^DENY    example\.org\n {8}no rule matches/m);
    assert.match(
      r.stdout,
      /^BYPASS  https:\/\/storage\.googleapis\.com\/\S+\n {8}not proxied \(\.googleapis\.com .*Private Google Access/m,
    );
  });

  it('runs the whole URL x rule table from files, one run per source', async () => {
    const { dir, env } = envFile(CASE_ENV);
    for (const { source, cases } of casesBySource()) {
      const file = join(dir, 'urls.txt');
      writeFileSync(file, `# the table\n\n${cases.map((k) => k.url).join('\n')}\n`);
      const r = await runCli(
        ['policy', 'test', '--env', env, '--json', '--from-file', file, ...sourceFlags(source)],
        { cwd: dir },
      );
      assert.equal(r.code, 0, r.stderr);
      const got = JSON.parse(r.stdout).results;
      assert.deepEqual(
        got.map((x: any) => [x.url, x.verdict, x.rule, x.tlsInspection]),
        cases.map((k) => [
          k.url,
          k.verdict,
          k.rule ? `gateway-security-policy-rule.${k.rule}` : null,
          k.tls ?? false,
        ]),
      );
    }
  });

  it('refuses bad URLs and target flags without --live, testing nothing', async () => {
    const { dir, env } = envFile();
    const bad = await runCli(
      ['policy', 'test', '--env', env, '--json', 'ftp://example.org/', 'https://'],
      { cwd: dir },
    );
    assert.equal(bad.code, 1);
    // With --json a failure may still print one document (the error), never results.
    if (bad.stdout) assert.equal(JSON.parse(bad.stdout).results, undefined);
    assert.match(
      bad.stderr,
      /nothing was tested: "ftp:\/\/example\.org\/": only http:\/\/ and https:\/\/ .*; "https:\/\/"/,
    );
    const none = await runCli(['policy', 'test', '--env', env], { cwd: dir });
    assert.match(none.stderr, /give at least one URL/);
    const local = await runCli(['policy', 'test', '--env', env, '--local', NVIDIA], { cwd: dir });
    assert.equal(local.code, 1);
    assert.match(local.stderr, /add --live/);
    assert.ok(!existsSync(join(dir, '.dpgce', 'local')), 'no emulator state was created');
  });

  it('stops on an invalid env.json, naming the key path', async () => {
    const { dir, env } = envFile({
      SWP_POLICY_RULES: [{ name: 'uploads', action: 'deny', hosts: ['*'] }],
    });
    const r = await runCli(['policy', 'test', '--env', env, NVIDIA], { cwd: dir });
    assert.equal(r.code, 1);
    assert.match(r.stderr, /SWP_POLICY_RULES\[0\]\.hosts\[0\] "\*" would allow every host/);
    assert.equal(r.stdout, '');
  });

  it('loads no Google API client without --live', async () => {
    const { dir, env } = envFile();
    const hooks = join(dir, 'hooks.mjs');
    writeFileSync(
      hooks,
      "import { appendFileSync } from 'node:fs';\n" +
        'export async function resolve(s, c, next) { const r = await next(s, c);\n' +
        "  if (/node_modules\\/(googleapis|google-auth-library|gaxios)/.test(r.url)) appendFileSync(process.env.IMPORT_LOG, r.url + '\\n');\n" +
        '  return r; }\n',
    );
    writeFileSync(
      join(dir, 'register.mjs'),
      "import { register } from 'node:module';\nregister('./hooks.mjs', import.meta.url);\n",
    );
    const log = join(dir, 'imports.log');
    // On tsc's output, where each module is its own file and a resolve hook sees it load.
    const r = await runCli(['policy', 'test', '--env', env, NVIDIA], {
      cwd: dir, entry: COMPILED_CLI,
      env: { IMPORT_LOG: log, NODE_OPTIONS: `--import=${join(dir, 'register.mjs')}` },
    });
    assert.equal(r.code, 0, r.stderr);
    assert.equal(existsSync(log) ? readFileSync(log, 'utf8') : '', '');
    const control = await runCli(
      ['status', '--env', env, '--local', '--local-state', join(dir, 'st'), '--json'],
      { cwd: dir, entry: COMPILED_CLI, env: { IMPORT_LOG: log, NODE_OPTIONS: `--import=${join(dir, 'register.mjs')}` } },
    );
    assert.ok(control.stdout.length > 0, control.stderr);
    assert.match(
      readFileSync(log, 'utf8'),
      /googleapis/,
      'the hook does see a command that loads a client',
    );
  });
});

describe('dpgce policy explain', () => {
  it('lists the rules in evaluation order, then the default deny and the bypass list', async () => {
    const { dir, env } = envFile(CASE_ENV);
    const r = await runCli(['policy', 'explain', '--env', env], { cwd: dir });
    assert.equal(r.code, 0, r.stderr);
    const rows = r.stdout
      .split('\n')
      .filter((l) => /^\d+ /.test(l))
      .map((l) => l.split(/\s+/).slice(0, 3));
    assert.deepEqual(rows.slice(0, 3), [
      ['50', 'gateway-security-policy-rule.allow-mirror', 'ALLOW'],
      ['100', 'gateway-security-policy-rule.deny-pypi-manage', 'DENY'],
      ['110', 'gateway-security-policy-rule.deny-keyserver', 'DENY'],
    ]);
    assert.deepEqual(rows.at(-1), ['5000', 'gateway-security-policy-rule.late-deny', 'DENY']);
    assert.match(
      r.stdout,
      /application: inUrlList\(request\.url\(\), 'projects\/dpgce-demo-project\/locations\/us-central1\/urlLists\/dpgce-deny-pypi-manage'\)/,
    );
    assert.match(
      r.stdout,
      /URL list dpgce-deny-pypi-manage: pypi\.org\/manage\/\*, upload\.pypi\.org\/legacy\/\*/,
    );
    assert.match(r.stdout, /^last +\(no rule matches\) +DENY/m);
    assert.match(
      r.stdout,
      /^Never proxied \(the nodes' bypass list\): localhost, .*\.googleapis\.com$/m,
    );
  });

  it('prints one JSON document with --json', async () => {
    const { dir, env } = envFile();
    const r = await runCli(['policy', 'explain', '--env', env, '--json'], { cwd: dir });
    const doc = JSON.parse(r.stdout);
    assert.equal(doc.policy, 'env.json');
    assert.deepEqual(
      doc.rules.map((x: any) => [x.rule, x.priority, x.action, x.tlsInspection]),
      [['gateway-security-policy-rule.dataproc-gpu', 1000, 'ALLOW', true]],
    );
    assert.ok(doc.rules[0].urlLists[0].values.includes('deb.debian.org'));
    assert.ok(doc.bypass.includes('.googleapis.com'));
  });
});
