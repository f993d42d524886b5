// Issue 12 §2: `comment=` on every list item, printed as RouterOS does (`;;; text` above the
// row, in tables and property lists), exported and pasted back; `unset` returns a property to
// its default.
import t from 'tap';
import { makeRouter } from './harness.js';

t.test('a comment prints above its row, in a property list and in a table', async (t) => {
  const r = makeRouter();
  t.equal(await r.type('/ppp secret add name=anna password=x comment="Warsaw office"'), '');
  t.equal(await r.type('/ppp secret add name=bob password=y'), '');
  const table = (await r.type('/ppp secret print')).split('\n');
  const at = table.findIndex((l) => l.includes(';;; Warsaw office'));
  t.match(table[at], /^ 0 +;;; Warsaw office$/, 'the comment line carries the number');
  t.match(table[at + 1], /^ {3,}anna /, 'the row follows without a number');
  t.match(table[at + 2], /^ 1 +bob /, 'the next row is numbered as before');
  t.notMatch(table.join('\n'), /comment=/, 'the comment is not a column');

  t.equal(await r.type('/interface pptp-client add name=c1 connect-to=198.18.0.1 user=u comment="to HQ"'), '');
  const inline = (await r.type('/interface pptp-client print')).split('\n');
  const c = inline.findIndex((l) => l.includes(';;; to HQ'));
  t.match(inline[c], /^ 0 X +;;; to HQ$/, 'flags stay on the comment line');
  t.match(inline[c + 1], /^ {4,}name="c1" /, 'the properties follow, indented');
  t.notMatch(inline.join('\n'), /comment=/);
});

t.test('comments round-trip through export and can be matched', async (t) => {
  const r = makeRouter();
  t.equal(await r.type('/ip pool add name=lan ranges=10.0.0.10-10.0.0.20 comment="LAN \\"guests\\""'), '');
  t.equal(await r.type('/ppp profile add name=p1 comment=vpn'), '');
  const exported = await r.type('/export');
  t.match(exported, /add comment="LAN \\"guests\\"" name=lan|add name=lan ranges=10\.0\.0\.10-10\.0\.0\.20 comment="LAN \\"guests\\""/);
  const copy = makeRouter();
  for (const line of exported.split('\n')) {
    if (line === '' || line.startsWith('#')) continue;
    t.equal(await copy.type(line), '', `pasted: ${line}`);
  }
  t.equal((await copy.type('/export')).replace(/^#.*\n/gm, ''), exported.replace(/^#.*\n/gm, ''), 'the pasted export exports the same');
  t.match(await r.type('/ppp profile print where comment=vpn'), /;;; vpn\n +p1 /);
});

t.test('unset returns a property to its default', async (t) => {
  const r = makeRouter();
  t.equal(await r.type('/ppp secret add name=anna password=x remote-address=10.0.0.5 comment=old'), '');
  t.equal(await r.type('/ppp secret unset anna comment'), '');
  t.notMatch(await r.type('/ppp secret print'), /;;;/);
  t.equal(await r.type('/ppp secret unset anna value-name=remote-address'), '');
  t.equal(await r.type('/ppp secret get anna remote-address'), '\n', 'remote-address is empty again');
  t.notMatch(await r.type('/export'), /remote-address/, 'nothing left to export');
  t.equal(await r.type('/ppp secret unset anna name'), 'failure: name can not be unset\n');
  t.equal(await r.type('/ppp secret unset anna bogus'), 'failure: value-name must be given\n');
  t.equal(await r.type('/ppp secret unset anna value-name=bogus'), 'input does not match any value of value-name\n');
  t.equal(await r.type('/ppp secret unset nosuch comment'), 'no such item\n');
});

t.test('a read-only user can neither comment nor unset', async (t) => {
  const admin = makeRouter();
  t.equal(await admin.type('/user add name=viewer group=read password=pw'), '');
  t.equal(await admin.type('/ppp secret add name=anna password=x comment=kept'), '');
  const viewer = makeRouter('MikroTik', { user: 'viewer', model: admin.model });
  t.equal(await viewer.type('/ppp secret set anna comment=changed'), 'not enough permissions (9)\n');
  t.equal(await viewer.type('/ppp secret unset anna comment'), 'not enough permissions (9)\n');
  t.match(await viewer.type('/ppp secret print'), /;;; kept/, 'the comment is still there');
});

t.test('every list menu takes comment=, as every RouterOS list item does', async (t) => {
  const { menus } = await import('../../src/config/menus/index.js');
  for (const m of menus) if (m.kind === 'list') t.ok('comment' in m.props, m.path);
});
