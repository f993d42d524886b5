// The console side of remote management (issue 17): /ip service keeps its three rows, takes
// port, address and disabled with the usual one-line errors, and exports what changed;
// /user ssh-keys takes only well-formed OpenSSH key lines; the API session answers in the
// protocol's shape from the same menu records.
import t from 'tap';
import { generateKeyPairSync } from 'node:crypto';
import ssh2 from 'ssh2';
import { makeRouter } from '../cli/harness.js';
import { ApiSession } from '../../src/remote/api-session.js';
import { ActiveUsers } from '../../src/remote/active-users.js';
import { LoginThrottle } from '../../src/console/login-throttle.js';
import { commandLines, loginName } from '../../src/remote/ssh-server.js';
import { allowedFrom } from '../../src/remote/address-filter.js';
import { LogBook } from '../../src/log.js';

t.test('/ip service has ssh, api and api-ssl and nothing else', async (t) => {
  const r = makeRouter();
  const out = await r.type('/ip service print');
  t.match(out, /ssh\s+22\s/);
  t.match(out, /api\s+8728\s/);
  t.match(out, /api-ssl\s+8729\s/);
  t.match(await r.type('/ip service add name=telnet port=23'), /bad command name add/);
  t.match(await r.type('/ip service remove ssh'), /bad command name remove/);
  t.equal(await r.type('/ip service set ssh port=70000'), 'value of port out of range (1..65535)\n');
  t.equal(await r.type('/ip service set api address=10.0.0.0/33'), 'invalid value for argument address\n');
  t.match(await r.type('/ip service print'), /ssh\s+22\s/, 'nothing changed');
  t.match(await r.type('/ip service set api-ssl name=x'), /read-only/);
  t.equal(await r.type('/ip service set api address=10.150.2.0/24,192.168.88.7 disabled=yes'), '');
  t.equal(await r.type('/ip service set ssh port=2222'), '');
  t.match(await r.type('/ip service export'), /set \[ find name=ssh \] port=2222\nset \[ find name=api \] address=10\.150\.2\.0\/24,192\.168\.88\.7\/32 disabled=yes/);
});

t.test('the address list: empty lets everyone in, prefixes and mapped IPv4 match', async (t) => {
  t.ok(allowedFrom('198.18.0.1', []));
  t.ok(allowedFrom('::ffff:10.1.2.3', ['10.0.0.0/8']));
  t.notOk(allowedFrom('198.18.0.1', ['10.0.0.0/8', '192.168.0.0/16']));
  t.ok(allowedFrom('192.168.88.7', ['192.168.88.7/32']));
});

t.test('/user ssh-keys takes an OpenSSH key line and refuses a mangled one', async (t) => {
  const r = makeRouter();
  const pub = generateKeyPairSync('ed25519').publicKey.export({ type: 'spki', format: 'der' }).subarray(-32);
  const blob = Buffer.concat([Buffer.from([0, 0, 0, 11]), Buffer.from('ssh-ed25519'), Buffer.from([0, 0, 0, 32]), pub]).toString('base64');
  t.equal(await r.type(`/user ssh-keys add user=admin key="ssh-ed25519 ${blob} ops@hq" key-owner=ops@hq`), '');
  t.match(await r.type('/user ssh-keys print'), /admin\s+ops@hq/);
  t.match(await r.type(`/user ssh-keys add user=admin key="ssh-rsa ${blob}"`), /not an OpenSSH public key line/);
  t.match(await r.type('/user ssh-keys add user=admin key="hello"'), /not an OpenSSH public key line/);
  t.match(await r.type(`/user ssh-keys add user=nobody key="ssh-ed25519 ${blob}"`), /input does not match any value of user/);
  const parsed = ssh2.utils.parseKey(`ssh-ed25519 ${blob}`);
  t.notOk(parsed instanceof Error, 'ssh2 reads the stored form');
  t.match(await r.type('/user ssh-keys import public-key-file=nothing.pub'), /cannot read|no files/);
});

t.test('ssh command lines and login names', async (t) => {
  t.same(commandLines('/ppp active print; /log print'), ['/ppp active print', ' /log print']);
  t.same(commandLines('/system identity set name="a;b"'), ['/system identity set name="a;b"']);
  const script = ':local n 0; :foreach i in=[/ppp secret find] do={\n:set n ($n + 1)}; :put $n';
  t.same(commandLines(script), [script], 'a script runs whole');
  t.equal(loginName('admin+cet1024w'), 'admin');
  t.equal(loginName('admin'), 'admin');
});

