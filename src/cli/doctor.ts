import type { CheckResult, CheckStatus } from '../doctor/check.js';
import { runGroup } from '../doctor/check.js';
import { GROUPS } from '../doctor/index.js';
import { prepare, targetLine, type TargetOptions } from './context.js';
import { CliError } from './errors.js';
import { paint, printJson, useColor } from './output.js';

// `dpgce doctor`: every check of src/doctor/ against the live environment,
// as PASS / WARN / FAIL lines with evidence and fix, or one JSON document.
// Exit code 1 when any check fails; warnings alone keep 0.

export async function doctor(opts: TargetOptions & { connectivityTests?: boolean }): Promise<void> {
  const p = await prepare(opts, 'status');
  try {
    if (!opts.json) process.stderr.write(`${targetLine(p)}\n`);
    const dc = { p, now: doctorClock(), connectivityTests: opts.connectivityTests === true };
    // Groups only read (connectivity writes only its own tests), so they run side by side; the report keeps GROUPS' order.
    const checksStarted = performance.now();
    const checks = (await Promise.all(GROUPS.map((g) => runGroup(g, dc)))).flat();
    // performance.now() counts from process start: the whole wait a user sees,
    // module loading and reading the environment included.
    process.stderr.write(`doctor: ${checks.length} checks in ${seconds(performance.now())} s ` +
      `(${seconds(performance.now() - checksStarted)} s of them after the environment was read)\n`);
    if (opts.json) printJson({ checks });
    else process.stdout.write(doctorText(checks, useColor(process.stdout)));
    if (checks.some((c) => c.status === 'fail')) process.exitCode = 1;
  } finally {
    await p.session.close();
  }
}

const seconds = (ms: number): string => (ms / 1000).toFixed(2);

/**
 * The time expiry checks judge by. DPGCE_DOCTOR_NOW (an ISO time) is for
 * tests only: it moves doctor's clock, nothing else.
 */
function doctorClock(): Date {
  const set = process.env.DPGCE_DOCTOR_NOW;
  if (!set) return new Date();
  const t = new Date(set);
  if (Number.isNaN(t.getTime())) throw new CliError(`DPGCE_DOCTOR_NOW=${set} is not a time (e.g. 2030-01-31T00:00:00Z)`);
  return t;
}

export function doctorText(checks: CheckResult[], color: boolean): string {
  const code: Record<CheckStatus, number> = { pass: 32, warn: 33, fail: 31 };
  const width = Math.max(0, ...checks.map((c) => c.name.length));
  const lines: string[] = [];
  for (const c of checks) {
    lines.push(`${paint(color, code[c.status], c.status.toUpperCase().padEnd(4))} ${c.name.padEnd(width)}  ${c.evidence}`);
    if (c.fix) lines.push(`${' '.repeat(width + 7)}fix: ${c.fix}`);
  }
  const count = (s: CheckStatus): number => checks.filter((c) => c.status === s).length;
  lines.push(`${checks.length} checks: ${count('pass')} pass, ${count('warn')} warn, ${count('fail')} fail`);
  return `${lines.join('\n')}\n`;
}
