import { expect, g, type Script } from './gcloud-scripts.js';

// Network Management connectivity tests as gcloud drives them
// (`network-management connectivity-tests create` waits for the operation
// and prints the test with its reachability details), over a network made
// the way `dpgce up` makes it: egress only to the proxy, deny-all below.

const NET = 'projects/{P}/global/networks/net';

export const CONNECTIVITY_SCRIPT: Script = {
  name: 'Network Management connectivity tests',
  project: 'conf-connectivity',
  steps: [
    g('services enable compute.googleapis.com networkmanagement.googleapis.com'),
    g('compute networks create net --subnet-mode=custom'),
    g('compute networks subnets create cluster --network=net --region=us-central1 --range=10.0.0.0/24 --enable-private-ip-google-access'),
    g('compute firewall-rules create egress-proxy --network=net --direction=EGRESS --action=ALLOW --rules=tcp:3128 --destination-ranges=10.0.0.245/32'),
    g('compute firewall-rules create egress-deny-all --network=net --direction=EGRESS --action=DENY --rules=all --destination-ranges=0.0.0.0/0 --priority=65000'),
    g(`network-management connectivity-tests create internet --source-ip-address=10.0.0.10 --source-network=${NET} --destination-ip-address=8.8.8.8 --destination-port=443 --protocol=TCP`,
      { check: expect('UNREACHABLE at the deny-all rule', (o) => o.reachabilityDetails?.result === 'UNREACHABLE' &&
        o.reachabilityDetails.traces[0].steps[1].firewall.displayName === 'egress-deny-all') }),
    g('network-management connectivity-tests describe internet',
      { check: expect('the stored result', (o) => o.reachabilityDetails?.traces?.[0]?.steps?.at(-1)?.drop?.cause === 'FIREWALL_RULE') }),
    g('network-management connectivity-tests list', { check: expect('one test', (o) => Array.isArray(o) && o.length === 1) }),
    g('network-management connectivity-tests rerun internet'),
    g('network-management connectivity-tests create internet --source-ip-address=10.0.0.10 --destination-ip-address=8.8.8.8',
      { fails: /already exists/i }),
    g('network-management connectivity-tests delete internet --quiet'),
    g('network-management connectivity-tests describe internet', { fails: /was not found|NOT_FOUND/ }),
    g('compute firewall-rules delete egress-proxy egress-deny-all --quiet'),
    g('compute networks subnets delete cluster --region=us-central1 --quiet'),
    g('compute networks delete net --quiet'),
  ],
};
