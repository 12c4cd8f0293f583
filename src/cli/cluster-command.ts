// `dpgce cluster command`: the `gcloud dataproc clusters create` command that
// sends the same request dpgce sends, for change review or for running by
// hand. Dictionary flags (--metadata, --properties) separate entries with
// commas, and values such as no-proxy contain commas (F26), so each such
// flag uses gcloud's `^DELIM^` escaping with a delimiter that no key or value
// contains (`gcloud topic escaping`). The flags follow gcloud's own mapping
// (googlecloudsdk/command_lib/dataproc/clusters.py, gcp-api-facts §9.2).

const DELIMITERS = ['|', '#', ';', '~', '@', '%', '!', '+'];
const ALLOW_ZERO_WORKERS = 'dataproc:dataproc.allow.zero.workers';

const last = (v: unknown): string =>
  String(v ?? '')
    .split('/')
    .pop() ?? '';

/** A dictionary flag value: plain `k=v,k=v` when no comma is in it, else `^D^k=vDk=v`. */
export function dictFlag(entries: Record<string, string>): string {
  const pairs = Object.entries(entries).map(([k, v]) => `${k}=${v}`);
  if (!pairs.some((p) => p.includes(','))) return pairs.join(',');
  const delimiter = DELIMITERS.find((d) => !pairs.some((p) => p.includes(d)));
  if (!delimiter)
    throw new Error('every candidate delimiter appears in some value; this is a bug in dpgce');
  return `^${delimiter}^${pairs.join(delimiter)}`;
}

function acceleratorFlag(group: Record<string, any>): string | undefined {
  const a = group.accelerators?.[0];
  return a ? `type=${last(a.acceleratorTypeUri)},count=${a.acceleratorCount ?? 1}` : undefined;
}

function shieldedFlags(shielded: Record<string, boolean> | undefined): string[] {
  if (!shielded) return [];
  const flag = (on: unknown, name: string): string => (on ? `--${name}` : `--no-${name}`);
  return [
    flag(shielded.enableSecureBoot, 'shielded-secure-boot'),
    flag(shielded.enableVtpm, 'shielded-vtpm'),
    flag(shielded.enableIntegrityMonitoring, 'shielded-integrity-monitoring'),
  ];
}

/** The gcloud argv (without `gcloud`) for a clusters.create body. */
export function gcloudCreateArgs(body: Record<string, any>, region: string): string[] {
  const c = body.config;
  const g = c.gceClusterConfig;
  const args = [
    'dataproc',
    'clusters',
    'create',
    body.clusterName,
    `--project=${body.projectId}`,
    `--region=${region}`,
    `--zone=${last(g.zoneUri)}`,
    `--subnet=${g.subnetworkUri}`,
    g.internalIpOnly ? '--no-address' : '--public-ip-address',
  ];
  const add = (flag: string, value: unknown): void => {
    if (value !== undefined && value !== '') args.push(`--${flag}=${value}`);
  };
  add('tags', g.tags?.join(','));
  add('service-account', g.serviceAccount);
  add('scopes', g.serviceAccountScopes?.join(','));
  args.push(...shieldedFlags(g.shieldedInstanceConfig));
  add('bucket', c.configBucket);
  add('temp-bucket', c.tempBucket);
  if (c.masterConfig.imageUri) add('image', c.masterConfig.imageUri);
  else add('image-version', c.softwareConfig?.imageVersion);
  add('master-machine-type', c.masterConfig.machineTypeUri);
  add('master-accelerator', acceleratorFlag(c.masterConfig));
  if (c.workerConfig) {
    add('num-workers', c.workerConfig.numInstances);
    add('worker-machine-type', c.workerConfig.machineTypeUri);
    add('worker-accelerator', acceleratorFlag(c.workerConfig));
  } else {
    args.push('--single-node');
  }
  // --single-node sets the zero-workers property itself.
  const properties = Object.fromEntries(
    Object.entries(c.softwareConfig?.properties ?? {}).filter(
      ([k]) => !(k === ALLOW_ZERO_WORKERS && !c.workerConfig),
    ),
  ) as Record<string, string>;
  if (Object.keys(properties).length) add('properties', dictFlag(properties));
  if (g.metadata && Object.keys(g.metadata).length) add('metadata', dictFlag(g.metadata));
  if (body.labels && Object.keys(body.labels).length) add('labels', dictFlag(body.labels));
  const actions = c.initializationActions ?? [];
  if (actions.length) {
    add('initialization-actions', actions.map((a: any) => a.executableFile).join(','));
    add('initialization-action-timeout', actions[0].executionTimeout);
  }
  return args;
}

/** One argument as POSIX shell reads it back unchanged. */
export function shellQuote(arg: string): string {
  return /^[A-Za-z0-9@%_+=:,./-]+$/.test(arg) ? arg : `'${arg.replace(/'/g, `'\\''`)}'`;
}

/** The command as a shell would run it, one flag per line. */
export function renderCommand(args: string[]): string {
  const [first, ...rest] = ['gcloud', ...args].map(shellQuote);
  const head = [first, ...rest.slice(0, 4)].join(' ');
  return [head, ...rest.slice(4).map((a) => `  ${a}`)].join(' \\\n') + '\n';
}
