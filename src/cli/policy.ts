import { readFile } from 'node:fs/promises';
import { formatDiagnostics } from '../config/diagnostics.js';
import { loadEnvFile } from '../config/load.js';
import { deriveNames } from '../config/names.js';
import type { EnvConfig } from '../config/types.js';
import { PolicyEvaluationError, type RequestSource } from '../policy/evaluate.js';
import {
  normalizeTestUrl,
  policyFromGraph,
  testUrl,
  TestInputError,
  type SimulatedPolicy,
} from '../policy/simulate.js';
import { desiredGraph } from '../plan/graph.js';
import type { TargetOptions } from './context.js';
import { CliError } from './errors.js';
import { printJson, useColor } from './output.js';
import { explainJson, explainText, testJson, testText } from './policy-view.js';

// `dpgce policy test URL...` and `dpgce policy explain`. Offline by default:
// the policy is the one env.json generates, built by the same code as `up`'s
// desired graph, and no Google API client is loaded. `--live` reads the
// deployed policy back through the target flags and the session instead.

export interface PolicyOptions extends TargetOptions {
  live?: boolean;
  fromFile?: string;
  sourceServiceAccount?: string;
  sourceTag?: string[];
}

/** `dpgce policy test`: one verdict per URL; exit 1 only on bad input or a failed read. */
export async function policyTest(urls: string[], opts: PolicyOptions): Promise<void> {
  const inputs = [...urls, ...(opts.fromFile ? await urlsFromFile(opts.fromFile) : [])];
  if (inputs.length === 0) throw new CliError('give at least one URL to test, or --from-file FILE');
  const bad = inputs.flatMap((u) => {
    try {
      normalizeTestUrl(u);
      return [];
    } catch (err) {
      if (err instanceof TestInputError) return [err.message];
      throw err;
    }
  });
  if (bad.length) throw new CliError(`nothing was tested: ${bad.join('; ')}`);

  const policy = await loadPolicy(opts);
  const source: RequestSource = { serviceAccount: opts.sourceServiceAccount, tags: opts.sourceTag };
  const results = evaluating(() => inputs.map((u) => testUrl(policy, u, source)));
  if (opts.json) printJson(testJson(results));
  else process.stdout.write(testText(results, policy.origin, useColor(process.stdout)));
}

/** `dpgce policy explain`: the rules in evaluation order. */
export async function policyExplain(opts: PolicyOptions): Promise<void> {
  const policy = await loadPolicy(opts);
  if (opts.json) printJson(explainJson(policy));
  else process.stdout.write(explainText(policy, useColor(process.stdout)));
}

/** One URL a line; blank lines and `#` comments are skipped. */
async function urlsFromFile(file: string): Promise<string[]> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    throw new CliError(
      `--from-file ${file} cannot be read (${(err as NodeJS.ErrnoException).code ?? err})`,
    );
  }
  return text
    .split(/\r?\n/)
    .map((l) => l.replace(/(^|\s)#.*$/, '').trim())
    .filter(Boolean);
}

function evaluating<T>(fn: () => T): T {
  try {
    return fn();
  } catch (err) {
    if (err instanceof PolicyEvaluationError) throw new CliError(err.message);
    throw err;
  }
}

async function loadPolicy(opts: PolicyOptions): Promise<SimulatedPolicy> {
  // 1. Configuration: every problem at once.
  const { config, diagnostics } = await loadEnvFile(opts.env);
  if (diagnostics.length)
    process.stderr.write(formatDiagnostics(diagnostics, useColor(process.stderr)));
  if (!config) throw new CliError(`${opts.env} is not valid; nothing was tested`);

  // 2. The policy env.json generates, or the one deployed.
  if (!opts.live) {
    if (opts.local || opts.emulator || opts.impersonateServiceAccount) {
      throw new CliError(
        'the target flags choose where --live reads the policy; add --live, or drop them to ' +
          'test the policy env.json generates',
      );
    }
    return policyFromGraph(desiredGraph(config, deriveNames(config), { bootScript: '' }));
  }
  return readLive(opts, config);
}

async function readLive(opts: PolicyOptions, config: EnvConfig): Promise<SimulatedPolicy> {
  const { resolveTarget } = await import('./context.js');
  const { openSession } = await import('../gcp/open-session.js');
  const { readDeployedPolicy } = await import('./policy-live.js');
  const names = deriveNames(config);
  const name =
    `projects/${config.projectId}/locations/${config.region}/gatewaySecurityPolicies/` +
    names.gatewaySecurityPolicy;
  const session = await openSession(resolveTarget(opts));
  try {
    return await readDeployedPolicy(session, name);
  } finally {
    await session.close();
  }
}
