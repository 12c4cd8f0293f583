import { firewall, network } from './compute-network.js';
import { route, router, subnetwork } from './compute-subnetwork.js';
import { certificate, certificateIssuanceConfig } from './certificatemanager.js';
import { dnsRecordSet, dnsZone } from './dns.js';
import { iamBinding, service, serviceAccount } from './iam.js';
import { gatewaySecurityPolicy, gatewaySecurityPolicyRule, tlsInspectionPolicy, urlList } from './networksecurity.js';
import { gateway } from './networkservices.js';
import { caPool, caPoolIam, certificateAuthority } from './privateca.js';
import { dataprocCluster } from './dataproc.js';
import { secret, secretIam } from './secretmanager.js';
import { bucket, object } from './storage.js';
import { bucketIam } from './storage-iam.js';
import type { ResourceHandler } from './types.js';

/** Every resource kind the graph may contain, by kind (the address prefix). */
export const HANDLERS: Record<string, ResourceHandler> = Object.fromEntries(
  [service, network, route, subnetwork, firewall, router, dnsZone, dnsRecordSet, serviceAccount, iamBinding,
    bucket, bucketIam, object, caPool, certificateAuthority, caPoolIam, certificateIssuanceConfig, certificate,
    tlsInspectionPolicy, urlList, gatewaySecurityPolicy, gatewaySecurityPolicyRule, gateway,
    secret, secretIam, dataprocCluster].map((h) => [h.kind, h]),
);