t.test('an API session: login, print with .proplist, add, trap, not logged in', async (t) => {
  const r = makeRouter();
  const replies: string[][] = [];
  const s = new ApiSession(
    { model: r.model, runtime: r.runtime, log: new LogBook(), loginThrottle: new LoginThrottle(), activeUsers: new ActiveUsers() },
    { address: '10.0.0.2', via: 'api' },
    (w) => replies.push([...w]),
    () => {},
  );
  const run = async (...words: string[]): Promise<string[][]> => {
    replies.length = 0;
    s.sentence(words);
    for (let i = 0; i < 400 && !replies.some((w) => w[0] === '!done' || w[0] === '!fatal'); i++) await new Promise((res) => setTimeout(res, 5));
    return replies.map((w) => w);
  };
  t.same(await run('/ppp/secret/print', '.tag=1'), [['!trap', '=message=not logged in', '.tag=1'], ['!done', '.tag=1']]);
  t.same(await run('/login', '=name=admin', '=password='), [['!done']]);
  t.same(await run('/ppp/secret/add', '=name=ex', '=password=lkjrht', '.tag=a'), [['!done', '=ret=*1', '.tag=a']]);
  t.same(await run('/ppp/secret/print', '=.proplist=.id,name,disabled'), [['!re', '=.id=*1', '=name=ex', '=disabled=false'], ['!done']]);
  t.same(await run('/ppp/secret/set', '=.id=*1', '=profile=nope'), [['!trap', '=message=input does not match any value of profile'], ['!done']]);
  t.same(await run('/ppp/secret/print', '=count-only='), [['!done', '=ret=1']]);
  t.same(await run('/system/identity/get', '=value-name=name'), [['!done', '=ret=MikroTik']]);
  t.same(await run('/nothing/here/print'), [['!trap', '=message=no such command prefix'], ['!done']]);
  s.end();
});

t.test('failed API logins are refused, logged and throttled per source; a group without api cannot log in', async (t) => {
  const r = makeRouter();
  await r.type('/user group add name=nocli policy=read,local');
  await r.type('/user add name=local-only group=nocli password=L0cal-pw');
  const book = new LogBook();
  const throttle = new LoginThrottle({ free: 1, firstDelayMs: 1, maxDelayMs: 1 });
  const replies: string[][] = [];
  const s = new ApiSession(
    { model: r.model, runtime: r.runtime, log: book, loginThrottle: throttle, activeUsers: new ActiveUsers() },
    { address: '10.0.0.9', via: 'api' },
    (w) => replies.push([...w]),
    () => {},
  );
  const login = async (name: string, password: string): Promise<string[][]> => {
    replies.length = 0;
    s.sentence(['/login', `=name=${name}`, `=password=${password}`]);
    for (let i = 0; i < 400 && !replies.some((w) => w[0] === '!done'); i++) await new Promise((res) => setTimeout(res, 5));
    return replies.map((w) => w);
  };
  const refused = [['!trap', '=message=invalid user name or password (6)'], ['!done']];
  t.same(await login('admin', 'wrong'), refused);
  t.same(await login('nobody', ''), refused);
  t.same(await login('local-only', 'L0cal-pw'), refused, 'the right password, but the group lacks api');
  t.equal(throttle.count('api 10.0.0.9'), 3, 'counted per source, as the consoles count');
  t.match(book.list().map((e) => e.message).join('\n'), /login failure for user admin from 10\.0\.0\.9 via api/);
  t.same(await login('admin', ''), [['!done']]);
  t.equal(throttle.count('api 10.0.0.9'), 0, 'a success clears the count');
  s.end();
});

t.test('over the API a group without sensitive sees no PPP passwords, and read alone changes nothing', async (t) => {
  const r = makeRouter();
  await r.type('/ppp secret add name=ex password=lkjrht');
  await r.type('/user group add name=ro policy=read,api');
  await r.type('/user add name=auditor group=ro password=Aud1t-pw');
  const replies: string[][] = [];
  const s = new ApiSession(
    { model: r.model, runtime: r.runtime, log: new LogBook(), loginThrottle: new LoginThrottle(), activeUsers: new ActiveUsers() },
    { address: '10.0.0.3', via: 'api' },
    (w) => replies.push([...w]),
    () => {},
  );
  const run = async (...words: string[]): Promise<string[][]> => {
    replies.length = 0;
    s.sentence(words);
    for (let i = 0; i < 400 && !replies.some((w) => w[0] === '!done'); i++) await new Promise((res) => setTimeout(res, 5));
    return replies.map((w) => w);
  };
  t.same(await run('/login', '=name=auditor', '=password=Aud1t-pw'), [['!done']]);
  const printed = await run('/ppp/secret/print');
  t.equal(printed[0]![0], '!re');
  t.ok(printed[0]!.includes('=name=ex'));
  t.notOk(printed[0]!.some((w) => w.startsWith('=password=')), 'no password attribute');
  t.same(await run('/ppp/secret/remove', '=.id=*1'), [['!trap', '=message=not enough permissions (9)'], ['!done']]);
  t.same(await run('/ip/service/set', '=.id=*1', '=disabled=yes'), [['!trap', '=message=not enough permissions (9)'], ['!done']]);
  t.match(await r.type('/ppp secret print'), /ex/);
  s.end();
});
