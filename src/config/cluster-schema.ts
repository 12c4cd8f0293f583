// The zod schemas of the value shapes the cluster keys brought: booleans,
// whole-number counts and plain string lists. Sibling tools write every
// value as a string ("SWP_PORT": "3128"), so "true" and "2" are accepted as
// well as true and 2; build.ts turns them into real booleans and numbers.

import { z } from 'zod';
import type { KeySpec } from './keys.js';
import { problem, show } from './problem.js';
import { checkedString, listOf, report } from './schema.js';

const flag = z.union([z.boolean(), z.string()]).superRefine((value, ctx) => {
  if (typeof value === 'boolean' || value === 'true' || value === 'false') return;
  report(
    ctx,
    problem(
      `${show(value)} is not true or false`,
      'Write true or false (without quotes, or as "true"/"false").',
    ),
  );
});

function count(spec: KeySpec) {
  const [min, max] = spec.range ?? [0, Number.MAX_SAFE_INTEGER];
  return z.union([z.number(), z.string()]).superRefine((value, ctx) => {
    const n = typeof value === 'number' ? value : /^\d{1,9}$/.test(value) ? Number(value) : NaN;
    if (Number.isInteger(n) && n >= min && n <= max) return;
    report(
      ctx,
      problem(
        `${show(value)} is not a whole number from ${min} to ${max}`,
        `Write it as, e.g., "${spec.key}": ${spec.example}.`,
      ),
    );
  });
}

/** `"true"` / `true` as a boolean; only called on values that passed `flag`. */
export const asBoolean = (value: unknown): boolean => value === true || value === 'true';

export function clusterFieldSchema(spec: KeySpec): z.ZodType {
  switch (spec.shape) {
    case 'boolean':
      return flag.meta({ description: spec.description, examples: [true, 'true'] });
    case 'count': {
      const [minimum, maximum] = spec.range ?? [0, undefined];
      return count(spec).meta({
        description: spec.description,
        examples: [Number(spec.example)],
        minimum,
        maximum,
        pattern: '^[0-9]+$',
      });
    }
    default:
      return listOf(checkedString(spec.rule)).meta({ description: spec.description, default: [] });
  }
}
