// Issue 12 §3: input RouterOS refuses and we used to store. Each line must print exactly one
// error line and leave the configuration as it was.
import t from 'tap';
import { makeRouter } from './harness.js';

const SETUP = [
  '/interface pptp-client add name=c1 connect-to=198.18.0.1 user=u password=p',
  '/ppp secret add name=s1 password=p',
];

const REFUSED: Array<[string, string, RegExp]> = [
  ['an interface that does not exist', '/ip address add address=10.0.0.1/24 interface=nosuch', /^input does not match any value of interface$/],
  ['an empty client user', '/interface pptp-client add name=c2 connect-to=198.18.0.1 user=""', /^failure: user must not be empty$/],
  ['setting the client user empty', '/interface pptp-client set c1 user=""', /^failure: user must not be empty$/],
  ['an empty server authentication', '/interface pptp-server server set authentication=""', /^failure: authentication needs at least one of/],
  ['an empty client allow', '/interface pptp-client set c1 allow=""', /^failure: allow needs at least one of/],
  ['a property given twice', '/interface pptp-client add name=c3 connect-to=198.18.0.1 user=u user=v', /^failure: argument user given twice \(line 1 column \d+\)$/],
  ['a property given twice as `key value`', '/interface pptp-client add name=c3 connect-to=198.18.0.1 user u user v', /^failure: argument user given twice \(line 1 column \d+\)$/],
  ['a property given as key=value and as `key value`', '/ppp secret add name=s4 name s5 password=x', /^failure: argument name given twice \(line 1 column \d+\)$/],
  ['a control character in a name', '/ppp secret add name="a\x01b" password=x', /^invalid value for argument name$/],
  ['DEL in a name', '/ppp secret add name="a\x7fb" password=x', /^invalid value for argument name$/],
  ['a C1 control in a name', '/ppp secret add name="a\u009bb" password=x', /^invalid value for argument name$/],
  ['a bidi override in a name', '/ppp secret add name="adm\u202enimda" password=x', /^invalid value for argument name$/],
  ['a bidi isolate in a comment', '/ip route add gateway=10.0.0.2 comment="x\u2067y"', /^invalid value for argument comment$/],
  ['invalid UTF-8 (decoded as U+FFFD) in a name', '/ppp secret add name="a\ufffdb" password=x', /^invalid value for argument name$/],
  ['a lone surrogate in a password', '/ppp secret add name=s2 password="a\ud800"', /^invalid value for argument password$/],
  ['DEL typed as the RouterOS \\7F escape', '/ppp secret add name="a\\7Fb" password=x', /^invalid value for argument name$/],
  ['ESC typed as \\1B', '/ppp secret add name="a\\1Bb" password=x', /^invalid value for argument name$/],
  ['a bidi override typed as its UTF-8 bytes \\E2\\80\\AE', '/ppp secret add name="adm\\E2\\80\\AEnimda" password=x', /^invalid value for argument name$/],
  ['a byte that is not UTF-8 typed as \\FF', '/ppp secret add name="a\\FFb" password=x', /^invalid value for argument name$/],
  ['a control character from a script variable', ':local n "b\\07"; /ppp secret add name=$n password=x', /^invalid value for argument name$/],
  ['a 100 KB secret password', `/ppp secret add name=s3 password=${'x'.repeat(100_000)}`, /^value of password is too long \(at most 256 characters\)$/],
  ['a 257-character client password', `/interface pptp-client set c1 password=${'x'.repeat(257)}`, /^value of password is too long \(at most 256 characters\)$/],
  ['a 2 KB comment', `/ip route add gateway=10.0.0.2 comment=${'c'.repeat(2000)}`, /^value of comment is too long \(at most 1024 characters\)$/],
];

t.test('each bad input is one clear line and changes nothing', async (t) => {
  const r = makeRouter();
  r.runtime.ports = [{ defaultName: 'ether1', mac: '02:00:00:00:00:01', running: true }];
  for (const line of SETUP) t.equal(await r.type(line), '', line);
  // The export's header holds the time of day; the configuration is what follows it.
  const config = async () => (await r.type('/export show-sensitive')).replace(/^#.*\n/gm, '');
  const before = await config();
  for (const [what, line, expected] of REFUSED) {
    const out = (await r.type(line)).trimEnd();
    t.equal(out.split('\n').length, 1, `${what}: one line`);
    t.match(out, expected, what);
    t.equal(await config(), before, `${what}: nothing changed`);
  }
});

t.test('the limits still take what they should', async (t) => {
  const r = makeRouter();
  for (const line of SETUP) t.equal(await r.type(line), '', line);
  t.equal(await r.type(`/ppp secret set s1 password=${'x'.repeat(256)}`), '', 'a 256-character password');
  t.equal(await r.type('/ppp secret add name="zażółć" password="gęślą jaźń"'), '', 'non-ASCII letters');
  t.equal(await r.type('/ppp secret add name="k\\C3\\B3\\_x" password="a\\"b\\\\c"'), '', 'letters and a space by their escapes');
  t.match(await r.type('/ppp secret print detail where name="kó x"'), /name="kó x" .*password="a\\"b\\\\c"/, 'stored as meant');
  t.match(await r.type('/ppp secret print where name=s1 name=s1'), /\n 0 +s1 /, 'a where clause may repeat a property');
  t.equal(await r.type(`/ip route add gateway=10.0.0.2 comment=${'c'.repeat(1024)}`), '', 'a 1024-character comment');
});
