// Commands over thousands of rows: each item typed or found is checked against one set of the
// listing, a script's `get $i` builds only that row, and a set that keeps a row's name does not
// compare it with every other row, so the work grows with the rows rather than with their
// square (2000 rows took about a minute of event loop before; now well under a second). The
// results are what is checked; the test's own timeout is the only clock.
import t from 'tap';
import { makeRouter } from './harness.js';

const N = 2000;

t.test(`set, a script's get and remove over ${N} rows`, async (t) => {
  const r = makeRouter();
  for (let i = 0; i < N; i++) r.model.add('/ppp secret', { name: `user${i}`, password: 'x' });
  t.equal(await r.type('/ppp secret set [find] comment=bulk'), '');
  t.equal(await r.type('/ppp secret set user5 name=user1999'), 'failure: entry with name user1999 already exists\n', 'a new name is still checked against every row');
  t.equal(await r.type('/ppp secret set user5 name=user5 comment=bulk'), '', 'a row keeps its own name');
  t.equal(await r.type('/ppp secret print count-only where comment=bulk'), `${N}\n`);
  const script = ':local n 0; :foreach i in=[/ppp secret find] do={:if ([/ppp secret get $i comment] = "bulk") do={:set n ($n + 1)}}; :put $n';
  t.equal(await r.typeAndWait(script), `${N}\n`, 'every row read back by its *id');
  t.equal(await r.type(':put [/ppp secret get *7D0 name]'), 'user1999\n', 'the last row by *id');
  t.equal(await r.type('/ppp secret get *FFFF name'), 'no such item\n', 'an *id no row has');
  t.equal(await r.type('/ppp secret disable [find where name~"5$"]'), '');
  t.equal(await r.type('/ppp secret print count-only where disabled'), `${N / 10}\n`);
  t.equal(await r.type('/ppp secret remove [find]'), '');
  t.equal(await r.type('/ppp secret print count-only'), '0\n');
});
