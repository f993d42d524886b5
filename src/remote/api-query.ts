// RouterOS API queries (help.mikrotik.com, "API", "Queries"): the `?` words of a print are a
// small stack program run once per item. `?name=x` pushes whether the item's name is x, `?name`
// whether it has the property, `?-name` whether it lacks it, `?<mtu=1400` / `?>mtu=1400`
// compare; `?#` runs operators on the stack: `|` or, `&` and, `!` not, `.` duplicate the top,
// a digit N pushes a copy of the Nth value. The item matches when every value left is true.
// Pure: parse once (a bad query is an error before any item is looked at), then test items.

export type QueryStep =
  | { readonly op: 'eq' | 'lt' | 'gt'; readonly key: string; readonly value: string }
  | { readonly op: 'has' | 'lacks'; readonly key: string }
  | { readonly op: 'stack'; readonly ops: string };

export class QueryError {
  constructor(readonly message: string) {}
}

/** The query words of a sentence (`?...`), in order; a QueryError names the bad word. */
export function parseQuery(words: readonly string[]): QueryStep[] | QueryError {
  const steps: QueryStep[] = [];
  for (const word of words) {
    // `?=name=x` is the same as `?name=x` (librouteros sends that form).
    const longForm = word.startsWith('?=');
    const body = longForm ? word.slice(2) : word.slice(1);
    if (longForm && !/^[^=]+=/.test(body)) return new QueryError(`query word ${word} names no property and value`);
    if (body.startsWith('#')) {
      const ops = body.slice(1);
      if (!/^[|&!.0-9]*$/.test(ops)) return new QueryError(`unknown query operation in ${word}`);
      steps.push({ op: 'stack', ops });
      continue;
    }
    const cmp = /^([<>])([^=]+)=(.*)$/s.exec(body);
    if (cmp) {
      steps.push({ op: cmp[1] === '<' ? 'lt' : 'gt', key: cmp[2]!, value: cmp[3]! });
      continue;
    }
    if (body.startsWith('-')) {
      steps.push({ op: 'lacks', key: body.slice(1) });
      continue;
    }
    const eq = body.indexOf('=');
    if (eq === 0) return new QueryError(`query word ${word} names no property`);
    if (eq < 0) steps.push({ op: 'has', key: body });
    else steps.push({ op: 'eq', key: body.slice(0, eq), value: body.slice(eq + 1) });
  }
  return steps;
}

function compare(a: string, b: string): number {
  const x = Number(a);
  const y = Number(b);
  if (a !== '' && b !== '' && Number.isFinite(x) && Number.isFinite(y)) return x - y;
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Whether an item (its attributes as the API shows them) meets the query. */
export function queryMatches(steps: readonly QueryStep[], item: Readonly<Record<string, string>>): boolean {
  const stack: boolean[] = [];
  const pop = (): boolean => stack.pop() ?? true;
  for (const s of steps) {
    switch (s.op) {
      case 'eq':
        stack.push(item[s.key] === s.value);
        break;
      case 'lt':
      case 'gt': {
        const v = item[s.key];
        stack.push(v !== undefined && (s.op === 'lt' ? compare(v, s.value) < 0 : compare(v, s.value) > 0));
        break;
      }
      case 'has':
        stack.push(item[s.key] !== undefined);
        break;
      case 'lacks':
        stack.push(item[s.key] === undefined);
        break;
      case 'stack':
        for (const c of s.ops) {
          if (c === '|' || c === '&') {
            const b = pop();
            const a = pop();
            stack.push(c === '|' ? a || b : a && b);
          } else if (c === '!') stack.push(!pop());
          else if (c === '.') stack.push(stack[stack.length - 1] ?? true);
          else stack.push(stack[Number(c)] ?? true);
        }
        break;
    }
  }
  return stack.every((v) => v);
}
