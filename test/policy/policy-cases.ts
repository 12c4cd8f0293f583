// The URL x rule table: one env.json policy that uses every rule feature
// (deny over allow by position and by explicit priority, URL patterns with
// exact and prefix paths, sources, wildcards, a URL list for a long host
// set, presets with and without TLS inspection) and what the proxy must do
// with each URL. Run on the generator (test/policy/policy-cases.test.ts) and
// on the policy read back from the emulator after `up`
// (test/e2e/policy-live.test.ts).

import type { RequestSource } from '../../src/policy/evaluate.js';

export const SA = 'etl@dpgce-demo-project.iam.gserviceaccount.com';
export const TAG = 'tagValues/281474976710656';

export const CASE_ENV = {
  SWP_POLICY_PRESETS: ['debian', 'nvidia-cuda', 'conda', 'pypi', 'google-packages'],
  SWP_ALLOWED_HOSTS: ['downloads.example.com', '*.corp.example'],
  SWP_POLICY_RULES: [
    {
      name: 'deny-pypi-manage',
      action: 'deny',
      urls: ['pypi.org/manage/*', 'upload.pypi.org/legacy/*'],
    },
    { name: 'deny-keyserver', action: 'deny', hosts: ['keyserver.ubuntu.com'] },
    {
      name: 'internal-artifacts',
      action: 'allow',
      hosts: ['artifacts.corp.example'],
      sourceServiceAccounts: [SA],
      tlsInspection: false,
    },
    { name: 'deny-corp', action: 'deny', hosts: ['*.corp.example'] },
    { name: 'allow-mirror', action: 'allow', hosts: ['mirror.corp.example'], priority: 50 },
    {
      name: 'tagged-github',
      action: 'allow',
      hosts: ['github.com', 'codeload.github.com'],
      sourceTags: [TAG],
    },
    {
      name: 'cuda-downloads',
      action: 'allow',
      urls: ['developer.nvidia.com/cuda-downloads*', 'example.net/exact'],
    },
    { name: 'wild-subdomains', action: 'allow', hosts: ['*.wildcard.example'] },
    {
      name: 'many-hosts',
      action: 'allow',
      hosts: [
        'a.many.example',
        'b.many.example',
        'c.many.example',
        'd.many.example',
        'e.many.example',
        '*.deep.many.example',
      ],
    },
    { name: 'late-deny', action: 'deny', hosts: ['files.pythonhosted.org'], priority: 5000 },
  ],
};

export interface PolicyCase {
  url: string;
  verdict: 'allow' | 'deny' | 'bypass';
  /** Rule ID; undefined for the default deny and for bypasses. */
  rule?: string;
  tls?: boolean;
  source?: RequestSource;
}

const c = (
  url: string,
  verdict: PolicyCase['verdict'],
  rule?: string,
  tls = false,
  source?: RequestSource,
): PolicyCase => ({ url, verdict, rule, tls, source });

