// Validation of a parsed env.json: every known key against its schema, every
// unknown key against the list of known ones, then the cross-field checks.
// Each key is parsed on its own, so one bad value never hides another and
// the cross-field checks still see every value that is fine.

import { closest, distance } from 'fastest-levenshtein';
import type { core } from 'zod';
import { crossCheck } from './cross-checks.js';
import { KEYS, KNOWN_KEYS, type KeySpec } from './keys.js';
import { jsonType, MAX_VALUE_LENGTH, show } from './problem.js';
import { fieldSchema } from './schema.js';
import type { Diagnostic } from './types.js';

export interface Validation {
  diagnostics: Diagnostic[];
  /** Values that passed their own rules, as zod returned them. */
  values: Map<string, unknown>;
  envName?: string;
}

const EXPECTED: Record<KeySpec['shape'], string> = {
  string: 'a string',
  port: 'a number or a decimal string',
  'host-list': 'an array of host patterns',
  'preset-list': 'an array of preset names',
  'policy-rules': 'an array of rules',
  boolean: 'true or false',
  count: 'a whole number',
  'string-list': 'an array of strings',
};

function error(key: string, summary: string, detail: string): Diagnostic {
  return { severity: 'error', key, summary, detail };
}

/** One zod issue as a Diagnostic: never zod's own wording or JSON. */
function issueDiagnostic(spec: KeySpec, raw: unknown, issue: core.$ZodIssue): Diagnostic {
  const index = issue.path.find((part) => typeof part === 'number');
  // SWP_POLICY_RULES[2].hosts[0]: the whole path to the value.
  const label = spec.key + issue.path.map((part) =>
    (typeof part === 'number' ? `[${part}]` : `.${String(part)}`)).join('');
  const value = index === undefined ? raw : (raw as unknown[])[index];
  if (issue.code === 'custom') {
    return error(spec.key, `${label} ${issue.message}`, String(issue.params?.detail ?? ''));
  }
  const expected = index === undefined ? EXPECTED[spec.shape] : 'a string';
  return error(spec.key, `${label} must be ${expected}, not ${jsonType(value)}`,
    `Write it as, e.g., "${spec.key}": ${spec.example}.`);
}

function checkKnownKey(spec: KeySpec, entries: ReadonlyMap<string, unknown>, out: Validation) {
  if (!entries.has(spec.key)) {
    if (!spec.required) return;
    const detail = `Add "${spec.key}": ${spec.example} to env.json.`;
    out.diagnostics.push(error(spec.key, `${spec.key} is missing`, detail));
    return;
  }
  const raw = entries.get(spec.key);
  const result = fieldSchema(spec).safeParse(raw);
  if (result.success) {
    out.values.set(spec.key, result.data);
    return;
  }
  out.diagnostics.push(...result.error.issues.map((issue) => issueDiagnostic(spec, raw, issue)));
}

/** Unknown keys warn (sibling tools may read them), naming the closest known key. */
function checkUnknownKey(key: string, value: unknown): Diagnostic[] {
  const shown = /^[A-Za-z0-9_]{1,64}$/.test(key) ? key : show(key);
  const near = closest(key.toUpperCase(), KNOWN_KEYS as string[]);
  const likely = distance(key.toUpperCase(), near) <= Math.max(2, Math.floor(key.length / 3));
  const found: Diagnostic[] = [{
    severity: 'warning', key: shown,
    summary: likely
      ? `unknown key ${shown}; did you mean ${near}?`
      : `unknown key ${shown}; the closest known key is ${near}`,
    detail: likely ? `Rename it to ${near} if that is what you meant; dpgce ignores ${shown}.`
      : `dpgce ignores ${shown}; the keys it reads are listed in schema/env.schema.json.`,
  }];
  if (typeof value === 'string' && value.length > MAX_VALUE_LENGTH) {
    const limit = `values are limited to ${MAX_VALUE_LENGTH} characters`;
    found.push(error(shown, `${shown} ${show(value)} is too long; ${limit}`,
      'Remove the key or shorten its value.'));
  }
  return found;
}

/** Diagnostics in key-table order, file-level first and unknown keys last. */
function byKeyOrder(diagnostics: Diagnostic[]): Diagnostic[] {
  const rank = (key: string) => {
    if (key === 'env.json') return -1;
    return KNOWN_KEYS.includes(key) ? KNOWN_KEYS.indexOf(key) : KEYS.length;
  };
  return diagnostics
    .map((d, i) => ({ d, i }))
    .sort((a, b) => rank(a.d.key) - rank(b.d.key) || a.i - b.i)
    .map(({ d }) => d);
}

/** Validates the top-level entries of env.json, reporting every problem. */
export function validateEntries(entries: ReadonlyMap<string, unknown>): Validation {
  const out: Validation = { diagnostics: [], values: new Map() };
  for (const spec of KEYS) checkKnownKey(spec, entries, out);
  for (const [key, value] of entries) {
    if (!KNOWN_KEYS.includes(key)) out.diagnostics.push(...checkUnknownKey(key, value));
  }
  const cross = crossCheck(out.values);
  out.envName = cross.envName;
  out.diagnostics = byKeyOrder([...out.diagnostics, ...cross.diagnostics]);
  return out;
}
