// Child process of the kill -9 rounds (test/crash/kill-rounds.test.ts): loads the configuration
// store (the compiled one, or the TypeScript source through tsx: argv[3]), then changes the
// configuration one saved step at a time as fast as it can, printing each step once it is
// saved, until it is killed. Step i sets the identity to w-i (one save), beside 20 secrets that
// never change: a stored file is the state after exactly one step, whole.
const [dir, storeModule] = process.argv.slice(2);
const { ConfigStore } = await import(storeModule);
const store = new ConfigStore(dir);
const { model } = store.load();
store.attach(model, (e) => {
  throw e;
});
// Rows big enough that each save takes a while: more chances to be killed in the middle.
const pad = 'x'.repeat(240);
while (model.rows('/ppp secret').length < 20) {
  const n = model.rows('/ppp secret').length;
  model.add('/ppp secret', { name: `user${n}`, password: `${pad}`, service: 'pptp' });
}
const start = Number(String(model.settingsValues('/system identity').name).replace(/^w-/, '')) || 0;
process.stdout.write(`ready ${start}\n`);
// The loop never yields, so a closed pipe would never be noticed: stop when the test is gone.
const parent = process.ppid;
for (let i = start + 1; process.ppid === parent; i++) {
  model.set('/system identity', undefined, { name: `w-${i}` });
  process.stdout.write(`saved ${i}\n`);
}
