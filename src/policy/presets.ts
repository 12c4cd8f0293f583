// Egress allowlist presets for the gateway security policy. Each preset
// becomes one rule named after it (gateway-security-policy-rule.<name>).
// Hosts come from what the Dataproc GPU driver initialization action and the
// images' package managers fetch (gcp-api-facts §13), each with the page that
// documents it. Two invariants, checked by test/policy/presets.test.ts: no
// allow-all pattern, and no *.googleapis.com host — nodes reach Google APIs
// directly over Private Google Access, never through the proxy.

/** One allowed host: an exact name or `*.suffix`. */
export interface PresetHost {
  /** `deb.debian.org` or `*.gce.archive.ubuntu.com`; never `*` alone. */
  host: string;
  /** One line: what on a node fetches from it. */
  reason: string;
  /** A URL documenting the host or the code that uses it. */
  source: string;
}

export interface Preset {
  name: string;
  description: string;
  hosts: PresetHost[];
  /**
   * Whether the rule inspects TLS. False only where inspection breaks the
   * client: Google's package hosts go through the proxy uninspected.
   */
  tlsInspection: boolean;
}

/** A host as the policy layer needs it: with the preset that brought it. */
export interface ResolvedHost extends PresetHost {
  preset: string;
  tlsInspection: boolean;
}

const GPU_ACTION = 'https://github.com/GoogleCloudDataproc/initialization-actions/blob/master/' +
  'gpu/install_gpu_driver.sh';
const GITHUB_META = 'https://api.github.com/meta';
const DOCKER_ALLOWLIST = 'https://docs.docker.com/desktop/setup/allow-list/';
const UBUNTU_REPOSITORIES = 'https://help.ubuntu.com/community/Repositories/Ubuntu';
const MAVEN_CENTRAL = 'https://maven.apache.org/repository/';

function host(name: string, reason: string, source: string): PresetHost {
  return { host: name, reason, source };
}

function preset(
  name: string, description: string, hosts: PresetHost[], tlsInspection = true,
): Preset {
  return { name, description, hosts, tlsInspection };
}

const debian = preset('debian', 'Debian package archive and security updates', [
  host('deb.debian.org', 'Debian packages (the apt sources of Dataproc Debian images)',
    'https://deb.debian.org/'),
  host('security.debian.org', 'Debian security updates', 'https://www.debian.org/security/'),
  host('archive.debian.org', 'archived backports the GPU driver action rewrites old sources to',
    'https://github.com/GoogleCloudDataproc/initialization-actions/issues/1157'),
]);

const ubuntu = preset('ubuntu', 'Ubuntu archive, security updates and key server', [
  host('archive.ubuntu.com', 'Ubuntu packages', UBUNTU_REPOSITORIES),
  host('security.ubuntu.com', 'Ubuntu security updates', UBUNTU_REPOSITORIES),
  host('*.gce.archive.ubuntu.com', 'regional Ubuntu mirrors that Compute Engine Ubuntu images use',
    'https://launchpad.net/ubuntu/+archivemirrors'),
  host('keyserver.ubuntu.com', 'OpenPGP keys fetched with gpg --keyserver',
    'https://keyserver.ubuntu.com/'),
]);

const rocky = preset('rocky', 'Rocky Linux repositories', [
  host('dl.rockylinux.org',
    'Rocky Linux packages (pin baseurl here: the mirror list hands out other hosts)',
    'https://dl.rockylinux.org/'),
  host('download.rockylinux.org',
    'vault and staging kernel-devel RPMs the GPU driver action fetches', GPU_ACTION),
  host('mirrors.rockylinux.org', 'the dnf mirror list of Rocky Linux images',
    'https://mirrors.rockylinux.org/'),
]);

const nvidiaCuda = preset('nvidia-cuda', 'NVIDIA CUDA repositories and driver downloads', [
  host('developer.download.nvidia.com', 'CUDA and cuDNN repositories, CUDA installers, NCCL',
    'https://developer.download.nvidia.com/compute/cuda/repos/'),
  host('download.nvidia.com', 'NVIDIA driver .run installers (older GPU driver action versions)',
    'https://download.nvidia.com/XFree86/Linux-x86_64/'),
  host('us.download.nvidia.com',
    "NVIDIA driver .run installers and the action's connectivity probe", GPU_ACTION),
  host('nvidia.github.io', 'NVIDIA Container Toolkit (libnvidia-container) repository and key',
    'https://nvidia.github.io/libnvidia-container/'),
  host('keyserver.ubuntu.com',
    'repository keys the GPU driver action fetches with gpg --keyserver', GPU_ACTION),
]);

const conda = preset('conda', 'conda channels (conda-forge, nvidia, rapidsai, pytorch, defaults)', [
  host('conda.anaconda.org', 'conda-forge, nvidia, rapidsai and pytorch channels',
    'https://conda.anaconda.org/'),
  host('repo.anaconda.com', 'the defaults channel', 'https://repo.anaconda.com/'),
]);

