// Child process for the crash-safety test: changes the configuration as fast as it can (each
// change saved by the store) until it is killed with SIGKILL.
import { ConfigStore } from '../../src/config/store.js';

const dir = process.argv[2];
if (!dir) {
  // Run on its own (tap given the whole folder): nothing to do.
  console.log('1..0 # SKIP child process of store.test.ts');
  process.exit(0);
}
const store = new ConfigStore(dir);
const { model } = store.load();
store.attach(model, (e) => {
  throw e;
});
process.stdout.write('ready\n');
// Passwords hold at most 256 characters; rows of this size still make each write take a while.
const pad = 'x'.repeat(240);
for (let i = 0; ; i++) {
  const id = model.add('/ppp secret', { name: `user${process.pid}-${i}`, password: `${pad}${i}`, service: 'pptp' });
  if (typeof id !== 'number') throw new Error(id.message);
  if (model.rows('/ppp secret').length > 20) model.remove('/ppp secret', [model.rows('/ppp secret')[0]!.id]);
  model.set('/system identity', undefined, { name: `writer-${process.pid}-${i}` });
}
