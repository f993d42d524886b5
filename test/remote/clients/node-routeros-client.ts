// Run by remote-access.test.ts inside the client namespace: node-routeros (npm) against routerd's
// API. Prints one JSON object with what each step saw; the test asserts on it.
import { RouterOSAPI } from 'node-routeros';

const [host, user, password, mode] = process.argv.slice(2) as [string, string, string, string];
const result: Record<string, unknown> = {};

async function trapOf(p: Promise<unknown>): Promise<string> {
  try {
    await p;
    return 'no trap';
  } catch (e) {
    return (e as Error).message;
  }
}

async function main(): Promise<void> {
  const api = new RouterOSAPI({ host, user, password, port: 8728, timeout: 20 });
  await api.connect();
  if (mode === 'watch-active') {
    // Prints "listening" once the listen runs; then waits for the tunnel's row in /ppp/active.
    const seen: Record<string, string>[] = [];
    const stream = api.stream('/ppp/active/listen', (err: Error | null, packet: unknown) => {
      if (!err && packet) seen.push(...(Array.isArray(packet) ? packet : [packet]));
    });
    result.initial = await api.write('/ppp/active/print');
    process.stdout.write('listening\n');
    for (let i = 0; i < 600 && !seen.some((e) => e.name === 'user'); i++) await new Promise((r) => setTimeout(r, 100));
    result.events = seen;
    result.printed = await api.write('/ppp/active/print', ['=.proplist=name,service,address,encoding']);
    await stream.stop();
    await api.close();
    return;
  }
  if (mode === 'read-only') {
    result.secrets = (await api.write('/ppp/secret/print')).map((r) => r.name);
    result.addTrap = await trapOf(api.write('/ppp/secret/add', ['=name=sneaky', '=password=x']));
    result.setTrap = await trapOf(api.write('/system/identity/set', ['=name=taken']));
    await api.close();
    return;
  }
  result.before = (await api.write('/ppp/secret/print')).map((r) => r.name);
  const events: Record<string, string>[] = [];
  const stream = api.stream('/ppp/secret/listen', (err: Error | null, packet: unknown) => {
    if (!err && packet) events.push(...(Array.isArray(packet) ? packet : [packet]));
  });
  const added = await api.write('/ppp/secret/add', ['=name=node1', '=password=n0de', '=remote-address=10.0.103.9']);
  result.ret = added[0]?.ret;
  const only = await api.write('/ppp/secret/print', ['=.proplist=name,remote-address', '?name=node1']);
  result.queried = only;
  result.either = (await api.write('/ppp/secret/print', ['?name=node1', '?name=ex', '?#|', '=.proplist=name'])).map((r) => r.name);
  await api.write('/ppp/secret/set', [`=.id=${String(result.ret)}`, '=disabled=yes']);
  result.disabled = (await api.write('/ppp/secret/print', ['?name=node1']))[0]?.disabled;
  result.badValue = await trapOf(api.write('/ppp/secret/set', [`=.id=${String(result.ret)}`, '=remote-address=999.1.1.1']));
  result.noCommand = await trapOf(api.write('/ppp/secret/frobnicate'));
  result.active = await api.write('/ppp/active/print');
  result.monitor = await api.write('/interface/pptp-client/monitor', ['=numbers=gw', '=once=']);
  result.resource = (await api.write('/system/resource/print'))[0];
  result.identity = (await api.write('/system/identity/print'))[0];
  // listen sees the add and the set (order of arrival); give the poll a moment on a loaded host.
  for (let i = 0; i < 100 && !events.some((e) => e.disabled === 'true'); i++) await new Promise((r) => setTimeout(r, 100));
  result.events = events;
  await stream.stop();
  await api.write('/ppp/secret/remove', [`=.id=${String(result.ret)}`]);
  result.after = (await api.write('/ppp/secret/print')).map((r) => r.name);
  await api.close();
}

main().then(
  () => process.stdout.write(JSON.stringify(result) + '\n'),
  (e: Error) => {
    process.stdout.write(JSON.stringify({ ...result, error: e.message }) + '\n');
    process.exit(1);
  },
);
