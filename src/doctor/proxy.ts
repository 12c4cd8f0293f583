import { fail, pass, type CheckGroup, type CheckResult, type DoctorContext } from './check.js';
import { desired, found, resource, sameResource, shortName } from './observed.js';
import { policyChecks } from './proxy-policy.js';
import { tlsChecks } from './proxy-tls.js';

// The Secure Web Proxy: the gateway is serving, its policy lets nodes fetch
// what they need and nothing else, and TLS inspection is wired end to end.

const READY = 'proxy.gateway-ready';

/**
 * Network Services gateways carry no state field (v1 `Gateway` has none): a
 * gateway that can be read has finished its create operation. It serves
 * nodes when it listens where they are told to connect (SWP_IP:SWP_PORT),
 * enforces our policy, and its certificate has been issued (ACTIVE).
 */
async function gatewayReady(dc: DoctorContext): Promise<CheckResult | undefined> {
  const d = desired(dc, 'gateway.swp');
  if (!d) return undefined;
  const gw = found(dc, d.address);
  if (!gw) {
    return fail(READY, `gateway ${d.name} does not exist: nodes have no proxy to reach`,
      'run `dpgce up` to create it (a Secure Web Proxy takes several minutes)');
  }
  const { swpIp, swpPort } = dc.p.config;
  const problems: string[] = [];
  if (gw.type !== 'SECURE_WEB_GATEWAY') problems.push(`type is ${gw.type}, not SECURE_WEB_GATEWAY`);
  if (!(gw.addresses ?? []).includes(swpIp)) problems.push(`addresses ${JSON.stringify(gw.addresses ?? [])} lack SWP_IP ${swpIp}`);
  if (!(gw.ports ?? []).map(Number).includes(swpPort)) problems.push(`ports ${JSON.stringify(gw.ports ?? [])} lack SWP_PORT ${swpPort}`);
  if (!sameResource(gw.gatewaySecurityPolicy, d.spec.gatewaySecurityPolicy)) {
    problems.push(`policy is ${gw.gatewaySecurityPolicy ?? '(none)'}, not ${d.spec.gatewaySecurityPolicy}`);
  }
  const certs = await certificateStates(dc, gw.certificateUrls ?? []);
  if (!certs.length) problems.push('it has no certificate');
  problems.push(...certs.filter((c) => c.state !== 'ACTIVE').map((c) => `certificate ${c.name} is ${c.state}`));

  const where = `gateway ${shortName(d.name)} (${gw.type} at ${(gw.addresses ?? []).join(',')}:${(gw.ports ?? []).join(',')})`;
  if (!problems.length) {
    return pass(READY, `${where}, policy ${shortName(gw.gatewaySecurityPolicy)}, ` +
      `certificate ${certs.map((c) => `${shortName(c.name)} ${c.state}`).join(', ')}`);
  }
  return fail(READY, `${where}: ${problems.join('; ')}`, gatewayFix(dc, certs));
}

interface CertState {
  name: string;
  state: string;
}

async function certificateStates(dc: DoctorContext, urls: string[]): Promise<CertState[]> {
  const cm = await dc.p.session.client('certificatemanager');
  return Promise.all(urls.map(async (name) => {
    const cert = await resource(dc, 'certificate.swp', name,
      { method: 'certificatemanager.certificates.get', resource: name },
      () => cm.projects.locations.certificates.get({ name }));
    // A self-managed certificate has no state: it is usable once uploaded.
    const state = !cert ? 'missing' : cert.managed ? cert.managed.state ?? 'STATE_UNSPECIFIED' : 'ACTIVE';
    const issue = cert?.managed?.provisioningIssue?.reason;
    return { name, state: issue ? `${state} (${issue})` : state };
  }));
}

function gatewayFix(dc: DoctorContext, certs: CertState[]): string {
  const where = `--location=${dc.p.config.region} --project=${dc.p.config.projectId}`;
  if (certs.some((c) => c.state.startsWith('FAILED'))) {
    const c = certs.find((x) => x.state.startsWith('FAILED'))!;
    return `a FAILED managed certificate is never retried: delete the gateway and the certificate ` +
      `(gcloud certificate-manager certificates delete ${shortName(c.name)} ${where}), then run \`dpgce up\``;
  }
  if (certs.some((c) => c.state.startsWith('PROVISIONING'))) {
    return 'wait for the certificate; if it stays PROVISIONING, the certificatemanager service agent needs ' +
      'roles/privateca.certificateRequester on the CA pool and the pool an ENABLED CA (see proxy.tls-*); `dpgce up` restores both';
  }
  return 'run `dpgce up`: it replaces the gateway with the address, port, policy and certificate env.json defines';
}

export const proxy: CheckGroup = {
  name: 'proxy',
  async run(dc) {
    const [ready, policy, tls] = await Promise.all([gatewayReady(dc), policyChecks(dc), tlsChecks(dc)]);
    return [...(ready ? [ready] : []), ...policy, ...tls];
  },
};
