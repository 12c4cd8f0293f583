import { invalid } from '../errors.js';
import type { Resource } from '../store.js';

// Compute's list `filter` language, as far as clients send it: gcloud turns
// `--filter network=foo` into `network eq ".*\bfoo\b.*"` (RE2 full match),
// Terraform sends `(network="<url>") AND (destRange="0.0.0.0/0")`. Terms are
// `field op value` with op one of `=`, `!=`, `:`, `eq`, `ne`; terms combine
// with AND, OR, NOT, parentheses, and juxtaposition (an implied AND). The
// newer APIs' AIP-160 filters (`labels.k="v"`, `state:ENABLED`) are the same
// subset, so `page()` applies this to every list that has a filter.

type Node =
  | { kind: 'term'; field: string; negative: boolean; test: (v: string) => boolean }
  | { kind: 'not'; node: Node }
  | { kind: 'and' | 'or'; nodes: Node[] };

/** A predicate for `filter`, or one that accepts everything when absent. */
export function compileFilter(filter: string | null): (r: Resource) => boolean {
  if (!filter || !filter.trim()) return () => true;
  const parser = new Parser(filter);
  const node = parser.parseOr();
  parser.expectEnd();
  return (r) => evaluate(node, r);
}

class Parser {
  private pos = 0;

  constructor(private readonly text: string) {}

  parseOr(): Node {
    const nodes = [this.parseAnd()];
    while (this.keyword('OR')) nodes.push(this.parseAnd());
    return nodes.length === 1 ? nodes[0] : { kind: 'or', nodes };
  }

  private parseAnd(): Node {
    const nodes = [this.parseUnary()];
    for (;;) {
      if (this.keyword('AND')) nodes.push(this.parseUnary());
      else if (this.startsTerm()) nodes.push(this.parseUnary());
      else break;
    }
    return nodes.length === 1 ? nodes[0] : { kind: 'and', nodes };
  }

  private parseUnary(): Node {
    if (this.keyword('NOT')) return { kind: 'not', node: this.parseUnary() };
    this.skipSpace();
    if (this.text[this.pos] === '(') {
      this.pos += 1;
      const node = this.parseOr();
      this.skipSpace();
      if (this.text[this.pos] !== ')') throw this.error('expected ")"');
      this.pos += 1;
      return node;
    }
    return this.parseTerm();
  }

  private parseTerm(): Node {
    this.skipSpace();
    // Label keys may hold dashes (`labels.dpgce-env = "x"`).
    const field = /^[A-Za-z_][A-Za-z0-9_.-]*/.exec(this.text.slice(this.pos));
    if (!field) throw this.error('expected a field name');
    this.pos += field[0].length;
    this.skipSpace();
    const op = /^(!=|=|:|eq\b|ne\b)/.exec(this.text.slice(this.pos));
    if (!op) throw this.error(`expected an operator after '${field[0]}'`);
    this.pos += op[0].length;
    this.skipSpace();
    const value = this.parseValue();
    return {
      kind: 'term',
      field: field[0],
      negative: op[0] === '!=' || op[0] === 'ne',
      test: matcher(op[0], value),
    };
  }

  private parseValue(): string {
    const quote = this.text[this.pos];
    if (quote === '"' || quote === "'") {
      let out = '';
      for (this.pos += 1; this.pos < this.text.length; this.pos += 1) {
        const c = this.text[this.pos];
        if (c === quote) {
          this.pos += 1;
          return out;
        }
        // Keep regex escapes (`\b`, `\-`) as they are; unescape only quotes.
        if (c === '\\' && this.text[this.pos + 1] === quote) {
          out += quote;
          this.pos += 1;
        } else out += c;
      }
      throw this.error('unterminated string');
    }
    const bare = /^[^\s()]+/.exec(this.text.slice(this.pos));
    if (!bare) throw this.error('expected a value');
    this.pos += bare[0].length;
    return bare[0];
  }

  private keyword(word: string): boolean {
    this.skipSpace();
    const re = new RegExp(`^${word}(?=[\\s(])`);
    if (!re.test(this.text.slice(this.pos))) return false;
    this.pos += word.length;
    return true;
  }

  private startsTerm(): boolean {
    this.skipSpace();
    const rest = this.text.slice(this.pos);
    return rest.length > 0 && !rest.startsWith(')') && !/^OR(?=[\s(])/.test(rest);
  }

  private skipSpace(): void {
    while (this.pos < this.text.length && /\s/.test(this.text[this.pos])) this.pos += 1;
  }

  expectEnd(): void {
    this.skipSpace();
    if (this.pos < this.text.length) throw this.error('unexpected text');
  }

  private error(why: string) {
    return invalid(
      `Invalid value for field 'filter': '${this.text}'. Invalid list filter expression (${why}).`,
    );
  }
}

function evaluate(node: Node, r: Resource): boolean {
  if (node.kind === 'not') return !evaluate(node.node, r);
  if (node.kind !== 'term') {
    return node.kind === 'and'
      ? node.nodes.every((n) => evaluate(n, r))
      : node.nodes.some((n) => evaluate(n, r));
  }
  const hit = fieldValues(r, node.field).some(node.test);
  return node.negative ? !hit : hit;
}

function matcher(op: string, value: string): (v: string) => boolean {
  if (op === 'eq' || op === 'ne') {
    let re: RegExp;
    try {
      re = new RegExp(`^(?:${value})$`);
    } catch {
      throw invalid(`Invalid value for field 'filter': '${value}'. Invalid regular expression.`);
    }
    return (v) => re.test(v);
  }
  if (op === ':' && value === '*') return () => true;
  if (value.includes('*')) {
    const re = new RegExp(`^${value.split('*').map(escape).join('.*')}$`);
    return (v) => re.test(v);
  }
  return (v) => v === value;
}

/** Every scalar at a dotted path (lists fan out), as strings. */
function fieldValues(r: unknown, path: string): string[] {
  let current: unknown[] = [r];
  for (const key of path.split('.')) {
    current = current.flatMap((v) => {
      const next = v && typeof v === 'object' ? (v as Record<string, unknown>)[key] : undefined;
      return Array.isArray(next) ? next : next === undefined ? [] : [next];
    });
  }
  return current.filter((v) => v === null || typeof v !== 'object').map(String);
}

const escape = (s: string): string => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
