// A syntax and vocabulary check of Secure Web Proxy matchers (CEL). It does
// not evaluate anything: it parses the CEL subset the SWP documentation
// uses (literals, && || !, comparisons, `in`, member access, calls, lists)
// and rejects unbalanced brackets or quotes, dangling operators, unknown
// functions and unknown attributes, and more than 12 logical operators
// (the documented limit). Returns the problem, or undefined when it passes.

type Tok = { t: 'id' | 'str' | 'num' | 'op'; v: string; at: number };

const OPS = ['&&', '||', '==', '!=', '<=', '>=', '!', '<', '>', '+', '-', '*', '/', '%', '(', ')', '[', ']', '{', '}',
  ',', '.', '?', ':'];
const GLOBAL_FUNCS: Record<string, number | undefined> = {
  host: 0, inUrlList: 2, inIpRange: 2, size: 1, has: 1, int: 1, string: 1, matches: 2,
};
const ROOT_FIELDS: Record<string, string[]> = {
  request: ['headers', 'method', 'host', 'path', 'query', 'scheme', 'url', 'useragent', 'protocol', 'time'],
  source: ['ip', 'port', 'matchServiceAccount', 'matchTag'],
  destination: ['ip', 'port'],
};
const METHODS = new Set(['url', 'path', 'host', 'useragent', 'query', 'matchServiceAccount', 'matchTag', 'contains',
  'startsWith', 'endsWith', 'matches', 'lowerAscii', 'upperAscii', 'size', 'exists', 'all', 'getHours']);
const LITERALS = new Set(['true', 'false', 'null']);

function tokenize(src: string): Tok[] {
  const out: Tok[] = [];
  let i = 0;
  while (i < src.length) {
    const c = src[i];
    if (/\s/.test(c)) { i++; continue; }
    if (c === '"' || c === "'") {
      let j = i + 1;
      while (j < src.length && src[j] !== c) j += src[j] === '\\' ? 2 : 1;
      if (j >= src.length) throw new Error(`unterminated string literal at position ${i}`);
      out.push({ t: 'str', v: src.slice(i + 1, j), at: i });
      i = j + 1;
      continue;
    }
    const num = /^\d+(\.\d+)?u?/.exec(src.slice(i));
    if (num) { out.push({ t: 'num', v: num[0], at: i }); i += num[0].length; continue; }
    const id = /^[A-Za-z_][A-Za-z0-9_]*/.exec(src.slice(i));
    if (id) { out.push({ t: id[0] === 'in' ? 'op' : 'id', v: id[0], at: i }); i += id[0].length; continue; }
    const op = OPS.find((o) => src.startsWith(o, i));
    if (!op) throw new Error(`unexpected character '${c}' at position ${i}`);
    out.push({ t: 'op', v: op, at: i });
    i += op.length;
  }
  return out;
}

class Parser {
  private i = 0;
  logical = 0;
  constructor(private readonly toks: Tok[]) {}

  private peek(v?: string): Tok | undefined {
    const t = this.toks[this.i];
    return v === undefined || (t && t.t === 'op' && t.v === v) ? t : undefined;
  }
  private take(v: string): void {
    const t = this.toks[this.i];
    if (!t || t.t !== 'op' || t.v !== v) throw new Error(`expected '${v}' ${t ? `at position ${t.at}` : 'at the end'}`);
    this.i++;
  }
  private binary(ops: string[], next: () => void, logical = false): void {
    next();
    while (this.toks[this.i]?.t === 'op' && ops.includes(this.toks[this.i].v)) {
      this.i++;
      if (logical) this.logical++;
      next();
    }
  }

  parseAll(): void {
    if (!this.toks.length) throw new Error('empty expression');
    this.expr();
    const rest = this.toks[this.i];
    if (rest) throw new Error(`unexpected '${rest.v}' at position ${rest.at}`);
  }
  private expr(): void {
    this.binary(['||'], () => this.binary(['&&'], () => this.rel(), true), true);
    if (this.peek('?')) { this.i++; this.expr(); this.take(':'); this.expr(); }
  }
  private rel(): void {
    this.binary(['==', '!=', '<', '<=', '>', '>=', 'in'], () =>
      this.binary(['+', '-'], () => this.binary(['*', '/', '%'], () => this.unary())));
  }
  private unary(): void {
    while (this.peek('!') || this.peek('-')) {
      if (this.peek('!')) this.logical++;
      this.i++;
    }
    this.member();
  }
  private args(): number {
    this.take('(');
    let n = 0;
    if (!this.peek(')')) {
      do { this.expr(); n++; } while (this.peek(',') && ++this.i);
    }
    this.take(')');
    return n;
  }
  private member(): void {
    let root = this.primary();
    while (this.peek('.') || this.peek('[')) {
      if (this.peek('[')) { this.i++; this.expr(); this.take(']'); root = undefined; continue; }
      this.i++;
      const f = this.toks[this.i++];
      if (!f || f.t !== 'id') throw new Error(`expected a field name after '.'${f ? ` at position ${f.at}` : ''}`);
      const call = !!this.peek('(');
      if (root && !ROOT_FIELDS[root].includes(f.v)) throw new Error(`undefined field '${f.v}' of '${root}'`);
      if (!root && call && !METHODS.has(f.v)) throw new Error(`undeclared reference to '${f.v}'`);
      if (call) this.args();
      root = undefined;
    }
  }
  /** Parses a primary; returns the attribute root it names (request, source, destination), if any. */
  private primary(): string | undefined {
    const t = this.toks[this.i];
    if (!t) throw new Error('unexpected end of expression');
    if (t.t === 'str' || t.t === 'num') { this.i++; return undefined; }
    if (t.t === 'op' && t.v === '(') { this.i++; this.expr(); this.take(')'); return undefined; }
    if (t.t === 'op' && t.v === '[') {
      this.i++;
      if (!this.peek(']')) do { this.expr(); } while (this.peek(',') && ++this.i);
      this.take(']');
      return undefined;
    }
    if (t.t !== 'id') throw new Error(`unexpected '${t.v}' at position ${t.at}`);
    this.i++;
    if (this.peek('(')) {
      if (!(t.v in GLOBAL_FUNCS)) throw new Error(`undeclared reference to '${t.v}'`);
      const n = this.args();
      const want = GLOBAL_FUNCS[t.v];
      if (want !== undefined && n !== want) throw new Error(`${t.v}() takes ${want} argument(s), got ${n}`);
      return undefined;
    }
    if (LITERALS.has(t.v)) return undefined;
    if (!(t.v in ROOT_FIELDS)) throw new Error(`undeclared reference to '${t.v}'`);
    return t.v;
  }
}

export const MAX_LOGICAL_OPERATORS = 12;

/** The problem with a matcher expression, or undefined when it is well formed. */
export function celProblem(expression: unknown): string | undefined {
  if (typeof expression !== 'string') return 'the expression must be a string';
  try {
    const p = new Parser(tokenize(expression));
    p.parseAll();
    if (p.logical > MAX_LOGICAL_OPERATORS) {
      return `the expression has ${p.logical} logical operators; at most ${MAX_LOGICAL_OPERATORS} are allowed`;
    }
    return undefined;
  } catch (err) {
    return (err as Error).message;
  }
}
