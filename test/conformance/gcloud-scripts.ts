// The gcloud commands a user of this toolchain runs, grouped in scripts that
// each own a project, so scripts can run side by side. In arguments, `{P}`
// is the project, `{N}` its number, `{R}` the region and `{D}` the script's
// folder (where `files` are written). Each step must exit 0 with output that
// parses, or, with `fails`, exit non-zero with a message matching it (the
// negative cases: what the real service refuses). Every command gets
// `--format=json` unless it has `raw` output.

export interface Step {
  args: string[];
  /** A negative case: must fail, with stderr matching. */
  fails?: RegExp;
  /** Output is not JSON; when a string, it must be exactly this. */
  raw?: boolean | string;
  /** An assertion on the parsed output; returns what is wrong, if anything. */
  check?: (out: any) => string | undefined;
}

export interface Script {
  name: string;
  project: string;
  files?: Record<string, string>;
  steps: Step[];
}

/** `gcloud` arguments from one line, split as a shell would: `--x="a b"` is one argument. */
export const g = (line: string, extra: Omit<Step, 'args'> = {}): Step => ({
  args: [...line.matchAll(/(?:[^\s"]+|"[^"]*")+/g)].map((m) => m[0].replace(/"/g, '')),
  ...extra,
});

export const expect = (what: string, ok: (out: any) => boolean) => (out: any): string | undefined =>
  ok(out) ? undefined : `expected ${what}`;

const R = 'us-central1';
const NET = 'projects/{P}/global/networks/net';

export const NETWORK_SCRIPT: Script = {
  name: 'networks, subnets, firewall rules, routes, routers, addresses',
  project: 'conf-network',
  steps: [
    g('services enable compute.googleapis.com'),
    g('compute networks create net --subnet-mode=custom --bgp-routing-mode=regional',
      { check: expect('a custom-mode network', (o) => o[0]?.autoCreateSubnetworks === false) }),
    g('compute networks describe net', { check: expect('REGIONAL routing', (o) => o.routingConfig?.routingMode === 'REGIONAL') }),
    g(`compute networks subnets create cluster --network=net --region=${R} --range=10.0.0.0/24 --enable-private-ip-google-access`),
    g(`compute networks subnets create proxy-only --network=net --region=${R} --range=10.129.0.0/26 --purpose=REGIONAL_MANAGED_PROXY --role=ACTIVE`,
      { check: expect('an ACTIVE proxy-only subnet', (o) => o[0]?.role === 'ACTIVE' && o[0]?.purpose === 'REGIONAL_MANAGED_PROXY') }),
    g(`compute networks subnets create proxy-two --network=net --region=${R} --range=10.130.0.0/26 --purpose=REGIONAL_MANAGED_PROXY --role=ACTIVE`,
      { fails: /ACTIVE|proxy-only|REGIONAL_MANAGED_PROXY/i }),
    g(`compute networks subnets describe cluster --region=${R}`,
      { check: expect('Private Google Access on', (o) => o.privateIpGoogleAccess === true) }),
    g('compute networks subnets list --network=net', { check: expect('two subnets', (o) => o.length === 2) }),
    g(`compute networks subnets update cluster --region=${R} --no-enable-private-ip-google-access`),
    g('compute firewall-rules create allow-internal --network=net --allow=tcp,udp,icmp --source-ranges=10.0.0.0/8'),
    g('compute firewall-rules create egress-proxy --network=net --direction=EGRESS --action=ALLOW --rules=tcp:3128 --destination-ranges=10.0.0.250/32 --priority=1000'),
    g('compute firewall-rules create egress-deny-all --network=net --direction=EGRESS --action=DENY --rules=all --destination-ranges=0.0.0.0/0 --priority=65000'),
    g('compute firewall-rules update egress-proxy --priority=900'),
    g('compute firewall-rules describe egress-deny-all', { check: expect('an EGRESS deny', (o) => o.direction === 'EGRESS' && !!o.denied) }),
    g('compute firewall-rules list --filter=network~net', { check: expect('three rules', (o) => o.length === 3) }),
    g('compute routes list --filter=network=net', { check: expect('the system default route', (o) => o.length === 1 && o[0].destRange === '0.0.0.0/0') }),
    g('compute routes create via-igw --network=net --destination-range=0.0.0.0/0 --next-hop-gateway=default-internet-gateway --priority=900'),
    g('compute routes describe via-igw'),
    g(`compute routers create router --network=net --region=${R}`),
    g(`compute routers nats create nat --router=router --region=${R} --auto-allocate-nat-external-ips --nat-all-subnet-ip-ranges`),
    g(`compute routers describe router --region=${R}`, { check: expect('one NAT', (o) => o.nats?.length === 1) }),
    g(`compute addresses create held --region=${R} --subnet=cluster --addresses=10.0.0.10`),
    g(`compute addresses describe held --region=${R}`, { check: expect('an INTERNAL address', (o) => o.addressType === 'INTERNAL') }),
    g('compute networks delete net --quiet', { fails: /already being used|in use/i }),
    g(`compute addresses delete held --region=${R} --quiet`),
    g(`compute routers delete router --region=${R} --quiet`),
    g('compute routes delete via-igw --quiet'),
    g('compute firewall-rules delete allow-internal egress-proxy egress-deny-all --quiet'),
    g(`compute networks subnets delete cluster proxy-only --region=${R} --quiet`),
    g('compute networks delete net --quiet'),
    g('compute networks describe net', { fails: /was not found/ }),
  ],
};

export const DNS_IAM_SCRIPT: Script = {
  name: 'services, service accounts, project IAM, Cloud DNS',
  project: 'conf-dns-iam',
  steps: [
    g('services enable compute.googleapis.com dns.googleapis.com iam.googleapis.com dataproc.googleapis.com'),
    g('services list --enabled', { check: expect('dns enabled', (o) => o.some((s: any) => s.config?.name === 'dns.googleapis.com')) }),
    g('iam service-accounts create cluster-sa --display-name="cluster nodes"'),
    g('iam service-accounts describe cluster-sa@{P}.iam.gserviceaccount.com',
      { check: expect('the display name', (o) => o.displayName === 'cluster nodes') }),
    g('iam service-accounts create cluster-sa', { fails: /already exists/ }),
    g('projects add-iam-policy-binding {P} --member=serviceAccount:cluster-sa@{P}.iam.gserviceaccount.com --role=roles/dataproc.worker --condition=None'),
    g('projects get-iam-policy {P}', { check: expect('the grant', (o) => o.bindings?.some((b: any) => b.role === 'roles/dataproc.worker')) }),
    g('projects remove-iam-policy-binding {P} --member=serviceAccount:cluster-sa@{P}.iam.gserviceaccount.com --role=roles/dataproc.worker --condition=None'),
    g('compute networks create net --subnet-mode=custom'),
    g(`dns managed-zones create googleapis --dns-name=googleapis.com. --visibility=private --networks=${NET} --description=private-access`),
    g('dns record-sets create private.googleapis.com. --zone=googleapis --type=A --ttl=300 --rrdatas=199.36.153.8,199.36.153.9,199.36.153.10,199.36.153.11'),
    g('dns record-sets create *.googleapis.com. --zone=googleapis --type=CNAME --ttl=300 --rrdatas=private.googleapis.com.'),
    g('dns record-sets list --zone=googleapis', { check: expect('SOA, NS, A and CNAME', (o) => o.length === 4) }),
    g('dns managed-zones describe googleapis', { check: expect('a private zone', (o) => o.visibility === 'private') }),
    g('dns managed-zones delete googleapis', { fails: /cannot be deleted because it contains|containerNotEmpty/ }),
    g('dns record-sets delete *.googleapis.com. --zone=googleapis --type=CNAME'),
    g('dns record-sets delete private.googleapis.com. --zone=googleapis --type=A'),
    g('dns managed-zones delete googleapis'),
    g('compute networks delete net --quiet'),
    g('iam service-accounts delete cluster-sa@{P}.iam.gserviceaccount.com --quiet'),
  ],
};

export const STORAGE_SECRETS_SCRIPT: Script = {
  name: 'Cloud Storage, Secret Manager',
  project: 'conf-storage',
  files: { 'gce-proxy-setup.sh': '#!/bin/bash\necho proxy\n', 'mok.key': 'not a real key\n' },
  steps: [
    g(`storage buckets create gs://{P}-staging --location=${R} --uniform-bucket-level-access`),
    g('storage buckets describe gs://{P}-staging', { check: expect('uniform access', (o) => o.uniform_bucket_level_access === true) }),
    g('storage cp {D}/gce-proxy-setup.sh gs://{P}-staging/custom-image-deps/gce-proxy-setup.sh', { raw: true }),
    g('storage cat gs://{P}-staging/custom-image-deps/gce-proxy-setup.sh', { raw: '#!/bin/bash\necho proxy\n' }),
    g('storage ls gs://{P}-staging/custom-image-deps/', { raw: true }),
    g('storage buckets add-iam-policy-binding gs://{P}-staging --member=serviceAccount:{N}-compute@developer.gserviceaccount.com --role=roles/storage.objectViewer'),
    g('storage buckets delete gs://{P}-staging', { fails: /not empty/ }),
    g('storage rm gs://{P}-staging/custom-image-deps/gce-proxy-setup.sh', { raw: true }),
    g('storage buckets delete gs://{P}-staging', { raw: true }),
    g('services enable secretmanager.googleapis.com'),
    g('secrets create mok-key --data-file={D}/mok.key --replication-policy=automatic'),
    g('secrets versions access latest --secret=mok-key', { raw: 'not a real key\n' }),
    g('secrets create mok-key --data-file={D}/mok.key', { fails: /already exists/ }),
    g('secrets delete mok-key --quiet'),
  ],
};