export const CASES: PolicyCase[] = [
  // Presets, with and without TLS inspection.
  c(
    'https://developer.download.nvidia.com/compute/cuda/repos/debian12/x86_64/Release',
    'allow',
    'nvidia-cuda',
    true,
  ),
  c(
    'https://us.download.nvidia.com/XFree86/Linux-x86_64/550.54/NVIDIA-Linux-x86_64-550.54.run',
    'allow',
    'nvidia-cuda',
    true,
  ),
  c('https://deb.debian.org/debian/dists/bookworm/Release', 'allow', 'debian', true),
  c('https://security.debian.org/debian-security/', 'allow', 'debian', true),
  c('https://conda.anaconda.org/conda-forge/linux-64/repodata.json', 'allow', 'conda', true),
  c('https://packages.cloud.google.com/apt/doc/apt-key.gpg', 'allow', 'google-packages', false),
  c(
    'https://dl.google.com/cloudagents/add-google-cloud-ops-agent-repo.sh',
    'allow',
    'google-packages',
    false,
  ),
  c('https://downloads.example.com/file.tar.gz', 'allow', 'allowed-hosts', true),
  // Host matching: case, ports, plain HTTP, look-alikes.
  c('https://DEB.DEBIAN.ORG/debian/', 'allow', 'debian', true),
  c('https://deb.debian.org:8443/debian/', 'allow', 'debian', true),
  c('http://deb.debian.org/debian/', 'allow', 'debian', false),
  c('https://developer.download.nvidia.com.evil.example/', 'deny'),
  c('https://evil-developer.download.nvidia.com/', 'deny'),
  c('https://example.org/', 'deny'),
  // Bypassed: never reaches the proxy.
  c('https://storage.googleapis.com/goog-dataproc-bigtop-repo-us-central1/dists/', 'bypass'),
  c('https://compute.googleapis.com/compute/v1/projects/p', 'bypass'),
  c('http://metadata.google.internal/computeMetadata/v1/', 'bypass'),
  c('http://169.254.169.254/computeMetadata/v1/', 'bypass'),
  c('https://localhost:8443/', 'bypass'),
  c('https://cluster-m.us-central1-a.c.dpgce-demo-project.internal:8088/', 'bypass'),
  // Deny beats allow: by position, and an explicit priority that loses.
  c('https://keyserver.ubuntu.com/pks/lookup?op=get', 'deny', 'deny-keyserver', true),
  c('https://files.pythonhosted.org/packages/pip.whl', 'allow', 'pypi', true),
  // URL patterns: prefix paths, the host part alone, plain HTTP.
  c('https://pypi.org/simple/pip/', 'allow', 'pypi', true),
  c('https://pypi.org/manage/projects/', 'deny', 'deny-pypi-manage', true),
  c('https://pypi.org/manage', 'allow', 'pypi', true),
  c('http://pypi.org/manage/account/', 'deny', 'deny-pypi-manage', false),
  c('https://upload.pypi.org/legacy/', 'deny', 'deny-pypi-manage', true),
  c('https://upload.pypi.org/other', 'deny'),
  c('https://developer.nvidia.com/cuda-downloads', 'allow', 'cuda-downloads', true),
  c('https://developer.nvidia.com/cuda-downloads?target_os=Linux', 'allow', 'cuda-downloads', true),
  c('https://developer.nvidia.com/cuda-toolkit', 'deny'),
  c('https://example.net/exact', 'allow', 'cuda-downloads', true),
  c('https://example.net/exact/more', 'deny'),
  c('https://example.net/', 'deny'),
  // Explicit priority ahead of list order; wildcard not matching the bare domain.
  c('https://mirror.corp.example/debian/', 'allow', 'allow-mirror', true),
  c('https://other.corp.example/', 'deny', 'deny-corp', true),
  c('https://corp.example/', 'deny'),
  // Sources.
  c('https://artifacts.corp.example/libs/a.jar', 'deny', 'deny-corp', true),
  c('https://artifacts.corp.example/libs/a.jar', 'allow', 'internal-artifacts', false, {
    serviceAccount: SA,
  }),
  c('https://artifacts.corp.example/libs/a.jar', 'deny', 'deny-corp', true, {
    serviceAccount: 'other@dpgce-demo-project.iam.gserviceaccount.com',
  }),
  c('https://github.com/NVIDIA/open-gpu-kernel-modules/archive/refs/tags/550.tar.gz', 'deny'),
  c(
    'https://github.com/NVIDIA/open-gpu-kernel-modules/archive/refs/tags/550.tar.gz',
    'allow',
    'tagged-github',
    true,
    { tags: [TAG] },
  ),
  c('https://codeload.github.com/NVIDIA/nccl/tar.gz/v2', 'deny', undefined, false, {
    tags: ['tagValues/1'],
  }),
  // `*.domain`: subdomains at any depth, never the domain itself.
  c('https://a.wildcard.example/', 'allow', 'wild-subdomains', true),
  c('https://x.y.wildcard.example/', 'allow', 'wild-subdomains', true),
  c('https://wildcard.example/', 'deny'),
  c('https://notwildcard.example/', 'deny'),
  // A long host set through a URL list, with the same syntax rules.
  c('https://c.many.example/', 'allow', 'many-hosts', true),
  c('https://z.deep.many.example/path', 'allow', 'many-hosts', true),
  c('https://deep.many.example/', 'deny'),
  c('https://many.example/', 'deny'),
];

/** The cases grouped by source, for runs of the CLI (one source per run). */
export function casesBySource(): Array<{ source: RequestSource; cases: PolicyCase[] }> {
  const groups = new Map<string, { source: RequestSource; cases: PolicyCase[] }>();
  for (const k of CASES) {
    const key = JSON.stringify(k.source ?? {});
    if (!groups.has(key)) groups.set(key, { source: k.source ?? {}, cases: [] });
    groups.get(key)!.cases.push(k);
  }
  return [...groups.values()];
}

/** The `policy test` flags for a source. */
export function sourceFlags(source: RequestSource): string[] {
  return [
    ...(source.serviceAccount ? ['--source-service-account', source.serviceAccount] : []),
    ...(source.tags ?? []).flatMap((tag) => ['--source-tag', tag]),
  ];
}
