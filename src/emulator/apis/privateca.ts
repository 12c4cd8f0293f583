import type { Router } from '../router.js';
import { registerCertificateAuthorities } from './privateca-ca.js';
import { registerPoolIam } from './privateca-iam.js';
import { registerPools } from './privateca-pool.js';

// Certificate Authority Service v1 (privateca.googleapis.com): CA pools and
// their IAM, self-signed certificate authorities, and the certificates they
// issue for Certificate Manager. Operations: `projects/*/locations/*/operations/*`
// (polled through apis/operations.ts).

export function registerPrivateca(r: Router): void {
  registerPools(r);
  registerPoolIam(r);
  registerCertificateAuthorities(r);
}
