// What Service Usage knows about services without asking anyone: the set a
// new project starts with enabled, the services a listing shows, service
// agent domains that do not follow `gcp-sa-<service>`, and display titles.

/** Enabled in every new project (https://cloud.google.com/service-usage/docs/enabled-service). */
export const DEFAULT_ENABLED = [
  'analyticshub',
  'bigquery',
  'bigqueryconnection',
  'bigquerydatapolicy',
  'bigquerymigration',
  'bigqueryreservation',
  'bigquerystorage',
  'cloudapis',
  'cloudtrace',
  'dataform',
  'dataplex',
  'datastore',
  'logging',
  'monitoring',
  'servicemanagement',
  'serviceusage',
  'sql-component',
  'storage-api',
  'storage-component',
  'storage',
].map((s) => `${s}.googleapis.com`);

/** Services a listing shows besides the enabled ones (what dpgce and its users touch). */
export const CATALOG = [
  ...DEFAULT_ENABLED,
  ...[
    'compute',
    'iam',
    'cloudresourcemanager',
    'dataproc',
    'networkservices',
    'networksecurity',
    'certificatemanager',
    'privateca',
    'secretmanager',
    'dns',
    'networkmanagement',
    'iap',
    'orgpolicy',
    'container',
    'artifactregistry',
  ].map((s) => `${s}.googleapis.com`),
];

/** Service agent domains that do not follow `gcp-sa-<service>`. */
export const AGENT_DOMAIN: Record<string, string> = {
  container: 'container-engine-robot',
  compute: 'compute-system',
  dataproc: 'dataproc-accounts',
  storage: 'gs-project-accounts',
  cloudbuild: 'gcp-sa-cloudbuild',
  containerregistry: 'containerregistry',
};

/** A readable title: `networksecurity.googleapis.com` -> "Network Security API" where known. */
export function title(service: string): string {
  const known: Record<string, string> = {
    'compute.googleapis.com': 'Compute Engine API',
    'storage.googleapis.com': 'Cloud Storage API',
    'iam.googleapis.com': 'Identity and Access Management (IAM) API',
    'dns.googleapis.com': 'Cloud DNS API',
    'networksecurity.googleapis.com': 'Network Security API',
    'networkservices.googleapis.com': 'Network Services API',
    'certificatemanager.googleapis.com': 'Certificate Manager API',
    'privateca.googleapis.com': 'Certificate Authority API',
    'dataproc.googleapis.com': 'Cloud Dataproc API',
    'secretmanager.googleapis.com': 'Secret Manager API',
    'networkmanagement.googleapis.com': 'Network Management API',
    'serviceusage.googleapis.com': 'Service Usage API',
    'cloudresourcemanager.googleapis.com': 'Cloud Resource Manager API',
  };
  return known[service] ?? `${service.replace(/\.googleapis\.com$/, '')} API`;
}
