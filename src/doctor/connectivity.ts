import { createHash } from 'node:crypto';
import type { networkmanagement_v1 } from 'googleapis/build/src/apis/networkmanagement/v1.js';
import { CLUSTER_ADDRESS } from '../plan/graph-cluster.js';
import { GcpError, scrub } from '../gcp/errors.js';
import { waitLro } from '../gcp/operations.js';
import type { Session } from '../gcp/session.js';
import { warn, type CheckGroup, type CheckResult, type DoctorContext } from './check.js';
import { cloudAnswer, fixFor, verdict } from './connectivity-verdict.js';
import { readNetworkModel } from './network-model.js';
import { analyze, clusterNode, isolationQuestions, type IsolationQuestion, type SourceNode } from './reachability.js';

// `dpgce doctor --connectivity-tests`: the isolation questions asked again
// as real Network Management Connectivity Tests, named after the
// environment and marked as its own, compared with the expected answer and
// with the local analysis, and deleted afterwards (also after a failure or
// Ctrl-C). These tests are the only thing doctor ever writes.

type Test = networkmanagement_v1.Schema$ConnectivityTest;
type Client = networkmanagement_v1.Networkmanagement;

/** Connectivity Test ids: at most 40 characters. */
const MAX_TEST_ID = 40;

export const connectivity: CheckGroup = {
  name: 'connectivity',
  async run(dc: DoctorContext): Promise<CheckResult[]> {
    if (!dc.connectivityTests) return [];
    const { config, names, session } = dc.p;
    const parent = `projects/${config.projectId}/locations/global`;
    const nm = await session.client('networkmanagement');
    const questions = isolationQuestions(config, names);
    const cluster = dc.p.ctx.observed.get(CLUSTER_ADDRESS)?.actual;
    const node = clusterNode(config, names, cluster?.config?.gceClusterConfig?.internalIpOnly === false);
    const model = await readNetworkModel(dc.p);

    // 1. Leftovers of an earlier run (same names, our mark) are replaced; a
    //    test of that name that is not ours is left alone and reported.
    let existing: Map<string, Test>;
    try {
      existing = await listTests(session, nm, parent);
    } catch (err) {
      return [unavailable(err, config.projectId)];
    }
    const tests = questions.map((q) => ({ q, name: `${parent}/connectivityTests/${testId(names.ownerMark, q.id)}` }));
    const foreign = tests.filter((t) => existing.has(t.name) && !ours(existing.get(t.name)!, names.ownerMark));
    const mine = tests.filter((t) => !foreign.includes(t));

    // 2. Create every test side by side, wait for all, always delete them.
    const created = new Set<string>();
    const cleanup = (): Promise<void> => deleteAll(session, nm, [...created]);
    const onSigint = (): void => {
      void cleanup().finally(() => process.exit(130));
    };
    process.once('SIGINT', onSigint);
    try {
      await deleteAll(session, nm, mine.filter((t) => existing.has(t.name)).map((t) => t.name));
      const results = await Promise.all(mine.map(async ({ q, name }) => {
        const test = await runTest(session, nm, parent, name, body(q, node, config.projectId, names), created);
        const cloud = cloudAnswer(test);
        return verdict(q, testId(names.ownerMark, q.id), cloud, analyze(model, node, q), fixFor(q, config, names, cloud));
      }));
      return [...results, ...foreign.map(({ q, name }) => warn(`connectivity.${q.id}`,
        `Connectivity Test ${name} exists without the mark dpgce-env=${names.ownerMark}: not run, not touched`,
        `rename or delete that test (gcloud network-management connectivity-tests delete ${name.split('/').pop()} ` +
        `--project ${config.projectId}), then run doctor again`))];
    } catch (err) {
      if (err instanceof GcpError && (err.httpStatus === 403 || err.httpStatus === 404)) return [unavailable(err, config.projectId)];
      throw err;
    } finally {
      process.off('SIGINT', onSigint);
      await cleanup();
    }
  },
};

/** `<ENV_NAME>-doctor-<id>`, shortened (with a hash of the mark, so it stays unique) when too long. */
export function testId(ownerMark: string, id: string): string {
  const full = `${ownerMark}-doctor-${id}`;
  if (full.length <= MAX_TEST_ID) return full;
  const hash = createHash('sha256').update(ownerMark).digest('hex').slice(0, 6);
  const room = MAX_TEST_ID - `-${hash}-doctor-${id}`.length;
  return `${ownerMark.slice(0, Math.max(1, room)).replace(/-+$/, '')}-${hash}-doctor-${id}`;
}

const ours = (t: Test, mark: string): boolean => t.labels?.['dpgce-env'] === mark;

/** The test for one question: from the node's address in the environment's network. */
function body(q: IsolationQuestion, node: SourceNode, project: string, names: { network: string; ownerMark: string }): Test {
  const destination: networkmanagement_v1.Schema$Endpoint = { ipAddress: q.destination.ipAddress };
  if (q.destination.port !== undefined) destination.port = q.destination.port;
  return {
    description: `dpgce doctor: ${q.description} from ${node.ipAddress}`,
    source: { ipAddress: node.ipAddress, network: `projects/${project}/global/networks/${names.network}`, projectId: project },
    destination,
    protocol: q.protocol,
    labels: { 'dpgce-env': names.ownerMark },
  };
}

async function runTest(s: Session, nm: Client, parent: string, name: string, requestBody: Test, created: Set<string>): Promise<Test> {
  const site = { method: 'networkmanagement.connectivityTests.create', resource: name };
  const id = name.split('/').pop()!;
  const op = await s.call(site, () => nm.projects.locations.global.connectivityTests.create({ parent, testId: id, requestBody }));
  created.add(name);
  const done = await waitLro(s, op, site, (n) => nm.projects.locations.global.operations.get({ name: n }));
  return (done ?? {}) as Test;
}

async function deleteAll(s: Session, nm: Client, testNames: string[]): Promise<void> {
  await Promise.all(testNames.map(async (name) => {
    const site = { method: 'networkmanagement.connectivityTests.delete', resource: name };
    try {
      const op = await s.call(site, () => nm.projects.locations.global.connectivityTests.delete({ name }));
      await waitLro(s, op, site, (n) => nm.projects.locations.global.operations.get({ name: n }));
    } catch (err) {
      if (!(err instanceof GcpError && err.notFound)) throw err;
    }
  }));
}

async function listTests(s: Session, nm: Client, parent: string): Promise<Map<string, Test>> {
  const found = new Map<string, Test>();
  let pageToken: string | undefined;
  do {
    const page = await s.call({ method: 'networkmanagement.connectivityTests.list', resource: `${parent}/connectivityTests` },
      () => nm.projects.locations.global.connectivityTests.list({ parent, pageToken }));
    for (const t of page.resources ?? []) if (t.name) found.set(t.name, t);
    pageToken = page.nextPageToken ?? undefined;
  } while (pageToken);
  return found;
}

/** One WARN for an API that is off or a caller that may not use it. */
function unavailable(err: unknown, project: string): CheckResult {
  if (!(err instanceof GcpError) || (err.httpStatus !== 403 && err.httpStatus !== 404)) throw err;
  const disabled = /SERVICE_DISABLED|has not been used|is disabled/i.test(`${err.reason} ${err.detail}`);
  return warn('connectivity.api', `Connectivity Tests not run: ${scrub(err.message)}`, disabled
    ? `enable the Network Management API: gcloud services enable networkmanagement.googleapis.com --project ${project}`
    : `grant the caller roles/networkmanagement.admin on project ${project} (it creates and deletes its own tests)`);
}
