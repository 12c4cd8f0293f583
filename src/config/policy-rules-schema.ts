// SWP_POLICY_RULES in zod: the checks of policy-rules.ts as zod issues (so
// validate.ts reports them like every other key, each at its path), and a
// documentation schema of the rule object for schema/env.schema.json.

import { z } from 'zod';
import { MAX_POLICY_RULES, MAX_SOURCES, policyRulesProblems, RULE_FIELDS } from './policy-rules.js';

const HOST = '^(\\*\\.)?[A-Za-z0-9.-]+$';

/** The rule object, for people and editors; the checks themselves are hand-written. */
const ruleDocument = z
  .object({
    name: z
      .string()
      .meta({
        pattern: '^[a-z][a-z0-9-]{2,36}[a-z0-9]$',
        description:
          'Rule ID (4-38 characters); the address is gateway-security-policy-rule.<name>.',
      }),
    action: z.enum(['allow', 'deny']).meta({ description: 'What the proxy does with a match.' }),
    hosts: z
      .array(z.string().meta({ pattern: HOST }))
      .optional()
      .meta({
        description: 'Host patterns: "example.com" or "*.example.com" (subdomains only).',
      }),
    urls: z
      .array(z.string().meta({ pattern: '^(\\*\\.)?[A-Za-z0-9.-]+/[^?#\\s]*$' }))
      .optional()
      .meta({
        description:
          'URL list entries with a path, without scheme: "example.com/path" (exact path) ' +
          'or "example.com/path/*" (prefix). Matched on request.url(); needs tlsInspection.',
      }),
    tlsInspection: z
      .boolean()
      .optional()
      .meta({
        default: true,
        description: 'Inspect TLS for matching requests; required for urls.',
      }),
    sourceServiceAccounts: z.array(z.string()).optional().meta({
      description: 'Only requests from these service accounts (source.matchServiceAccount).',
    }),
    sourceTags: z
      .array(z.string().meta({ pattern: '^tagValues/[0-9]+$' }))
      .optional()
      .meta({
        description:
          `Only requests from VMs with these secure tag values (source.matchTag); ` +
          `at most ${MAX_SOURCES} sources in all.`,
      }),
    priority: z.number().int().min(0).max(2147483647).optional().meta({
      description: "Explicit priority (lower wins); default 100 + 10 x the rule's position.",
    }),
    description: z.string().max(200).optional(),
  })
  .strict();

function documentation(): Record<string, unknown> {
  const doc = z.toJSONSchema(z.array(ruleDocument).max(MAX_POLICY_RULES), {
    io: 'input',
  }) as Record<string, unknown>;
  delete doc.$schema;
  return doc;
}

/** The zod schema of SWP_POLICY_RULES; every problem becomes one issue at its path. */
export function policyRulesSchema(description: string): z.ZodType {
  if (Object.keys(ruleDocument.shape).join() !== RULE_FIELDS.join()) {
    throw new Error(
      'SWP_POLICY_RULES documentation and checks disagree on the fields; this is a bug',
    );
  }
  return z
    .unknown()
    .superRefine((value, ctx) => {
      for (const p of policyRulesProblems(value)) {
        ctx.addIssue({
          code: 'custom',
          path: p.path,
          message: p.summary,
          params: { detail: p.detail },
        });
      }
    })
    .meta({ description, default: [], ...documentation() });
}