const pypi = preset('pypi', 'Python Package Index', [
  host('pypi.org', 'the package index pip queries', 'https://docs.pypi.org/api/'),
  host('files.pythonhosted.org', 'package files pip downloads', 'https://docs.pypi.org/api/'),
]);

const githubReleases = preset('github-releases', 'GitHub archives, release assets and raw files', [
  host('github.com', 'source archives and releases (NVIDIA open kernel modules, NCCL)', GPU_ACTION),
  host('codeload.github.com', 'where github.com archive downloads redirect', GITHUB_META),
  host('objects.githubusercontent.com', 'where release asset downloads redirect', GITHUB_META),
  host('release-assets.githubusercontent.com', 'where release asset downloads redirect',
    GITHUB_META),
  host('raw.githubusercontent.com', 'raw files (GPU utilization agent, MIG scripts)', GPU_ACTION),
]);

const mavenCentral = preset('maven-central', "Maven Central and NVIDIA's Maven repository", [
  host('repo1.maven.org', 'Maven Central (RAPIDS Accelerator and XGBoost jars)', MAVEN_CENTRAL),
  host('repo.maven.apache.org', "Maven Central's other name", MAVEN_CENTRAL),
  host('edge.urm.nvidia.com', "NVIDIA's Maven repository for spark-rapids jars", GPU_ACTION),
]);

const dockerHub = preset('docker-hub', "Docker Hub image pulls and Docker's package repositories", [
  host('registry-1.docker.io', 'the Docker Hub registry', DOCKER_ALLOWLIST),
  host('auth.docker.io', 'registry tokens', DOCKER_ALLOWLIST),
  host('production.cloudflare.docker.com', 'image layers', DOCKER_ALLOWLIST),
  host('docker-images-prod.6aa30f8b08e16409b46e0173d6de2f56.r2.cloudflarestorage.com',
    'image layers for anonymous pulls', DOCKER_ALLOWLIST),
  host('download.docker.com', 'Docker apt and yum repositories',
    'https://docs.docker.com/engine/install/debian/'),
]);

// Not inspected: DESIGN §5 sends Google-hosted repositories through the
// proxy without TLS inspection.
const googlePackages = preset('google-packages',
  'Google package repositories, without TLS inspection', [
    host('packages.cloud.google.com',
      'Google apt and yum repositories (Google Cloud CLI, Ops Agent)',
      'https://cloud.google.com/sdk/docs/install'),
    host('dl.google.com', 'Google downloads, including the Ops Agent repository script',
      'https://cloud.google.com/stackdriver/docs/solutions/agents/ops-agent/installation'),
  ], false);

/**
 * The default: what a Dataproc GPU node on a Debian image fetches. GitHub is
 * part of it because install_gpu_driver.sh builds the open kernel modules
 * from github.com/NVIDIA/open-gpu-kernel-modules (build_driver_from_github,
 * drivers >= 515.43.04 on Turing and later), whose archive downloads
 * redirect to codeload.github.com and release assets to
 * objects/release-assets.githubusercontent.com, and its GPU agent (on by
 * default) comes from raw.githubusercontent.com (gcp-api-facts §13).
 */
const dataprocGpu = preset('dataproc-gpu',
  'Minimal set for Dataproc GPU nodes: Debian, NVIDIA CUDA and drivers, conda, PyPI, GitHub',
  uniqueHosts([debian, nvidiaCuda, conda, pypi, githubReleases].flatMap((p) => p.hosts)));

function uniqueHosts(hosts: PresetHost[]): PresetHost[] {
  const byName = new Map<string, PresetHost>();
  for (const h of hosts) if (!byName.has(h.host)) byName.set(h.host, h);
  return [...byName.values()];
}

export const PRESETS: Record<string, Preset> = Object.fromEntries(
  [debian, ubuntu, rocky, nvidiaCuda, conda, pypi, githubReleases, mavenCentral, dockerHub,
    googlePackages, dataprocGpu].map((p) => [p.name, p]),
);

export const PRESET_NAMES: readonly string[] = Object.keys(PRESETS);

/** The default SWP_POLICY_PRESETS. */
export const DEFAULT_PRESETS: readonly string[] = ['dataproc-gpu'];

/**
 * The hosts of the named presets, each host once (the first preset naming
 * it wins). Throws on an unknown name: config validation rejects those, so
 * one reaching here is a bug.
 */
export function presetHosts(names: readonly string[]): ResolvedHost[] {
  const seen = new Set<string>();
  const resolved: ResolvedHost[] = [];
  for (const name of names) {
    const found = Object.hasOwn(PRESETS, name) ? PRESETS[name] : undefined;
    if (!found) {
      throw new Error(`unknown policy preset ${JSON.stringify(name)}; this is a bug in dpgce`);
    }
    for (const h of found.hosts) {
      if (seen.has(h.host)) continue;
      seen.add(h.host);
      resolved.push({ ...h, preset: name, tlsInspection: found.tlsInspection });
    }
  }
  return resolved;
}
