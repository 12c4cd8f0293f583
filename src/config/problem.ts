// What a single field rule reports, and the few text helpers every rule uses
// to quote the offending value. Rules return a Problem whose summary starts
// with the value (never the key): the caller prefixes the key or
// `KEY[index]`, so one rule serves a plain value and an array item alike.

/** One thing wrong with one value. `detail` always says what to do. */
export interface Problem {
  /** Starts with the quoted value, e.g. `"abc" is 3 characters; ...`. */
  summary: string;
  detail: string;
}

/** A rule for one string value; undefined means the value is fine. */
export type StringRule = (value: string) => Problem | undefined;

/** The longest value dpgce accepts for any key (Google's longest IDs fit). */
export const MAX_VALUE_LENGTH = 1024;

const SHOWN_CHARS = 48;

/**
 * The value as JSON (so whitespace and control characters are visible),
 * cut short when long: a 5 MB value must not flood the terminal.
 */
export function show(value: unknown): string {
  if (typeof value === 'string' && value.length > SHOWN_CHARS) {
    return `${JSON.stringify(value.slice(0, SHOWN_CHARS))}… (${value.length} characters)`;
  }
  const json = JSON.stringify(value);
  return json === undefined ? String(value) : json;
}

/** The JSON type of a value, phrased for a sentence ("an array"). */
export function jsonType(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'object') return 'an object';
  if (typeof value === 'boolean') return `${value} (a boolean)`;
  if (typeof value === 'number') return `a number (${value})`;
  return `a ${typeof value}`;
}

/**
 * The first character outside printable ASCII, described with its code point,
 * e.g. `"р" (U+0440)`. Look-alikes (Cyrillic letters, fullwidth digits,
 * zero-width spaces) read as the real thing on screen; the code point does not.
 */
export function firstNonAscii(value: string): string | undefined {
  for (const char of value) {
    const code = char.codePointAt(0) ?? 0;
    if (code < 0x20 || code > 0x7e) {
      const hex = code.toString(16).toUpperCase().padStart(4, '0');
      return `${JSON.stringify(char)} (U+${hex})`;
    }
  }
  return undefined;
}

/** Builds a Problem; keeps rule bodies to one line each. */
export function problem(summary: string, detail: string): Problem {
  return { summary, detail };
}

/** A rule's summary without its leading quoted value: "is 33 characters; ...". */
export function reasonOf(found: Problem, value: string): string {
  const prefix = `${show(value)} `;
  return found.summary.startsWith(prefix) ? found.summary.slice(prefix.length) : found.summary;
}
