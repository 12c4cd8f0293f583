import type { Router } from '../router.js';
import { registerCompute } from './compute.js';
import { registerCertificateManager } from './certificatemanager.js';
import { registerDataproc } from './dataproc.js';
import { registerDns } from './dns.js';
import { registerNetworkSecurity } from './networksecurity.js';
import { registerNetworkServices } from './networkservices.js';
import { registerIam } from './iam.js';
import { registerNetworkManagement } from './networkmanagement.js';
import { registerOperations } from './operations.js';
import { registerOrgPolicy } from './orgpolicy.js';
import { registerPrivateca } from './privateca.js';
import { registerResourceManager } from './resourcemanager.js';
import { registerSecretManager } from './secretmanager.js';
import { registerServiceUsage } from './serviceusage.js';
import { registerStorage } from './storage.js';

// Every emulated API registers its routes here. Patterns of different APIs
// never overlap (each has its own path prefix or collection name).

type Register = (r: Router) => void;
const modules: Register[] = [
  registerOperations,
  registerPrivateca,
  registerCertificateManager,
  registerNetworkSecurity,
  registerNetworkServices,
  registerCompute,
  registerStorage,
  registerIam,
  registerResourceManager,
  registerServiceUsage,
  registerDns,
  registerDataproc,
  registerSecretManager,
  registerOrgPolicy,
  registerNetworkManagement,
];

export function registerAll(router: Router): void {
  for (const register of modules) register(router);
}
