import type { EnvConfig } from '../config/types.js';
import { proxyTestUrl } from '../plan/cluster-spec.js';

// What a node fetches through the proxy, written down on its own: the URLs
// (with the scripts' real paths) the boot script and the Dataproc GPU
// driver initialization action (install_gpu_driver.sh) request, from
// gcp-api-facts §13. It is deliberately not derived from the presets that
// write the policy: a preset that loses a host must show up as a denied URL
// here, not silently shrink what doctor asks for.

/** One URL a node fetches, with what asks for it (an env.json key or the script that fetches it). */
export interface Needed {
  url: string;
  key: string;
}

const GPU = 'install_gpu_driver.sh';
const DRIVER = '550.54.15';

/** Fetched whatever the image: the GPU driver, CUDA, the container toolkit, conda and pip. */
const GPU_FETCHES: Needed[] = [
  { url: 'https://developer.download.nvidia.com/compute/cuda/repos/debian12/x86_64/', key: `${GPU} (CUDA repository)` },
  { url: `https://us.download.nvidia.com/XFree86/Linux-x86_64/${DRIVER}/NVIDIA-Linux-x86_64-${DRIVER}.run`,
    key: `${GPU} (driver .run installer, connectivity probe)` },
  { url: `https://github.com/NVIDIA/open-gpu-kernel-modules/archive/refs/tags/${DRIVER}.tar.gz`,
    key: `${GPU} (build_driver_from_github, drivers >= 515.43.04 on Turing and later)` },
  // github.com answers an archive download with a redirect to codeload.
  { url: `https://codeload.github.com/NVIDIA/open-gpu-kernel-modules/tar.gz/refs/tags/${DRIVER}`,
    key: `${GPU} (where the github.com archive redirects)` },
  { url: 'https://raw.githubusercontent.com/GoogleCloudPlatform/ml-on-gcp/master/dlvm/gcp-gpu-utilization-metrics/' +
    'report_gpu_metrics.py', key: `${GPU} (install_gpu_agent, on by default)` },
  { url: 'https://nvidia.github.io/libnvidia-container/gpgkey', key: `${GPU} (NVIDIA Container Toolkit key)` },
  { url: 'https://keyserver.ubuntu.com/pks/lookup', key: `${GPU} (gpg --keyserver)` },
  { url: 'https://conda.anaconda.org/conda-forge/', key: `${GPU} (create_conda_env)` },
  { url: 'https://repo.anaconda.com/pkgs/main/', key: `${GPU} (conda defaults channel)` },
  { url: 'https://pypi.org/simple/', key: `${GPU} (pip install)` },
  { url: 'https://files.pythonhosted.org/packages/', key: `${GPU} (pip downloads)` },
];

/** The package archives of the image's OS, as `IMAGE_VERSION` names it (Dataproc's default is Debian). */
function osFetches(config: EnvConfig): Needed[] {
  const version = config.imageVersion ?? '';
  if (/ubuntu/.test(version)) {
    return [
      { url: `https://${config.region}.gce.archive.ubuntu.com/ubuntu/dists/`, key: 'apt (the image\'s Ubuntu mirror)' },
      { url: 'https://security.ubuntu.com/ubuntu/dists/', key: 'apt (Ubuntu security updates)' },
    ];
  }
  if (/rocky/.test(version)) {
    return [
      { url: 'https://dl.rockylinux.org/pub/rocky/', key: 'dnf (Rocky Linux packages)' },
      { url: 'https://download.rockylinux.org/vault/rocky/', key: `${GPU} (kernel-devel RPMs)` },
    ];
  }
  return [
    { url: 'https://deb.debian.org/debian/dists/', key: 'apt (Debian packages)' },
    { url: 'https://security.debian.org/debian-security/dists/', key: 'apt (Debian security updates)' },
    { url: 'https://archive.debian.org/debian/dists/', key: `${GPU} (archived backports it rewrites sources to)` },
  ];
}

/**
 * Every URL a node must be able to fetch: the OS archives, the GPU driver
 * installation's URLs (unless env.json names a cluster without
 * ACCELERATOR_TYPE: such nodes install no driver), SWP_ALLOWED_HOSTS, and the
 * boot self-test URL. A wildcard host stands for one name under it (the
 * region's label, as Compute Engine's regional mirrors are named).
 */
export function neededUrls(config: EnvConfig): Needed[] {
  const host = (h: string): string => (h.startsWith('*.') ? `${config.region}${h.slice(1)}` : h);
  const gpu = !config.clusterName || !!config.acceleratorType;
  const out: Needed[] = [
    ...osFetches(config),
    ...(gpu ? GPU_FETCHES : []),
    ...config.allowedHosts.map((h) => ({ url: `https://${host(h)}/`, key: 'SWP_ALLOWED_HOSTS' })),
  ];
  const selfTest = proxyTestUrl(config);
  if (selfTest) {
    out.push({
      url: selfTest,
      key: config.cluster.proxyTestUrl ? 'PROXY_TEST_URL' : 'the boot self-test (proxy-test-url)',
    });
  }
  return out.filter((n, i) => out.findIndex((m) => m.url === n.url) === i);
}
