// From env.json text to its top-level entries. JSON with comments and
// trailing commas is accepted (the sibling tools' samples carry comments);
// anything else that is not JSON stops here with `file:line:col: reason`,
// and no value is checked, since a half-parsed file would report nonsense.

import {
  createScanner, getNodeValue, parseTree, SyntaxKind, type Node, type ParseError,
} from 'jsonc-parser';
import type { Diagnostic } from './types.js';

export interface Parsed {
  /** Top-level keys in file order; absent when the file did not parse. */
  entries?: Map<string, unknown>;
  diagnostics: Diagnostic[];
}

/** Deeper nesting is junk; it would also overflow the parser's stack. */
export const MAX_DEPTH = 64;
/** Larger files are not configuration; refuse before parsing. */
export const MAX_FILE_CHARS = 1_000_000;

const SYNTAX_DETAIL =
  'Fix the JSON at that position. Comments (// and /* */) and trailing commas are allowed; ' +
  'keys and strings need double quotes.';
const DUPLICATE_DETAIL = 'Keep one of them; JSON readers disagree on which value wins.';

/** jsonc-parser's ParseErrorCode values, in words. */
const REASONS: Record<number, string> = {
  1: 'unexpected text', 2: 'invalid number', 3: 'expected a key in double quotes',
  4: 'expected a value', 5: 'expected ":"', 6: 'expected "," or the end of the object',
  7: 'expected "}"', 8: 'expected "]"', 9: 'unexpected text after the end of the object',
  10: 'invalid comment', 11: 'comment is not closed', 12: 'string is not closed',
  13: 'number is cut short', 14: 'invalid \\u escape', 15: 'invalid escape sequence',
  16: 'control character inside a string (escape it)',
};
const INVALID_SYMBOL = 1;

const TOP_LEVEL: Record<string, string> = {
  array: 'an array', string: 'a string', number: 'a number', boolean: 'a boolean', null: 'null',
};

function fileError(summary: string, detail: string): Parsed {
  return { diagnostics: [{ severity: 'error', key: 'env.json', summary, detail }] };
}

/** `file:line:col` of a character offset, both 1-based. */
export function position(text: string, file: string, offset: number): string {
  const before = text.slice(0, offset);
  const line = before.split('\n').length;
  const col = offset - (before.lastIndexOf('\n') + 1) + 1;
  return `${file}:${line}:${col}`;
}

function syntaxError(text: string, file: string, error: ParseError): Parsed {
  let reason = REASONS[error.error] ?? 'invalid JSON';
  if (error.error === INVALID_SYMBOL) {
    const length = Math.max(1, Math.min(error.length, 20));
    reason += ` ${JSON.stringify(text.slice(error.offset, error.offset + length))}`;
  }
  return fileError(`${position(text, file, error.offset)}: ${reason}`, SYNTAX_DETAIL);
}

/** Offset where nesting first exceeds MAX_DEPTH, scanning without recursion. */
function tooDeepAt(text: string): number | undefined {
  const scanner = createScanner(text, true);
  let depth = 0;
  for (let kind = scanner.scan(); kind !== SyntaxKind.EOF; kind = scanner.scan()) {
    if (kind === SyntaxKind.OpenBraceToken || kind === SyntaxKind.OpenBracketToken) depth += 1;
    if (kind === SyntaxKind.CloseBraceToken || kind === SyntaxKind.CloseBracketToken) depth -= 1;
    if (depth > MAX_DEPTH) return scanner.getTokenOffset();
  }
  return undefined;
}

/** Keys that appear twice in any object under `node`, at the later offset. */
function duplicateKeys(node: Node, found: Array<{ name: string; offset: number }> = []) {
  if (node.type === 'object') {
    const seen = new Set<string>();
    for (const property of node.children ?? []) {
      const name = property.children?.[0]?.value as string;
      if (seen.has(name)) found.push({ name, offset: property.offset });
      seen.add(name);
    }
  }
  for (const child of node.children ?? []) duplicateKeys(child, found);
  return found;
}

/** Before parsing: emptiness, size and nesting, which the parser handles badly. */
function precheck(text: string, file: string): Parsed | undefined {
  if (text.trim() === '') {
    return fileError(`${file} is empty`,
      'Write a JSON object of "KEY": "value" pairs; see examples/env.json.');
  }
  if (text.length > MAX_FILE_CHARS) {
    return fileError(`${file} is ${text.length} characters; env.json is at most ${MAX_FILE_CHARS}`,
      'Check that the right file is being read.');
  }
  const deep = tooDeepAt(text);
  if (deep === undefined) return undefined;
  const where = position(text, file, deep);
  return fileError(`${where}: values nested more than ${MAX_DEPTH} levels deep`,
    'env.json is a flat object of strings, numbers and short lists.');
}

/** Parses env.json text into its top-level entries, or says why it cannot. */
export function parseEnvText(input: string, file: string): Parsed {
  // Editors on Windows write a byte order mark; it is not part of the JSON.
  const text = input.startsWith('\uFEFF') ? input.slice(1) : input;
  const refused = precheck(text, file);
  if (refused) return refused;

  const errors: ParseError[] = [];
  const root = parseTree(text, errors, { allowTrailingComma: true, disallowComments: false });
  if (errors.length > 0 || !root) {
    return syntaxError(text, file, errors[0] ?? { error: 4, offset: 0, length: 0 });
  }
  if (root.type !== 'object') {
    return fileError(`${file} holds ${TOP_LEVEL[root.type] ?? root.type}, not an object`,
      'The top level of env.json is one object: { "PROJECT_ID": "...", ... }.');
  }
  return topLevel(text, file, root);
}

/** The entries, plus an error for every key given twice at any depth. */
function topLevel(text: string, file: string, root: Node): Parsed {
  const entries = new Map<string, unknown>();
  const diagnostics: Diagnostic[] = [];
  const duplicate = (key: string, summary: string): Diagnostic =>
    ({ severity: 'error', key, summary, detail: DUPLICATE_DETAIL });

  for (const property of root.children ?? []) {
    const [keyNode, valueNode] = property.children ?? [];
    const key = keyNode.value as string;
    if (entries.has(key)) {
      const where = position(text, file, property.offset);
      diagnostics.push(duplicate(key, `${key} appears twice (${where})`));
    }
    for (const { name, offset } of valueNode ? duplicateKeys(valueNode) : []) {
      const where = position(text, file, offset);
      const summary = `${key} has the key ${JSON.stringify(name)} twice (${where})`;
      diagnostics.push(duplicate(key, summary));
    }
    entries.set(key, valueNode ? getNodeValue(valueNode) : undefined);
  }
  return { entries, diagnostics };
}
