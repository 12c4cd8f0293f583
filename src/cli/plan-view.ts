import type { AppliedChange } from '../apply/engine.js';
import type { EngineEvent } from '../apply/events.js';
import { summarize, type Change, type Plan } from '../plan/plan.js';
import { paint } from './output.js';
import { HANDLERS } from '../resources/index.js';
import type { Desired } from '../resources/types.js';

// Human and JSON views of plans and of applied changes.

const SYMBOL: Record<Change['action'], [string, number]> = {
  create: ['+', 32], update: ['~', 33], replace: ['-/+', 35], delete: ['-', 31],
};

/** Key fields of what a create or replace will build, from the kind's own description. */
function keyFields(c: Change, graph?: Desired[]): string | undefined {
  if ((c.action !== 'create' && c.action !== 'replace') || c.kind === 'service') return undefined;
  const d = graph?.find((x) => x.address === c.address);
  const h = d && HANDLERS[d.kind];
  if (!d || !h?.describe) return undefined;
  try {
    // Parts only the server fills (a state, an expiry) are not known yet: leave them out.
    const text = h.describe(d, { exists: false, owned: true, actual: d.spec })
      .split(', ').filter((part) => !part.includes('?')).join(', ').trim();
    return text || undefined;
  } catch {
    return undefined; // a description needs server-filled fields: the reason says enough
  }
}

export function planText(plan: Plan, color: boolean, graph?: Desired[]): string {
  const lines: string[] = [];
  const width = Math.max(0, ...plan.changes.map((c) => c.address.length));
  for (const c of plan.changes) {
    const [sym, code] = SYMBOL[c.action];
    lines.push(`${paint(color, code, sym.padStart(3))} ${c.address.padEnd(width)}  ${c.name}`);
    lines.push(`      ${paint(color, 2, c.reason)}`);
    const fields = keyFields(c, graph);
    if (fields) lines.push(`      ${paint(color, 2, fields)}`);
  }
  for (const b of plan.blockers) lines.push(`${paint(color, 31, '  !')} ${b.address}: ${b.summary}`, `      ${b.detail}`);
  for (const n of plan.notes) lines.push(`  ${paint(color, 2, `note: ${n}`)}`);
  const s = summarize(plan);
  lines.push('', plan.changes.length === 0
    ? `No changes. ${s.unchanged} resources up to date.`
    : `Plan: ${s.create} to create, ${s.update} to update, ${s.replace} to replace, ${s.delete} to delete, ${s.unchanged} unchanged.`);
  return `${lines.join('\n')}\n`;
}

export function planJson(plan: Plan, applied?: AppliedChange[]): unknown {
  const changes = (applied ?? plan.changes).map((c: Change & Partial<AppliedChange>) => ({
    action: c.action, address: c.address, kind: c.kind, name: c.name, reason: c.reason,
    ...(c.status ? { status: c.status, ...(c.error ? { error: c.error } : {}) } : {}),
  }));
  return {
    changes, summary: summarize(plan),
    ...(plan.blockers.length ? { blockers: plan.blockers } : {}),
    ...(plan.notes.length ? { notes: plan.notes } : {}),
  };
}

/** Live progress lines on stderr. */
export function progressLine(e: EngineEvent, color: boolean): string | undefined {
  const secs = (ms: number): string => `${(ms / 1000).toFixed(1)}s`;
  switch (e.type) {
    case 'change-start': return `${SYMBOL[e.change.action][0].padStart(3)} ${e.change.address} ...`;
    case 'change-progress': return `    ${e.change.address} still ${e.change.action === 'delete' ? 'deleting' : 'working'} (${secs(e.elapsedMs)})`;
    case 'change-done': return `${paint(color, 32, '  ✓')} ${e.change.address} ${e.change.action}d (${secs(e.elapsedMs)})`;
    case 'change-failed': return `${paint(color, 31, '  ✗')} ${e.change.address} ${e.change.action} failed: ${e.error}`;
    case 'change-skipped': return `  - ${e.change.address} skipped: ${e.because}`;
    default: return undefined;
  }
}
