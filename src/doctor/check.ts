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
 */
export async function runGroup(group: CheckGroup, dc: DoctorContext): Promise<CheckResult[]> {
  try {
    return await group.run(dc);
  } catch (err) {
    const { scrub } = await import('../gcp/errors.js');
    return [fail(`${group.name}.read`, scrub(err instanceof Error ? err.message : String(err)),
      'fix the cause above (permissions, an API not enabled) and run doctor again')];
  }
}
