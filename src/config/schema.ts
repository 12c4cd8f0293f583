// The env.json schema in zod, built from the key table: the shape and type
// layer plus each field's own rule. Cross-field checks (overlaps, SWP_IP
// placement, ZONE in REGION) are plain code in cross-checks.ts. The JSON
// Schema published in schema/env.schema.json is generated from this.

import { z } from 'zod';
import { DEFAULT_PRESETS, PRESET_NAMES } from '../policy/presets.js';
import { hostPatternRule, portProblem } from './host-rules.js';
import { clusterFieldSchema } from './cluster-schema.js';
import { KEYS, type KeySpec } from './keys.js';
import { policyRulesSchema } from './policy-rules-schema.js';
import {
  firstNonAscii, MAX_VALUE_LENGTH, problem, show, type Problem, type StringRule,
} from './problem.js';

/** Entries a list key may hold; far above any real allowlist. */
export const MAX_LIST_ENTRIES = 500;

const ASCII_DETAIL =
  'Retype the value in plain ASCII: look-alike letters (Cyrillic, fullwidth digits) and ' +
  'invisible characters are not accepted.';

/** Checks every string value gets before its own rule. */
function commonProblem(value: string, unicode: boolean): Problem | undefined {
  const v = show(value);
  if (value === '') {
    return problem('is empty', 'Give it a value, or remove the key if it is optional.');
  }
  if (value.length > MAX_VALUE_LENGTH) {
    return problem(`${v} is too long; values are limited to ${MAX_VALUE_LENGTH} characters`,
      'This is not a value dpgce can use; check that the right file is being read.');
  }
  if (value.trim() !== value) {
    return problem(`${v} has leading or trailing whitespace`,
      'Remove the spaces around the value.');
  }
  const odd = unicode ? undefined : firstNonAscii(value);
  if (!odd) return undefined;
  return problem(`${v} contains ${odd}, which is not printable ASCII`, ASCII_DETAIL);
}

/** Reports a Problem as a zod issue; the detail rides along in `params`. */
export function report(ctx: z.RefinementCtx, found: Problem | undefined): void {
  if (!found) return;
  ctx.addIssue({ code: 'custom', message: found.summary, params: { detail: found.detail } });
}

export function checkedString(rule: StringRule | undefined, unicode = false) {
  return z.string().superRefine((value, ctx) => {
    report(ctx, commonProblem(value, unicode) ?? rule?.(value));
  });
}

const presetRule: StringRule = (name) =>
  PRESET_NAMES.includes(name)
    ? undefined
    : problem(`${show(name)} is not a policy preset`, `Valid presets: ${PRESET_NAMES.join(', ')}.`);

export function listOf(item: z.ZodType) {
  return z.array(item).superRefine((items, ctx) => {
    if (items.length <= MAX_LIST_ENTRIES) return;
    report(ctx, problem(`has ${items.length} entries; at most ${MAX_LIST_ENTRIES} are allowed`,
      'Use wildcard patterns (*.example.com) instead of listing every host.'));
  });
}

const port = z.union([z.number(), z.string()]).superRefine((value, ctx) => {
  const asText = typeof value === 'string' ? commonProblem(value, false) : undefined;
  report(ctx, asText ?? portProblem(value));
});

/** The zod schema of one key's value (present; absence is handled apart). */
export function fieldSchema(spec: KeySpec): z.ZodType {
  switch (spec.shape) {
    case 'port':
      // In JSON Schema minimum/maximum bind only numbers, and pattern only strings.
      return port.meta({
        description: spec.description, examples: ['3128', 3128], minimum: 1, maximum: 65535,
        pattern: '^[1-9][0-9]{0,4}$',
      });
    case 'host-list':
      return listOf(checkedString(hostPatternRule).meta({ pattern: '^(\\*\\.)?[A-Za-z0-9.-]+$' }))
        .meta({ description: spec.description, default: [] });
    case 'preset-list':
      return listOf(checkedString(presetRule).meta({ enum: [...PRESET_NAMES] }))
        .meta({ description: spec.description, default: [...DEFAULT_PRESETS] });
    case 'policy-rules':
      return policyRulesSchema(spec.description);
    case 'boolean':
    case 'count':
    case 'string-list':
      return clusterFieldSchema(spec);
    default:
      return checkedString(spec.rule, spec.unicode).meta({
        description: spec.description, examples: [JSON.parse(spec.example)],
        minLength: 1, maxLength: MAX_VALUE_LENGTH,
        ...(spec.pattern ? { pattern: spec.pattern.source } : {}),
      });
  }
}

/** The whole file: known keys typed, unknown keys allowed (they warn). */
export function envSchema() {
  const shape = Object.fromEntries(KEYS.map((spec) => {
    const field = fieldSchema(spec);
    return [spec.key, spec.required ? field : field.optional()];
  }));
  return z.looseObject(shape).meta({
    title: 'dpgce env.json',
    description: 'Configuration of a private, proxied Dataproc GPU environment. ' +
      'JSON with comments is accepted.',
  });
}

/** JSON Schema (draft 2020-12) of env.json, generated from the zod schema. */
export function envJsonSchema(): Record<string, unknown> {
  return z.toJSONSchema(envSchema(), { io: 'input' }) as Record<string, unknown>;
}

/** The text of schema/env.schema.json, exactly as committed. */
export function renderEnvJsonSchema(): string {
  return `${JSON.stringify(envJsonSchema(), null, 2)}\n`;
}
