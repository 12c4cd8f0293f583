import { clusterBlockers } from '../plan/cluster-checks.js';
import { CLUSTER_ADDRESS, isClusterBranch } from '../plan/graph-cluster.js';
import { planUp, type Plan } from '../plan/plan.js';
import { createBody } from '../resources/dataproc.js';
import { HANDLERS } from '../resources/index.js';
import { confirmAndApply } from './apply-run.js';
import { gcloudCreateArgs, renderCommand } from './cluster-command.js';
import { prepare, type Prepared, type TargetOptions } from './context.js';
import { CliError } from './errors.js';
import { printJson, useColor } from './output.js';
import { entry, statusText } from './status.js';

// `dpgce cluster create|delete|status|command`: the cluster on its own, in an
// environment whose foundation `up` has built. `create` changes nothing but
// the cluster branch (the cluster, its secrets' grants) and refuses when the
// foundation itself has changes pending; `delete` removes an owned cluster.

export interface ClusterOptions extends TargetOptions {
  yes?: boolean;
  adopt?: boolean;
}

async function prepared(opts: TargetOptions, purpose: 'up' | 'down' | 'status'): Promise<Prepared> {
  const p = await prepare(opts, purpose, { cluster: true });
  if (!p.names.cluster) {
    await p.session.close();
    throw new CliError(`${opts.env} names no cluster: set CLUSTER_NAME`);
  }
  return p;
}

async function run(p: Prepared, fn: () => Promise<void>): Promise<void> {
  try {
    await fn();
  } finally {
    await p.session.close();
  }
}

/** The plan of `up`, cut down to the cluster branch; blockers judged without foundation changes. */
function clusterPlan(p: Prepared, adopt?: boolean): { plan: Plan; foundation: string[] } {
  const full = planUp(p.graph, p.ctx.observed, HANDLERS, { adopt });
  const changes = full.changes.filter((c) => isClusterBranch(c.address));
  const blockers = [
    ...full.blockers.filter((b) => b.address !== CLUSTER_ADDRESS),
    ...clusterBlockers(p.graph, p.ctx.observed, changes),
  ];
  const foundation = full.changes
    .filter((c) => !isClusterBranch(c.address))
    .map((c) => `${c.action} ${c.address}`);
  return { plan: { ...full, changes, blockers }, foundation };
}

export async function clusterCreate(opts: ClusterOptions): Promise<void> {
  const p = await prepared(opts, 'up');
  await run(p, async () => {
    const { plan, foundation } = clusterPlan(p, opts.adopt);
    if (!plan.blockers.length && foundation.length) {
      throw new CliError(
        `the foundation has ${foundation.length} change(s) pending (${foundation.slice(0, 5).join(', ')}` +
          `${foundation.length > 5 ? ', ...' : ''}); run \`dpgce up\`, which builds it and then the cluster`,
      );
    }
    await confirmAndApply(p, plan, opts, 'cluster create');
  });
}

export async function clusterDelete(opts: ClusterOptions): Promise<void> {
  const p = await prepared(opts, 'down');
  await run(p, async () => {
    const d = p.graph.find((x) => x.address === CLUSTER_ADDRESS)!;
    const o = p.ctx.observed.get(CLUSTER_ADDRESS);
    const plan: Plan = { changes: [], unchanged: [], blockers: [], notes: [] };
    if (o?.exists && !o.owned) {
      throw new CliError(
        `${d.name} does not carry the mark dpgce-env=${p.names.ownerMark}; dpgce deletes only ` +
          'clusters it created',
      );
    }
    if (o?.exists) {
      plan.changes.push({
        action: 'delete',
        address: d.address,
        kind: d.kind,
        name: d.name,
        reason: 'owned by this environment',
      });
    } else {
      plan.notes.push(`${d.name} does not exist`);
    }
    await confirmAndApply(p, plan, opts, 'cluster delete');
  });
}

export async function clusterStatus(opts: TargetOptions): Promise<void> {
  const p = await prepared(opts, 'status');
  await run(p, async () => {
    const entries = p.graph
      .filter((d) => isClusterBranch(d.address) && d.kind !== 'service')
      .map((d) => entry(d, p.ctx.observed.get(d.address)));
    if (opts.json) printJson({ resources: entries });
    else process.stdout.write(statusText(entries, useColor(process.stdout)));
    if (entries.some((e) => e.state !== 'present')) process.exitCode = 1;
  });
}

export async function clusterCommand(opts: TargetOptions): Promise<void> {
  const p = await prepared(opts, 'status');
  await run(p, async () => {
    const d = p.graph.find((x) => x.address === CLUSTER_ADDRESS)!;
    const body = createBody(p.ctx, d);
    if (d.spec.signing && !body.config.gceClusterConfig.metadata.modulus_md5sum) {
      throw new CliError(
        `the module-signing secrets ${d.spec.signing.keySecret} and ${d.spec.signing.certSecret} ` +
          'are missing or unreadable: run `dpgce secure-boot keys` first',
      );
    }
    const args = gcloudCreateArgs(body, d.spec.region);
    if (opts.json) printJson({ command: ['gcloud', ...args], text: renderCommand(args) });
    else process.stdout.write(renderCommand(args));
  });
}
