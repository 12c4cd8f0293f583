import { expect, g, type Script } from './gcloud-scripts.js';

// The Secure Web Proxy stack as a user builds it by hand with gcloud (the
// seed's create-dpgce-private path), and a Dataproc cluster behind it.

const R = 'us-central1';
const L = `projects/{P}/locations/${R}`;

export const SWP_SCRIPT: Script = {
  name: 'CA Service, Certificate Manager, Network Security, Secure Web Proxy',
  project: 'conf-swp',
  files: {
    'tls.yaml': `name: ${L}/tlsInspectionPolicies/tls\ncaPool: ${L}/caPools/pool\n`,
    'urllist.yaml': `name: ${L}/urlLists/pypi\nvalues:\n- pypi.org\n- '*.pythonhosted.org'\n`,
    'policy.yaml': `name: ${L}/gatewaySecurityPolicies/policy\ndescription: egress\n` +
      `tlsInspectionPolicy: ${L}/tlsInspectionPolicies/tls\n`,
    'rule.yaml': `name: ${L}/gatewaySecurityPolicies/policy/rules/allow-pypi\nenabled: true\npriority: 100\n` +
      `basicProfile: ALLOW\nsessionMatcher: "inUrlList(host(), '${L}/urlLists/pypi')"\ntlsInspectionEnabled: true\n`,
    'gateway.yaml': `name: ${L}/gateways/swp\ntype: SECURE_WEB_GATEWAY\naddresses:\n- 10.11.0.250\nports:\n- 3128\n` +
      `certificateUrls:\n- ${L}/certificates/cert\ngatewaySecurityPolicy: ${L}/gatewaySecurityPolicies/policy\n` +
      `network: projects/{P}/global/networks/net\nsubnetwork: projects/{P}/regions/${R}/subnetworks/private\n` +
      'routingMode: EXPLICIT_ROUTING_MODE\n',
  },
  steps: [
    g('services enable compute.googleapis.com networkservices.googleapis.com networksecurity.googleapis.com certificatemanager.googleapis.com privateca.googleapis.com'),
    g('beta services identity create --service=networksecurity.googleapis.com'),
    g('beta services identity create --service=certificatemanager.googleapis.com'),
    g('compute networks create net --subnet-mode=custom'),
    g(`compute networks subnets create private --network=net --region=${R} --range=10.11.0.0/24 --enable-private-ip-google-access`),
    g(`compute networks subnets create proxy-only --network=net --region=${R} --range=10.129.0.0/26 --purpose=REGIONAL_MANAGED_PROXY --role=ACTIVE`),
    g(`privateca pools create pool --location=${R} --tier=devops`),
    g(`privateca roots create root --pool=pool --location=${R} --subject="CN=dpgce proxy root, O=dpgce" --auto-enable`),
    g(`privateca roots describe root --pool=pool --location=${R}`, { check: expect('an ENABLED root', (o) => o.state === 'ENABLED') }),
    g(`privateca pools add-iam-policy-binding pool --location=${R} --member=serviceAccount:service-{N}@gcp-sa-networksecurity.iam.gserviceaccount.com --role=roles/privateca.certificateManager`),
    g(`privateca pools add-iam-policy-binding pool --location=${R} --member=serviceAccount:service-{N}@gcp-sa-certificatemanager.iam.gserviceaccount.com --role=roles/privateca.certificateRequester`),
    g(`certificate-manager issuance-configs create cic --location=${R} --ca-pool=${L}/caPools/pool`),
    g(`certificate-manager certificates create cert --location=${R} --domains=swp.dpgce.internal --issuance-config=${L}/certificateIssuanceConfigs/cic`),
    g(`certificate-manager certificates describe cert --location=${R}`,
      { check: expect('an ACTIVE certificate', (o) => o.managed?.state === 'ACTIVE') }),
    g(`network-security tls-inspection-policies import tls --location=${R} --source={D}/tls.yaml`),
    g(`network-security url-lists import pypi --location=${R} --source={D}/urllist.yaml`),
    g(`network-security gateway-security-policies import policy --location=${R} --source={D}/policy.yaml`),
    g(`network-security gateway-security-policies rules import allow-pypi --gateway-security-policy=policy --location=${R} --source={D}/rule.yaml`),
    g(`network-services gateways import swp --location=${R} --source={D}/gateway.yaml`),
    g(`network-services gateways describe swp --location=${R}`,
      { check: expect('a Secure Web Proxy gateway', (o) => o.type === 'SECURE_WEB_GATEWAY' && o.addresses?.[0] === '10.11.0.250') }),
    g(`compute routers list --regions=${R}`,
      { check: expect('the proxy\'s autogen router', (o) => o.some((r: any) => r.name.startsWith('swg-autogen-router-'))) }),
    g(`network-security gateway-security-policies delete policy --location=${R} --quiet`, { fails: /rule|in use|used/i }),
    g(`privateca pools delete pool --location=${R} --quiet`, { fails: /certificate authorit|FAILED_PRECONDITION|contains/i }),
    g(`network-services gateways delete swp --location=${R} --quiet`),
    g(`network-security gateway-security-policies rules delete allow-pypi --gateway-security-policy=policy --location=${R} --quiet`),
    g(`network-security gateway-security-policies delete policy --location=${R} --quiet`),
    g(`network-security url-lists delete pypi --location=${R} --quiet`),
    g(`network-security tls-inspection-policies delete tls --location=${R} --quiet`),
    g(`certificate-manager certificates delete cert --location=${R} --quiet`),
    g(`certificate-manager issuance-configs delete cic --location=${R} --quiet`),
    g(`privateca roots disable root --pool=pool --location=${R} --quiet`),
    g(`privateca roots delete root --pool=pool --location=${R} --skip-grace-period --ignore-active-certificates --quiet`),
    g(`privateca pools delete pool --location=${R} --quiet`),
  ],
};

export const DATAPROC_SCRIPT: Script = {
  name: 'Dataproc',
  project: 'conf-dataproc',
  steps: [
    g('services enable compute.googleapis.com dataproc.googleapis.com iam.googleapis.com'),
    g('compute networks create net --subnet-mode=custom'),
    g(`compute networks subnets create cluster --network=net --region=${R} --range=10.10.0.0/24 --enable-private-ip-google-access`),
    g('iam service-accounts create dataproc-nodes'),
    g('projects add-iam-policy-binding {P} --member=serviceAccount:dataproc-nodes@{P}.iam.gserviceaccount.com --role=roles/dataproc.worker --condition=None'),
    g(`storage buckets create gs://{P}-staging --location=${R}`),
    g(`dataproc clusters create gpu --region=${R} --zone=${R}-a --subnet=cluster --no-address ` +
      '--service-account=dataproc-nodes@{P}.iam.gserviceaccount.com --num-workers=2 --bucket={P}-staging ' +
      '--image-version=2.2-debian12 --shielded-secure-boot ' +
      '--metadata=startup-script-url=gs://{P}-staging/custom-image-deps/gce-proxy-setup.sh'),
    g(`dataproc clusters describe gpu --region=${R}`,
      { check: expect('a RUNNING cluster without external IPs', (o) => o.status?.state === 'RUNNING' &&
        o.config?.gceClusterConfig?.internalIpOnly === true) }),
    g(`dataproc clusters list --region=${R}`, { check: expect('one cluster', (o) => o.length === 1) }),
    g(`dataproc clusters create gpu --region=${R} --subnet=cluster`, { fails: /already exists/i }),
    g(`dataproc clusters delete gpu --region=${R} --quiet`),
  ],
};
