import { ApiError } from './errors.js';

// The `fields` system parameter (partial responses), which every Google JSON
// API honours and gcloud's storage commands always send:
// `fields=items(name,size),nextPageToken`, `fields=bindings,etag`,
// `fields=config/gceClusterConfig/subnetworkUri`. A selection applies to each
// element of a list; `*` keeps everything below it.
// https://cloud.google.com/storage/docs/json_api#partial-response

type Selection = Map<string, Selection | true>;

/** The response with only the selected fields. */
export function selectFields(value: unknown, fields: string): unknown {
  const parser = new FieldsParser(fields);
  const selection = parser.list();
  parser.end();
  return apply(value, selection);
}

function apply(value: unknown, sel: Selection | true): unknown {
  if (sel === true || value === null || typeof value !== 'object') return value;
  if (Array.isArray(value)) return value.map((v) => apply(v, sel));
  if (sel.has('*')) return value;
  const out: Record<string, unknown> = {};
  for (const [k, sub] of sel) {
    const v = (value as Record<string, unknown>)[k];
    if (v !== undefined) out[k] = apply(v, sub);
  }
  return out;
}

class FieldsParser {
  private pos = 0;

  constructor(private readonly text: string) {}

  /** `item (',' item)*` */
  list(): Selection {
    const sel: Selection = new Map();
    do this.item(sel);
    while (this.eat(','));
    return sel;
  }

  /** `name ('/' name)* ('(' list ')')?`, merged into `sel`. */
  private item(sel: Selection): void {
    const path = [this.name()];
    while (this.eat('/')) path.push(this.name());
    const inner: Selection | true = this.eat('(') ? this.closed() : true;
    let at = sel;
    path.forEach((name, i) => {
      if (i === path.length - 1) {
        const had = at.get(name);
        at.set(name, had instanceof Map && inner instanceof Map ? new Map([...had, ...inner]) : inner === true ? true : inner);
        return;
      }
      let next = at.get(name);
      if (!(next instanceof Map)) {
        if (next === true) return; // already whole
        next = new Map();
        at.set(name, next);
      }
      at = next;
    });
  }

  private closed(): Selection {
    const inner = this.list();
    if (!this.eat(')')) throw this.error('expected ")"');
    return inner;
  }

  private name(): string {
    const m = /^\s*([A-Za-z0-9_@.$*-]+)\s*/.exec(this.text.slice(this.pos));
    if (!m) throw this.error('expected a field name');
    this.pos += m[0].length;
    return m[1];
  }

  private eat(c: string): boolean {
    if (this.text[this.pos] !== c) return false;
    this.pos += 1;
    return true;
  }

  end(): void {
    if (this.pos < this.text.length) throw this.error('unexpected text');
  }

  private error(why: string): ApiError {
    return new ApiError(400, `Invalid field selection ${this.text}: ${why} at position ${this.pos}.`, 'INVALID_ARGUMENT');
  }
}
