import type { Prepared } from '../cli/context.js';

// The vocabulary of `dpgce doctor`: a check is a named question about the
// live environment answered PASS, WARN or FAIL, always with the evidence that
// decided it and, when it is not a pass, what to do. Checks are grouped by
// the part of the environment they look at; each group is one module under
// src/doctor/ and reads what it needs through the run's session.

export type CheckStatus = 'pass' | 'warn' | 'fail';

export interface CheckResult {
  /** Stable, dotted: `<group>.<question>`, e.g. `isolation.internet-direct`. */
  name: string;
  status: CheckStatus;
  /** What was seen: the resource, rule, route or value that decided it. */
  evidence: string;
  /** What to do about it; empty for a pass. */
  fix: string;
}

export interface DoctorContext {
  /** Configuration, names, desired graph, observed state and the session. */
  p: Prepared;
  /** The clock for expiry checks (tests pass a fixed one). */
  now: Date;
  /**
   * `--connectivity-tests`: run real Connectivity Tests, the only writes
   * doctor makes (it creates and deletes its own).
   */
  connectivityTests?: boolean;
}

/** One group of checks. A group never throws for what it inspects: a failed read is a `fail` with its cause. */
export interface CheckGroup {
  /** The prefix of its checks' names. */
  name: string;
  run(dc: DoctorContext): Promise<CheckResult[]>;
}

export const pass = (name: string, evidence: string): CheckResult => ({ name, status: 'pass', evidence, fix: '' });
export const warn = (name: string, evidence: string, fix: string): CheckResult => ({ name, status: 'warn', evidence, fix });
export const fail = (name: string, evidence: string, fix: string): CheckResult => ({ name, status: 'fail', evidence, fix });

/**
 * Runs a group and turns an unexpected error into one failed check named
 * after the group, so one broken read never hides the other groups' answers.
 * A 404 is not a permission problem: what the group reads is not there,
 * because the environment is not built yet or that resource was deleted,
 * and `dpgce up` creates it.
 */
export async function runGroup(group: CheckGroup, dc: DoctorContext): Promise<CheckResult[]> {
  try {
    return await group.run(dc);
  } catch (err) {
    const { GcpError, scrub } = await import('../gcp/errors.js');
    const cause = scrub(err instanceof Error ? err.message : String(err));
    if (err instanceof GcpError && err.notFound) {
      return [fail(`${group.name}.read`, `${err.site.resource} does not exist (${cause}): the environment is not built ` +
        'yet, or that resource was deleted', 'run `dpgce up` to create it (`dpgce plan` lists what is missing), then doctor again')];
    }
    return [fail(`${group.name}.read`, cause, 'fix the cause above (permissions, an API not enabled) and run doctor again')];
  }
}
