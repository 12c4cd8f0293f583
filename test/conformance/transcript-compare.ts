import type { Exchange } from '../../src/emulator/server.js';
import type { Recorded } from './transcript-log.js';

// Comparing the emulator's exchanges with the recorded real ones. Values are
// normalised away the way the transcripts normalise them (ids, times, names
// and the project are placeholders there), so what is compared is the
// shape: method and path, status, and the response JSON's keys, value types,
// enum values, `kind`/`@type`, and an error's status. Each recorded exchange
// is matched with the next of ours with the same method and path; extra
// requests of ours (gcloud 528 asks a little differently) are not differences.

export interface Difference {
  case: string;
  /** `METHOD path` of the recorded exchange. */
  at: string;
  /** Dotted path in the response JSON, or `status` / `request`. */
  field: string;
  kind: 'not-sent' | 'status' | 'missing' | 'extra' | 'type' | 'value' | 'enum-int';
  recorded?: unknown;
  ours?: unknown;
}

/** A recorded path as a pattern: each placeholder stands for one or more characters within a segment. */
function pathPattern(url: string): RegExp {
  const path = url.split('?')[0];
  const parts = path.split(/\$\{[A-Za-z]+\}/).map((p) => decodeURIComponent(p).replace(/[.*+?^$()|[\]\\{}]/g, '\\$&'));
  return new RegExp(`^${parts.join('[^/]+')}$`);
}

export function compareCase(name: string, recorded: Recorded[], ours: Exchange[]): Difference[] {
  const out: Difference[] = [];
  let next = 0;
  for (const r of recorded) {
    const pattern = pathPattern(r.url);
    const at = `${r.method} ${r.url.split('?')[0]}`;
    const i = ours.findIndex((o, j) => j >= next && o.method === r.method && pattern.test(decodeURIComponent(o.path)));
    if (i < 0) {
      out.push({ case: name, at, field: 'request', kind: 'not-sent' });
      continue;
    }
    next = i + 1;
    const o = ours[i];
    if (o.status !== r.status) {
      out.push({ case: name, at, field: 'status', kind: 'status', recorded: r.status, ours: o.status });
      continue;
    }
    compareJson(r.response, o.response, '', (d) => out.push({ case: name, at, ...d }));
  }
  return out;
}

type Report = (d: Omit<Difference, 'case' | 'at'>) => void;

const ENUM = /^[A-Z][A-Z0-9]*(_[A-Z0-9]+)+$|^[A-Z]{3,}$/;
/** Fields whose values are compared exactly (after the placeholders). */
const EXACT = new Set(['kind', '@type', 'status', 'state', 'operationType', 'verb', 'type', 'code']);
/** Objects keyed by data, not by schema: their keys are not compared. */
const MAP_FIELDS = new Set(['labels', 'annotations', 'userLabels', 'clusterLabels']);
const SCOPE_KEY = /^(global|regions\/|zones\/)/;

function compareJson(rec: unknown, ours: unknown, at: string, report: Report): void {
  if (rec === undefined) return;
  if (ours === undefined) return report({ field: at || '(body)', kind: 'missing', recorded: shape(rec) });
  if (Array.isArray(rec)) {
    if (!Array.isArray(ours)) return report({ field: at, kind: 'type', recorded: 'array', ours: shape(ours) });
    return compareArrays(rec, ours, at, report);
  }
  if (rec !== null && typeof rec === 'object') {
    if (ours === null || typeof ours !== 'object' || Array.isArray(ours)) {
      return report({ field: at, kind: 'type', recorded: 'object', ours: shape(ours) });
    }
    const r = rec as Record<string, unknown>;
    const keys = Object.keys(r);
    const isMap = MAP_FIELDS.has(at.split('.').pop() ?? '') || (keys.length > 0 && keys.every((k) => SCOPE_KEY.test(k)));
    const o = ours as Record<string, unknown>;
    for (const k of Object.keys(r)) {
      if (isMap && !(k in o)) continue;
      compareJson(r[k], o[k], at ? `${at}.${k}` : k, report);
    }
    if (!isMap) {
      for (const k of Object.keys(o)) if (!(k in r)) report({ field: at ? `${at}.${k}` : k, kind: 'extra', ours: shape(o[k]) });
    }
    return;
  }
  compareScalar(rec, ours, at, report);
}

function compareArrays(rec: unknown[], ours: unknown[], at: string, report: Report): void {
  if (rec.length && !ours.length) return report({ field: at, kind: 'missing', recorded: `${rec.length} items` });
  // Lists are unordered (strict mode shuffles): pair elements by name when they have one.
  const byName = (xs: unknown[]) => new Map(xs.map((x) => [(x as any)?.name, x]));
  const named = rec.every((x: any) => typeof x?.name === 'string');
  const mine = byName(ours);
  rec.forEach((r, i) => {
    const o = named ? (mine.get((r as any).name) ?? ours[Math.min(i, ours.length - 1)]) : ours[Math.min(i, ours.length - 1)];
    compareJson(r, o, `${at}[]`, report);
  });
}

function compareScalar(rec: unknown, ours: unknown, at: string, report: Report): void {
  const key = at.split('.').pop()?.replace(/\[\]$/, '') ?? '';
  // `$alt=json;enum-encoding=int` answers carry enum numbers.
  if (typeof rec === 'number' && typeof ours === 'string' && ENUM.test(ours)) {
    return report({ field: at, kind: 'enum-int', recorded: rec, ours });
  }
  if (typeof rec !== typeof ours) return report({ field: at, kind: 'type', recorded: shape(rec), ours: shape(ours) });
  if (typeof rec !== 'string' || rec.includes('${')) return;
  const exact = EXACT.has(key) || (ENUM.test(rec) && ENUM.test(String(ours)));
  if (exact && normal(rec) !== normal(String(ours))) report({ field: at, kind: 'value', recorded: rec, ours });
}

/** Recorded `@type`s of the mock era name packages `mockgcp.*`; the real ones are `google.*`. */
const normal = (v: string): string => v.replace('type.googleapis.com/mockgcp.', 'type.googleapis.com/google.');

function shape(v: unknown): string {
  return Array.isArray(v) ? 'array' : v === null ? 'null' : typeof v;
}
