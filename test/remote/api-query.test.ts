import t from 'tap';
import { parseQuery, QueryError, queryMatches } from '../../src/remote/api-query.js';

const items = [
  { name: 'ex', service: 'pptp', mtu: '1400' },
  { name: 'john', service: 'any', mtu: '1460' },
  { name: 'mary', service: 'pptp' },
];

function names(words: string[]): string[] {
  const q = parseQuery(words);
  if (q instanceof QueryError) throw new Error(q.message);
  return items.filter((i) => queryMatches(q, i)).map((i) => i.name);
}

t.test('the documentation examples: equality, presence, comparison, or', async (t) => {
  t.same(names(['?name=ex']), ['ex']);
  t.same(names(['?service=pptp']), ['ex', 'mary']);
  t.same(names(['?mtu']), ['ex', 'john']);
  t.same(names(['?-mtu']), ['mary']);
  t.same(names(['?<mtu=1450']), ['ex']);
  t.same(names(['?>mtu=1450']), ['john']);
  t.same(names(['?name=ex', '?name=john', '?#|']), ['ex', 'john']);
  t.same(names(['?name=ex', '?name=john', '?#|!']), ['mary']);
  t.same(names(['?service=pptp', '?mtu', '?#&']), ['ex']);
  t.same(names([]), ['ex', 'john', 'mary']);
  t.same(names(['?=name=john']), ['john'], 'the ?=key=value form');
});

t.test('several words without operators all have to hold', async (t) => {
  t.same(names(['?service=pptp', '?-mtu']), ['mary']);
});

t.test('a malformed query word is an error', async (t) => {
  t.ok(parseQuery(['?#x']) instanceof QueryError);
  t.ok(parseQuery(['?=x']) instanceof QueryError);
});
