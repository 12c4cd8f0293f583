// Views of diagnostics: one block per problem for people, and the JSON form
// of `dpgce validate --json`. Diagnostics arrive already ordered by key.

import type { Diagnostic } from './types.js';

/** The `validate --json` document. */
export interface DiagnosticsJson {
  valid: boolean;
  diagnostics: Diagnostic[];
}

const RED = '\u001b[31m';
const YELLOW = '\u001b[33m';
const DIM = '\u001b[2m';
const RESET = '\u001b[0m';

function paint(text: string, code: string, color: boolean): string {
  return color ? `${code}${text}${RESET}` : text;
}

/**
 * For people: `error   SWP_IP  SWP_IP 10.0.4.245 is not inside ...`, then the
 * detail indented beneath, then a count. The key column is as wide as the
 * widest key so that summaries line up.
 */
export function formatDiagnostics(diags: readonly Diagnostic[], color: boolean): string {
  if (diags.length === 0) return 'env.json is valid.\n';
  const width = Math.max(...diags.map((d) => d.key.length));
  const lines: string[] = [];

  for (const d of diags) {
    const label = d.severity === 'error'
      ? paint('error  ', RED, color)
      : paint('warning', YELLOW, color);
    lines.push(`${label} ${d.key.padEnd(width)}  ${d.summary}`);
    if (d.detail) lines.push(paint(`${' '.repeat(8 + width + 2)}${d.detail}`, DIM, color));
  }

  lines.push('', countLine(diags));
  return `${lines.join('\n')}\n`;
}

function countLine(diags: readonly Diagnostic[]): string {
  const errors = diags.filter((d) => d.severity === 'error').length;
  const warnings = diags.length - errors;
  const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;
  return `${plural(errors, 'error')}, ${plural(warnings, 'warning')}`;
}

/** The JSON view: valid means no error (warnings allowed). */
export function diagnosticsJson(diags: readonly Diagnostic[]): DiagnosticsJson {
  return { valid: !diags.some((d) => d.severity === 'error'), diagnostics: [...diags] };
}
