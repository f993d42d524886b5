// RouterOS interface names onto Linux's: names that fit are kept (so `ip link` shows what the
// console shows), longer or odd ones get a short stable form, and no two tunnels share one.
import t from 'tap';
import { kernelForm, LinkNames } from '../../src/router/link-names.js';

t.test('names that fit the kernel are kept as they are', async (t) => {
  for (const n of ['pptp-out1', 'pptp-in1', 'FromLaptop', 'ether1', 'a.b_c-d']) t.equal(kernelForm(n), n);
  t.equal(kernelForm('<pptp-ex>'), 'pptp-ex', 'a dynamic row loses its brackets');
});

t.test('long or odd names get a short, stable, valid form', async (t) => {
  const long = kernelForm('FromLaptopAtHomeOffice');
  t.ok(long.length <= 15, `${long} fits IFNAMSIZ`);
  t.equal(kernelForm('FromLaptopAtHomeOffice'), long, 'the same name maps the same way every time');
  t.not(kernelForm('FromLaptopAtHomeOffice2'), long, 'a different long name maps elsewhere');
  for (const odd of ['<pptp-a very long user name>', 'with space', '..', 'a/b']) {
    const k = kernelForm(odd);
    t.match(k, /^[A-Za-z0-9_.-]{1,15}$/, `${JSON.stringify(odd)} -> ${k}`);
    t.not(k, '..');
  }
});

t.test('two tunnels never hold the same kernel name; released names are reused', async (t) => {
  const names = new LinkNames();
  const a = names.claim('<pptp-ex>');
  const b = names.claim('<pptp-ex>');
  t.equal(a, 'pptp-ex');
  t.not(b, a, 'a second session of the same user gets its own interface');
  t.ok(b.length <= 15);
  names.release(a);
  t.equal(names.claim('<pptp-ex>'), 'pptp-ex', 'the name is free again after release');
});
